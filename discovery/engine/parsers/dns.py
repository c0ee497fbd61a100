"""DNS query log parsers: BIND 9, dnsmasq / Pi-hole, Route 53 Resolver (JSON)."""

from __future__ import annotations

import re

from .base import LineParser
from .records import Record, SkipReason, clean_host, json_object
from .timeparse import MONTHS, day_epoch, hms, parse_bind_date, parse_iso, parse_syslog

BIND_QUERY_RE = re.compile(
    r"client (?:@0x[0-9a-fA-F]+ )?(?P<ip>[0-9a-fA-F.:]+)#(?P<port>\d+)(?: \([^)]*\))?: "
    r"(?:view [^:]+: )?query: (?P<name>\S+) (?P<cls>[A-Z0-9]+) (?P<qtype>[A-Z0-9]+) "
    r"(?P<flags>\S*) ?\((?P<dst>[^)]*)\)"
)
BIND_FILE_TS = re.compile(r"^(\d{2}-\w{3}-\d{4}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ")
SYSLOG_TS = re.compile(r"^(?:\w{3} )?(\w{3}) +(\d{1,2}) (\d{2}:\d{2}:\d{2})(?: (\d{4}))? ")


def _syslog_ts(m: re.Match, ref) -> float:
    mon, day, clock, year = m.groups()
    if year:
        return day_epoch(int(year), MONTHS[mon.lower()], int(day)) + hms(clock)
    return parse_syslog(mon, day, clock, ref)


def _query(
    ts: float, name: str, ip: str, qtype: str, port: int | None = None
) -> Record | SkipReason:
    """One client query as a record, or a skip when the name is no usable host."""
    host = clean_host(name)
    if not host:
        return SkipReason.MISSING_HOST
    return Record(
        ts=ts, source_type="dns", host=host, client_ip=ip, client_port=port, dns_qtype=qtype
    )


class Bind9Parser(LineParser):
    """BIND 9 `queries` channel, file (print-time) or syslog lines, with or without @0x/view/ECS."""

    name = "bind9"
    source_type = "dns"

    def parse(self, line: str) -> Record | SkipReason:
        q = BIND_QUERY_RE.search(line)
        if not q:
            return (
                SkipReason.NOT_EVENT
                if "named[" in line or "queries:" in line
                else (SkipReason.MALFORMED)
            )
        m = BIND_FILE_TS.match(line)
        try:
            if m:
                ts = parse_bind_date(m.group(1), m.group(2))
            else:
                s = SYSLOG_TS.match(line)
                if not s:
                    return SkipReason.BAD_TIMESTAMP
                ts = _syslog_ts(s, self.ref_date)
        except (ValueError, KeyError):
            return SkipReason.BAD_TIMESTAMP
        return _query(ts, q.group("name"), q.group("ip"), q.group("qtype"), int(q.group("port")))


DNSMASQ_RE = re.compile(r"(?:dnsmasq|pihole-FTL)\[\d+\]: (?:\d+ \S+ )?(?P<rest>.*)$")
DNSMASQ_QUERY_RE = re.compile(r"^query\[(?P<qtype>[A-Za-z0-9]+)\] (?P<name>\S+) from (?P<ip>\S+)")


class DnsmasqParser(LineParser):
    """dnsmasq / Pi-hole log: only `query[TYPE] NAME from IP` lines are client events."""

    name = "dnsmasq"
    source_type = "dns"

    def parse(self, line: str) -> Record | SkipReason:
        m = DNSMASQ_RE.search(line)
        if not m:
            return SkipReason.MALFORMED
        q = DNSMASQ_QUERY_RE.match(m.group("rest"))
        if not q:
            return SkipReason.NOT_EVENT
        s = SYSLOG_TS.match(line)
        if not s:
            return SkipReason.BAD_TIMESTAMP
        try:
            ts = _syslog_ts(s, self.ref_date)
        except (ValueError, KeyError):
            return SkipReason.BAD_TIMESTAMP
        ip = q.group("ip").split("/", 1)[0]
        return _query(ts, q.group("name"), ip, q.group("qtype").upper())


class Route53Parser(LineParser):
    """Route 53 Resolver query logs: one JSON object per query; srcids beat srcaddr."""

    name = "route53"
    source_type = "dns"

    def parse(self, line: str) -> Record | SkipReason:
        obj = json_object(line)
        if isinstance(obj, SkipReason):
            return obj
        if "query_name" not in obj:
            return SkipReason.MALFORMED
        try:
            ts = parse_iso(str(obj.get("query_timestamp", "")))
        except ValueError:
            return SkipReason.BAD_TIMESTAMP
        host = clean_host(str(obj.get("query_name") or ""))
        if not host:
            return SkipReason.MISSING_HOST
        srcids = obj.get("srcids") if isinstance(obj.get("srcids"), dict) else {}
        user = str(srcids.get("instance") or srcids.get("resolver_endpoint") or "")
        answers = obj.get("answers") if isinstance(obj.get("answers"), list) else []
        port = str(obj.get("srcport") or "")
        return Record(
            ts=ts,
            source_type="dns",
            host=host,
            client_ip=str(obj.get("srcaddr") or ""),
            client_port=int(port) if port.isdigit() else None,
            user=user,
            dns_qtype=str(obj.get("query_type") or ""),
            dns_answers=tuple(str(a.get("Rdata", "")) for a in answers if isinstance(a, dict)),
            action="blocked" if obj.get("firewall_rule_action") == "BLOCK" else "allowed",
        )
