"""Web proxy parsers: Squid native, Squid/Apache combined, W3C ELFF, Zscaler NSS (CSV/TSV, JSON)."""

from __future__ import annotations

import csv
import re

from .base import LineParser
from .records import Record, SkipReason, clean_host, json_object, split_url, to_int
from .timeparse import parse_clf, parse_ctime, parse_iso, parse_ymd_hms


def _action_from(*codes: str) -> str:
    """Blocked when a proxy result or filter code says so."""
    for code in codes:
        c = code.upper()
        if "DENIED" in c or "BLOCK" in c or c == "DROP":
            return "blocked"
    return "allowed"


class SquidParser(LineParser):
    """`logformat squid`: ts.ms elapsed client code/status bytes method url user hier mime."""

    name = "squid"

    def parse(self, line: str) -> Record | SkipReason:
        parts = line.split()
        if len(parts) < 7:
            return SkipReason.MALFORMED
        code_status = parts[3]
        slash = code_status.find("/")
        if slash == -1:
            return SkipReason.MALFORMED
        try:
            ts = float(parts[0])
        except ValueError:
            return SkipReason.BAD_TIMESTAMP
        if not 0 < ts < 4e9:
            return SkipReason.BAD_TIMESTAMP
        status = code_status[slash + 1 :]
        size = parts[4]
        if not size.isdigit() or not status.isdigit():
            return SkipReason.BAD_NUMBER
        method = parts[5]
        url = parts[6]
        if method == "CONNECT" and "/" not in url:  # authority form host:port, no path
            h, _, p = url.rpartition(":")
            if h and p.isdigit() and "]" not in p:
                host, port, path = clean_host(h), int(p), ""
            else:
                host, port, _ = split_url(url)
                path = ""
        else:
            host, port, path = split_url(url)
        if not host:
            return SkipReason.MISSING_HOST
        n = len(parts)
        user = parts[7] if n > 7 else "-"
        mime = parts[9] if n > 9 else "-"
        code = code_status[:slash]
        return Record(
            ts,
            "proxy",
            host,
            parts[2],
            None,
            "" if user == "-" else user,
            port,
            method,
            "" if method == "CONNECT" else path,
            int(status),
            0,
            int(size),
            "blocked" if ("DENIED" in code or "BLOCK" in code) else "allowed",
            "",
            "" if mime == "-" else mime,
        )


_Q = r'"((?:[^"\\]|\\.)*)"'
COMBINED_RE = re.compile(
    r"^(\S+) (\S+) (\S+) \[([^\]]+)\] " + _Q + r" (\d{3}|-) (\d+|-)"
    r"(?: " + _Q + " " + _Q + r")?(?: ([A-Z_]+:[A-Z_]+))?\s*$"
)


class CombinedParser(LineParser):
    """Squid `combined` / Apache combined (and CLF): local time with offset, quoted request."""

    name = "combined"

    def parse(self, line: str) -> Record | SkipReason:
        m = COMBINED_RE.match(line)
        if not m:
            return SkipReason.MALFORMED
        ip, ident, user, stamp, request, status, size, _ref, ua, sq = m.groups()
        try:
            ts = parse_clf(stamp)
        except (ValueError, KeyError):
            return SkipReason.BAD_TIMESTAMP
        req = request.split(" ")
        if len(req) < 2:
            return SkipReason.MALFORMED
        method, url = req[0], req[1]
        host, port, path = split_url(url if not url.startswith("/") else "")
        if not host:
            return SkipReason.MISSING_HOST
        if method == "CONNECT":
            path = ""
        return Record(
            ts=ts,
            source_type="proxy",
            host=host,
            port=port,
            client_ip=ip,
            user=user if user != "-" else (ident if ident != "-" else ""),
            method=method,
            path=path,
            status=int(status) if status != "-" else None,
            bytes_down=to_int(size),
            action=_action_from(sq or "", "DENIED" if status == "407" else ""),
            user_agent=(ua or "").replace('\\"', '"') if ua and ua != "-" else "",
        )


ELFF_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
ELFF_DEFAULT_FIELDS = [
    "date",
    "time",
    "time-taken",
    "c-ip",
    "cs-username",
    "cs-auth-group",
    "x-exception-id",
    "sc-filter-result",
    "cs-categories",
    "cs(Referer)",
    "sc-status",
    "s-action",
    "cs-method",
    "rs(Content-Type)",
    "cs-uri-scheme",
    "cs-host",
    "cs-uri-port",
    "cs-uri-path",
    "cs-uri-query",
    "cs-uri-extension",
    "cs(User-Agent)",
    "s-ip",
    "sc-bytes",
    "cs-bytes",
    "x-virus-id",
]


