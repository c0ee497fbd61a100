"""Pure log parsers: format registry and auto-detection (reference section 2)."""

from __future__ import annotations

import re
import zlib

import orjson

from .base import LineParser
from .records import CloudEvent, Record, SkipCounter, SkipReason

FORMATS: tuple[str, ...] = (
    "squid",
    "combined",
    "w3c_elff",
    "zscaler_csv",
    "zscaler_json",
    "zeek_dns",
    "zeek_http",
    "zeek_ssl",
    "bind9",
    "dnsmasq",
    "route53",
    "cloudtrail",
)

FORMAT_LABELS: dict[str, str] = {
    "squid": "Squid native",
    "combined": "Squid/Apache combined",
    "w3c_elff": "W3C ELFF (Blue Coat / Symantec)",
    "zscaler_csv": "Zscaler NSS web (CSV/TSV)",
    "zscaler_json": "Zscaler NSS web (JSON)",
    "zeek_dns": "Zeek dns.log",
    "zeek_http": "Zeek http.log",
    "zeek_ssl": "Zeek ssl.log",
    "bind9": "BIND 9 query log",
    "dnsmasq": "dnsmasq / Pi-hole",
    "route53": "Route 53 Resolver query log",
    "cloudtrail": "AWS CloudTrail",
}

__all__ = [
    "FORMATS",
    "FORMAT_LABELS",
    "CloudEvent",
    "LineParser",
    "Record",
    "SkipCounter",
    "SkipReason",
    "detect_format",
    "get_parser",
]


def get_parser(fmt: str, *, options: dict | None = None) -> LineParser:
    """A fresh line parser for ``fmt`` (CloudTrail too: it handles one-event-per-line JSON)."""
    from .cloudtrail import CloudTrailLineParser
    from .dns import Bind9Parser, DnsmasqParser, Route53Parser
    from .proxy import (
        CombinedParser,
        SquidParser,
        W3CElffParser,
        ZscalerCsvParser,
        ZscalerJsonParser,
    )
    from .zeek import ZeekParser

    classes: dict[str, type[LineParser]] = {
        "squid": SquidParser,
        "combined": CombinedParser,
        "w3c_elff": W3CElffParser,
        "zscaler_csv": ZscalerCsvParser,
        "zscaler_json": ZscalerJsonParser,
        "zeek_dns": ZeekParser,
        "zeek_http": ZeekParser,
        "zeek_ssl": ZeekParser,
        "bind9": Bind9Parser,
        "dnsmasq": DnsmasqParser,
        "route53": Route53Parser,
        "cloudtrail": CloudTrailLineParser,
    }
    if fmt not in classes:
        raise ValueError(f"unknown log format {fmt!r}; known: {', '.join(FORMATS)}")
    parser = classes[fmt](options=options)
    parser.name = fmt
    return parser


SQUID_RE = re.compile(r"^\d{9,10}\.\d{3}\s+\d+\s+\S+\s+[A-Z_]+/\d{3}\s+\d+\s+\S+\s+\S+")
CLF_RE = re.compile(r'^\S+ \S+ \S+ \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "')
BIND_RE = re.compile(
    r"queries: (info: )?client |client (@0x[0-9a-f]+ )?[\d.:a-fA-F]+#\d+.*: query: \S+ IN \S+ "
)
DNSMASQ_RE = re.compile(
    r"(dnsmasq|pihole-FTL)\[\d+\]: (\d+ \S+ )?(query|forwarded|reply|cached|config|gravity)"
)
ZSC_TSV_RE = re.compile(r"^\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \d{4}[\t,]")


def _head_text(head: bytes) -> str:
    """Unpack a gzip head as far as it goes and decode leniently."""
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(wbits=47).decompress(head, 256 * 1024)
        except zlib.error:
            return ""
    return head.decode("utf-8", "replace")


def _json_kind(obj: dict) -> str | None:
    if "Records" in obj or ("eventVersion" in obj and "eventSource" in obj):
        return "cloudtrail"
    if "detail-type" in obj or "CloudTrailEvent" in obj or "Events" in obj:
        return "cloudtrail"
    if "query_name" in obj and ("srcaddr" in obj or "vpc_id" in obj):
        return "route53"
    if "uid" in obj and "id.orig_h" in obj:
        if "query" in obj:
            return "zeek_dns"
        if "server_name" in obj or "ssl_history" in obj or "cipher" in obj:
            return "zeek_ssl"
        if "method" in obj or "uri" in obj or "host" in obj:
            return "zeek_http"
        return None
    ev = obj.get("event") if isinstance(obj.get("event"), dict) else obj
    if str(obj.get("sourcetype", "")).startswith("zscalernss") or (
        "cip" in ev and "reqmethod" in ev
    ):
        return "zscaler_json"
    return None


def detect_format(head: bytes) -> str | None:
    """Guess the format from the first bytes of a file (gzip unpacked); None when unsure."""
    text = _head_text(head)
    if not text.strip():
        return None
    stripped = text.lstrip()
    if stripped.startswith('{"Records"') or stripped.startswith('{ "Records"'):
        return "cloudtrail"
    lines = [ln for ln in text.splitlines() if ln.strip()][:40]
    if len(text) >= len(head) and head and not head.endswith(b"\n") and len(lines) > 1:
        lines = lines[:-1]  # last line may be cut by the head limit
    for ln in lines[:10]:
        if ln.startswith("#separator") or ln.startswith("#fields\t"):
            path = next((x.split("\t", 1)[1] for x in lines if x.startswith("#path\t")), "")
            fields = next((x for x in lines if x.startswith("#fields")), "")
            return _zeek_kind(path, fields)
        if ln.startswith("#Software: SGOS") or (
            ln.startswith("#Fields:") and ("c-ip" in ln or "cs-host" in ln)
        ):
            return "w3c_elff"
        if ln.startswith("ts\tuid\tid.orig_h"):
            return _zeek_kind("", ln)
    data = [ln for ln in lines if not ln.startswith("#")][:20]
    if not data:
        return None
    if data[0].lstrip().startswith("{"):
        kinds: dict[str, int] = {}
        decoded = 0
        for ln in data:
            try:
                obj = orjson.loads(ln)
            except orjson.JSONDecodeError:
                continue
            decoded += 1
            if isinstance(obj, dict):
                k = _json_kind(obj)
                if k:
                    kinds[k] = kinds.get(k, 0) + 1
        if kinds:
            best, n = max(kinds.items(), key=lambda kv: kv[1])
            # broken JSON lines become counted skips; score over the lines that decode
            if n >= 0.8 * decoded and decoded >= 0.5 * len(data):
                return best
        return None
    scores = {
        "squid": sum(1 for ln in data if SQUID_RE.match(ln)),
        "combined": sum(1 for ln in data if CLF_RE.match(ln)),
        "bind9": sum(1 for ln in data if BIND_RE.search(ln)),
        "dnsmasq": sum(1 for ln in data if DNSMASQ_RE.search(ln)),
        "zscaler_csv": sum(1 for ln in data if ZSC_TSV_RE.match(ln)),
    }
    best, n = max(scores.items(), key=lambda kv: kv[1])
    runner_up = sorted(scores.values())[-2]
    # reference rule: accept at >= 0.8; a clear sole winner on >= half the lines also counts
    if n and (n >= 0.8 * len(data) or (n >= 0.5 * len(data) and runner_up == 0)):
        return best
    return None


def _zeek_kind(path: str, fields: str) -> str:
    path = path.strip()
    if path in ("dns", "http", "ssl"):
        return f"zeek_{path}"
    cols = set(fields.replace("#fields", "").split("\t"))
    if "query" in cols:
        return "zeek_dns"
    if "server_name" in cols:
        return "zeek_ssl"
    return "zeek_http"