class W3CElffParser(LineParser):
    """W3C extended log (Blue Coat/Symantec ProxySG); columns come from the latest #Fields."""

    name = "w3c_elff"
    header_prefixes = ("#",)

    def __init__(self, *, options: dict | None = None) -> None:
        super().__init__(options=options)
        fields = self.options.get("fields")
        self.fields: list[str] | None = list(fields) if fields else None
        self._index: dict[str, int] = {}
        if self.fields:
            self._set_fields(self.fields)

    def _set_fields(self, fields: list[str]) -> None:
        self.fields = fields
        self._index = {f.lower(): i for i, f in enumerate(fields)}

    def header(self, line: str) -> None:
        """Apply a directive line (re-reads #Fields when it reappears mid-file)."""
        if line.startswith("#Fields:"):
            self._set_fields(line[len("#Fields:") :].split())

    def _get(self, vals: list[str], *names: str) -> str:
        for n in names:
            i = self._index.get(n)
            if i is not None and i < len(vals):
                v = vals[i]
                return "" if v == "-" else v
        return ""

    def parse(self, line: str) -> Record | SkipReason:
        if line.startswith("#"):
            self.header(line)
            return SkipReason.DIRECTIVE
        if not self._index:
            return SkipReason.NO_HEADER
        vals = [q if q is not None and b == "" else b for q, b in ELFF_TOKEN.findall(line)]
        if len(vals) != len(self._index):
            return SkipReason.FIELD_COUNT
        g = self._get
        try:
            ts = parse_ymd_hms(g(vals, "date"), g(vals, "time"))
        except (ValueError, KeyError):
            return SkipReason.BAD_TIMESTAMP
        host_raw = g(vals, "cs-host", "x-cs-host", "cs-uri-host", "s-sitename")
        path = g(vals, "cs-uri-path", "cs-uri-stem")
        port_s = g(vals, "cs-uri-port")
        if not host_raw:
            uri = g(vals, "cs-uri", "cs(uri)")
            host, port, path = split_url(uri) if uri else ("", None, "")
        else:
            host, port, _ = split_url(host_raw)
        if not host:
            return SkipReason.MISSING_HOST
        method = g(vals, "cs-method")
        try:
            status = int(g(vals, "sc-status") or 0) or None
            bytes_down = to_int(g(vals, "sc-bytes"))
            bytes_up = to_int(g(vals, "cs-bytes"))
        except ValueError:
            return SkipReason.BAD_NUMBER
        return Record(
            ts=ts,
            source_type="proxy",
            host=host,
            port=int(port_s) if port_s.isdigit() else port,
            client_ip=g(vals, "c-ip"),
            user=g(vals, "cs-username", "cs-userdn"),
            method=method,
            path="" if method == "CONNECT" else path.split("?", 1)[0],
            status=status,
            bytes_up=bytes_up,
            bytes_down=bytes_down,
            action=_action_from(g(vals, "sc-filter-result"), g(vals, "s-action")),
            user_agent=g(vals, "cs(user-agent)"),
            mime=g(vals, "rs(content-type)").split(";", 1)[0],
        )


ZSCALER_DEFAULT_FIELDS = [
    "time",
    "login",
    "cip",
    "reqmethod",
    "ehost",
    "eurl",
    "respcode",
    "reqsize",
    "respsize",
    "appname",
    "action",
]
FEED_SPEC = re.compile(r"%[a-z0-9]*\{(\w+)\}")


def fields_from_feed(feed: str) -> tuple[list[str], str]:
    """Column names and delimiter from an NSS Feed Output Format string."""
    names = FEED_SPEC.findall(feed)
    delim = "\t" if ("\\t" in feed or "\t" in feed) else ","
    return names, delim


class ZscalerCsvParser(LineParser):
    """Zscaler NSS web feed as CSV or TSV; the column order comes from options['feed'|'fields']."""

    name = "zscaler_csv"

    def __init__(self, *, options: dict | None = None) -> None:
        super().__init__(options=options)
        delim = self.options.get("delimiter")
        if self.options.get("feed"):
            fields, delim2 = fields_from_feed(self.options["feed"])
            delim = delim or delim2
        else:
            fields = list(self.options.get("fields") or ZSCALER_DEFAULT_FIELDS)
        self.fields = fields
        self.delimiter = delim
        self._index = {f: i for i, f in enumerate(fields)}

    def parse(self, line: str) -> Record | SkipReason:
        delim = self.delimiter or ("\t" if "\t" in line else ",")
        vals = line.split("\t") if delim == "\t" else next(csv.reader([line], delimiter=delim))
        if len(vals) != len(self.fields):
            return SkipReason.FIELD_COUNT
        return zscaler_record({f: vals[i] for f, i in self._index.items()})


def zscaler_record(ev: dict) -> Record | SkipReason:
    """Build a Record from Zscaler field names (shared by the CSV and JSON parsers)."""

    def g(k: str) -> str:
        v = ev.get(k)
        return "" if v is None or v in ("-", "None", "NA") else str(v)

    try:
        if g("epochtime"):
            ts = float(g("epochtime"))
        elif g("time"):
            t = g("time")
            ts = parse_iso(t) if t[:4].isdigit() else parse_ctime(t)
        else:
            return SkipReason.BAD_TIMESTAMP
    except (ValueError, KeyError):
        return SkipReason.BAD_TIMESTAMP
    url = g("eurl") or g("url")
    host, port, path = split_url(url) if url else ("", None, "")
    if g("ehost") or g("host"):
        host, port, _ = split_url(g("ehost") or g("host"))
    if not host:
        return SkipReason.MISSING_HOST
    try:
        status = int(g("respcode")) if g("respcode").isdigit() else None
        up, down = to_int(g("reqsize")), to_int(g("respsize"))
    except ValueError:
        return SkipReason.BAD_NUMBER
    method = g("reqmethod")
    return Record(
        ts=ts,
        source_type="proxy",
        host=host,
        port=port,
        client_ip=g("cip"),
        user=g("login"),
        method=method,
        path="" if method == "CONNECT" else path,
        status=status,
        bytes_up=up,
        bytes_down=down,
        action="blocked" if g("action").lower() in ("blocked", "block", "denied") else "allowed",
        user_agent=g("ua") or g("useragent"),
        mime=g("contenttype"),
    )


class ZscalerJsonParser(LineParser):
    """Zscaler NSS JSON (Cloud NSS default): {"sourcetype":..., "event": {...}} or a flat object."""

    name = "zscaler_json"

    def parse(self, line: str) -> Record | SkipReason:
        obj = json_object(line)
        if isinstance(obj, SkipReason):
            return obj
        ev = obj.get("event", obj)
        if not isinstance(ev, dict):
            return SkipReason.MALFORMED
        return zscaler_record(ev)
