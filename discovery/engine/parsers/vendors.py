"""Vendor exports security teams send every day: Cloudflare Gateway (Logpush JSON), Cisco
Umbrella DNS (CSV), PAN-OS URL filtering (CSV syslog), FortiGate (key=value), Netskope web
transactions (CSV or JSON), Windows DNS Server (debug log and analytical events) and Microsoft
Entra ID sign-in logs (JSON). Field lists: tests/discovery/real_shapes/README.md.
"""

from __future__ import annotations

import csv
import re

import orjson

from .base import LineParser, header_row
from .records import Record, SkipReason, clean_host, json_object, split_url, to_int
from .timeparse import parse_iso, parse_ymd_hms


def _epoch(value: object) -> float:
    """RFC 3339 text, or Logpush `unix` / `unixnano` numbers, to epoch seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        v = float(value)
        while v > 4e10:  # ms, us or ns
            v /= 1000.0
        return v
    text = str(value or "").strip()
    if not text:
        raise ValueError("no time")
    if text.isdigit():
        return _epoch(int(text))
    return parse_iso(text.replace("Z", "+00:00") if text.endswith("Z") else text)


def _logpush(line: str) -> tuple[dict, float] | SkipReason:
    """A Logpush JSON line and its `Datetime` as epoch seconds."""
    obj = json_object(line)
    if isinstance(obj, SkipReason):
        return obj
    try:
        return obj, _epoch(obj.get("Datetime"))
    except (ValueError, OverflowError):
        return SkipReason.BAD_TIMESTAMP


def _blocked(action: str) -> str:
    a = action.lower()
    return "blocked" if ("block" in a or "deny" in a or a in ("drop", "reset-both")) else "allowed"


# Cloudflare Gateway ---------------------------------------------------------------------
class CloudflareGatewayDnsParser(LineParser):
    """Logpush dataset `gateway_dns`: QueryName, SrcIP, Email, ResolverDecision, Datetime."""

    name = "cloudflare_gateway_dns"
    source_type = "dns"

    def parse(self, line: str) -> Record | SkipReason:
        read = _logpush(line)
        if isinstance(read, SkipReason):
            return read
        obj, ts = read
        host = clean_host(str(obj.get("QueryName") or ""))
        if not host:
            return SkipReason.MISSING_HOST
        decision = str(obj.get("ResolverDecision") or "")
        return Record(
            ts=ts,
            source_type="dns",
            host=host,
            client_ip=str(obj.get("SrcIP") or ""),
            client_port=_int_or_none(obj.get("SrcPort")),
            user=str(obj.get("Email") or ""),
            dns_qtype=str(obj.get("QueryTypeName") or obj.get("QueryType") or ""),
            action="blocked" if decision.startswith("blocked") else "allowed",
        )


class CloudflareGatewayHttpParser(LineParser):
    """Logpush dataset `gateway_http`: URL, HTTPHost, HTTPMethod, Action, Email, SourceIP."""

    name = "cloudflare_gateway_http"

    def parse(self, line: str) -> Record | SkipReason:
        read = _logpush(line)
        if isinstance(read, SkipReason):
            return read
        obj, ts = read
        host, port, path = split_url(str(obj.get("URL") or ""))
        if obj.get("HTTPHost"):
            host = clean_host(str(obj["HTTPHost"]))
        if not host:
            return SkipReason.MISSING_HOST
        return Record(
            ts=ts,
            source_type="proxy",
            host=host,
            port=port or _int_or_none(obj.get("DestinationPort")),
            client_ip=str(obj.get("SourceIP") or ""),
            client_port=_int_or_none(obj.get("SourcePort")),
            user=str(obj.get("Email") or ""),
            method=str(obj.get("HTTPMethod") or ""),
            path=path,
            status=_int_or_none(obj.get("HTTPStatusCode")) or None,
            action=_blocked(str(obj.get("Action") or "")),
            user_agent=str(obj.get("UserAgent") or ""),
        )


def _int_or_none(v: object) -> int | None:
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    s = str(v or "")
    return int(s) if s.isdigit() else None


# Cisco Umbrella DNS ---------------------------------------------------------------------
UMBRELLA_TS = re.compile(r'^"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}",')


class UmbrellaDnsParser(LineParser):
    """Umbrella DNS log CSV (S3 export): "Timestamp","Most Granular Identity","Identities",
    "Internal IP","External IP","Action","Query Type","Response Code","Domain","Categories",...
    """

    name = "umbrella_dns"
    source_type = "dns"
    header_prefixes = ('"Timestamp"',)

    def parse(self, line: str) -> Record | SkipReason:
        if line.startswith('"Timestamp"') or line.lower().startswith("timestamp,"):
            return SkipReason.DIRECTIVE  # the optional header row
        vals = next(csv.reader([line]))
        if len(vals) < 9:
            return SkipReason.FIELD_COUNT
        stamp = vals[0]
        try:
            d, _, t = stamp.partition(" ")
            ts = parse_ymd_hms(d, t)
        except (ValueError, KeyError):
            return SkipReason.BAD_TIMESTAMP
        host = clean_host(vals[8])
        if not host:
            return SkipReason.MISSING_HOST
        qtype = vals[6]
        if "(" in qtype:
            qtype = qtype.split("(", 1)[1].rstrip(")")
        return Record(
            ts=ts,
            source_type="dns",
            host=host,
            client_ip=vals[3],
            user=vals[1] if vals[10:11] == ["AD Users"] else "",
            dns_qtype=qtype,
            action="blocked" if vals[5].lower() == "blocked" else "allowed",
        )


# PAN-OS URL filtering ------------------------------------------------------------------
PANOS_RE = re.compile(
    r"(?:^|\s)\d+,\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2},[^,]*,(THREAT|TRAFFIC|SYSTEM"
    r"|CONFIG|HIPMATCH|GLOBALPROTECT|USERID|DECRYPTION|AUTHENTICATION),(\w+),"
)


class PanOsUrlParser(LineParser):
    """PAN-OS threat log, subtype `url` (URL filtering), as CSV over syslog: the 0-based column
    31 is URL/Filename, 6 the generated time, 7 the source address, 12 the source user, 30 the
    action, 33 the category, 46 the user agent, 63 the HTTP method (PAN-OS 9.1+)."""

    name = "panos_url"

    def parse(self, line: str) -> Record | SkipReason:
        m = PANOS_RE.search(line)
        if not m:
            return SkipReason.MALFORMED
        if m.group(1) != "THREAT" or m.group(2) != "url":
            return SkipReason.NOT_EVENT  # traffic, system ... logs carry no URL
        vals = next(csv.reader([line[m.start() :].lstrip()]))
        if len(vals) < 34:
            return SkipReason.FIELD_COUNT
        try:
            d, _, t = vals[6].partition(" ")
            ts = parse_ymd_hms(d.replace("/", "-"), t)
        except (ValueError, KeyError):
            return SkipReason.BAD_TIMESTAMP
        host, port, path = split_url(vals[31])
        if not host:
            return SkipReason.MISSING_HOST
        return Record(
            ts=ts,
            source_type="proxy",
            host=host,
            port=port or _int_or_none(vals[25]),
            client_ip=vals[7],
            client_port=_int_or_none(vals[24]),
            user=vals[12],
            method=vals[63].upper() if len(vals) > 63 else "",
            path=path,
            action=_blocked(vals[30]),
            user_agent=vals[46].strip('"') if len(vals) > 46 else "",
        )


# FortiGate ----------------------------------------------------------------------------------
KV_RE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)')


def kv_pairs(line: str) -> dict[str, str]:
    """FortiGate key=value pairs; quoted values may hold spaces."""
    out = {}
    for k, v in KV_RE.findall(line):
        if v.startswith('"') and v.endswith('"') and len(v) >= 2:
            v = v[1:-1]
        out[k] = v
    return out


class FortiGateParser(LineParser):
    """FortiGate/FortiOS logs (syslog or disk): type="utm" subtype="webfilter" and
    type="traffic" lines with `hostname`; other types have no destination host."""

    name = "fortigate"

    def parse(self, line: str) -> Record | SkipReason:
        kv = kv_pairs(line)
        if "logid" not in kv or "type" not in kv:
            return SkipReason.MALFORMED
        kind, sub = kv.get("type", ""), kv.get("subtype", "")
        if not (kind == "traffic" or (kind == "utm" and sub in ("webfilter", "app-ctrl"))):
            return SkipReason.NOT_EVENT
        try:
            if kv.get("eventtime", "").isdigit():
                ts = _epoch(int(kv["eventtime"]))
                if kv.get("tz"):
                    pass  # eventtime is already UTC epoch
            else:
                ts = parse_ymd_hms(kv["date"], kv["time"])
                tz = kv.get("tz", "")
                if re.fullmatch(r"[+-]\d{4}", tz):
                    sign = -1 if tz[0] == "-" else 1
                    ts -= sign * (int(tz[1:3]) * 3600 + int(tz[3:]) * 60)
        except (ValueError, KeyError):
            return SkipReason.BAD_TIMESTAMP
        host = clean_host(kv.get("hostname", ""))
        path = ""
        if kv.get("url"):
            h2, _, path = split_url(kv["url"]) if "://" in kv["url"] else ("", None, kv["url"])
            host = host or h2
        if not host:
            return SkipReason.MISSING_HOST
        try:
            up = to_int(kv.get("sentbyte", ""))
            down = to_int(kv.get("rcvdbyte", ""))
        except ValueError:
            return SkipReason.BAD_NUMBER
        return Record(
            ts=ts,
            source_type="proxy",
            host=host,
            port=_int_or_none(kv.get("dstport")),
            client_ip=kv.get("srcip", ""),
            client_port=_int_or_none(kv.get("srcport")),
            user=kv.get("user", "") or kv.get("unauthuser", ""),
            method=kv.get("httpmethod", "").upper(),
            path=path.split("?", 1)[0],
            bytes_up=up,
            bytes_down=down,
            action=_blocked(kv.get("action", "")),
            user_agent=kv.get("agent", ""),
        )


# Netskope --------------------------------------------------------------------------------
NETSKOPE_KEYS = ("x-cs-app", "x_cs_app", "x-c-browser", "x_c_browser", "x-category", "x_category")


def _nk(row: dict, *names: str) -> str:
    for n in names:
        for k in (n, n.replace("-", "_"), n.replace("(", "_").replace(")", "").replace("-", "_")):
            v = row.get(k)
            if v not in (None, "", "-"):
                return str(v)
    return ""


def netskope_record(row: dict) -> Record | SkipReason:
    """Record from Netskope web transaction fields (hyphen or underscore names)."""
    try:
        if _nk(row, "timestamp"):
            ts = _epoch(_nk(row, "timestamp"))
        else:
            ts = parse_ymd_hms(_nk(row, "date"), _nk(row, "time"))
    except (ValueError, KeyError):
        return SkipReason.BAD_TIMESTAMP
    host = clean_host(_nk(row, "cs-host", "cs-dns"))
    path = _nk(row, "cs-uri-path")
    if not host:
        uri = _nk(row, "cs-uri")
        host, _, path = split_url(uri) if uri else ("", None, "")
    if not host:
        return SkipReason.MISSING_HOST
    try:
        up, down = to_int(_nk(row, "cs-bytes")), to_int(_nk(row, "sc-bytes"))
        status = int(_nk(row, "sc-status")) if _nk(row, "sc-status").isdigit() else None
    except ValueError:
        return SkipReason.BAD_NUMBER
    method = _nk(row, "cs-method").upper()
    return Record(
        ts=ts,
        source_type="proxy",
        host=host,
        port=_int_or_none(_nk(row, "cs-uri-port")),
        client_ip=_nk(row, "c-ip"),
        user=_nk(row, "cs-username"),
        method=method,
        path="" if method == "CONNECT" else path.split("?", 1)[0],
        status=status,
        bytes_up=up,
        bytes_down=down,
        action=_blocked(_nk(row, "s-action", "x-action")),
        user_agent=_nk(row, "cs(User-Agent)", "cs-user-agent"),
        mime=_nk(row, "sc-content-type").split(";", 1)[0],
    )


class NetskopeParser(LineParser):
    """Netskope web transactions: CSV with a header row (W3C names such as cs-host, x-cs-app)
    or one JSON object per line; the CSV header may reappear (concatenated exports)."""

    name = "netskope"
    header_prefixes = ("date,", "#", '"date"')

    def __init__(self, *, options: dict | None = None) -> None:
        super().__init__(options=options)
        self.fields: list[str] = list(self.options.get("fields") or [])

    def parse(self, line: str) -> Record | SkipReason:
        if line.startswith("{"):
            obj = json_object(line)
            return obj if isinstance(obj, SkipReason) else netskope_record(obj)
        if line.startswith("#Fields:"):
            self.fields = line[len("#Fields:") :].split()
            return SkipReason.DIRECTIVE
        if line.startswith("#"):
            return SkipReason.DIRECTIVE
        vals = next(csv.reader([line]))
        if "cs-host" in vals or "cs_host" in vals or any(k in vals for k in NETSKOPE_KEYS):
            self.fields = vals
            return SkipReason.DIRECTIVE
        row = header_row(self.fields, vals)
        return row if isinstance(row, SkipReason) else netskope_record(row)


# Windows DNS Server --------------------------------------------------------------------
WINDNS_DEBUG_RE = re.compile(
    r"^(?P<date>\d{1,2}/\d{1,2}/\d{4}) (?P<time>\d{1,2}:\d{2}:\d{2})(?: (?P<ampm>[AP]M))? "
    r"\S+ PACKET\s+\S+ (?P<proto>UDP|TCP) (?P<dir>Rcv|Snd) (?P<ip>\S+)\s+(?P<xid>\S+)"
    r"\s+(?:(?P<resp>R)\s+)?(?P<op>[QNU?])\s+\[(?P<flags>[^\]]*)\]\s+(?P<qtype>\S+)\s+(?P<name>\S+)\s*$"
)
WINDNS_NAME_RE = re.compile(r"\((\d+)\)")
WINDNS_ANALYTIC_RE = re.compile(
    r"QUERY_RECEIVED: .*?Source=(?P<ip>[^;\s]+);.*?QNAME=(?P<name>[^;\s]+);"
    r"\s*QTYPE=(?P<qtype>\d+)"
)
WINDNS_TIME_RE = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)")
QTYPES = {"1": "A", "28": "AAAA", "5": "CNAME", "65": "HTTPS", "15": "MX", "16": "TXT", "33": "SRV"}


def wire_name(raw: str) -> str:
    """'(6)claude(2)ai(0)' (debug-log wire form) to 'claude.ai'."""
    return ".".join(p for p in WINDNS_NAME_RE.split(raw)[2::2] if p)


class WindowsDnsParser(LineParser):
    """Windows DNS Server debug log (dns.log: PACKET lines, `Rcv` + question = client query;
    dates as the server's locale writes them, taken as M/D/YYYY) and analytical-channel
    QUERY_RECEIVED events exported as text (event 256)."""

    name = "windows_dns"
    source_type = "dns"
    prefilter_safe = False  # debug-log names are in wire form: (6)claude(2)ai(0)
    header_prefixes = ("DNS Server log", "Log file wrap", "Message logging key", "\t")

    def parse(self, line: str) -> Record | SkipReason:
        if "QUERY_RECEIVED:" in line:
            return self._analytic(line)
        if " PACKET " not in line:
            if "EVENT" in line or line.startswith(
                ("DNS Server log", "Log file", "Message logging")
            ):
                return SkipReason.DIRECTIVE
            return SkipReason.DIRECTIVE if line[:1] in ("\t", " ") else SkipReason.MALFORMED
        m = WINDNS_DEBUG_RE.match(line)
        if not m:
            return SkipReason.MALFORMED
        if m.group("dir") != "Rcv" or m.group("resp") or m.group("op") != "Q":
            return SkipReason.NOT_EVENT  # responses and sent packets belong to a query
        try:
            mo, d, y = (int(x) for x in m.group("date").split("/"))
            h, mi, s = (int(x) for x in m.group("time").split(":"))
            ampm = m.group("ampm")
            if ampm:
                if not 1 <= h <= 12:
                    raise ValueError(h)
                h = h % 12 + (12 if ampm == "PM" else 0)
            ts = parse_ymd_hms(f"{y:04d}-{mo:02d}-{d:02d}", f"{h:02d}:{mi:02d}:{s:02d}")
        except (ValueError, KeyError):
            return SkipReason.BAD_TIMESTAMP
        host = clean_host(wire_name(m.group("name")))
        if not host:
            return SkipReason.MISSING_HOST
        return Record(
            ts=ts, source_type="dns", host=host, client_ip=m.group("ip"), dns_qtype=m.group("qtype")
        )

    def _analytic(self, line: str) -> Record | SkipReason:
        m = WINDNS_ANALYTIC_RE.search(line)
        if not m:
            return SkipReason.MALFORMED
        t = WINDNS_TIME_RE.search(line)
        if not t:
            return SkipReason.BAD_TIMESTAMP
        try:
            ts = parse_ymd_hms(t.group(1), t.group(2))
        except (ValueError, KeyError):
            return SkipReason.BAD_TIMESTAMP
        host = clean_host(m.group("name"))
        if not host:
            return SkipReason.MISSING_HOST
        q = m.group("qtype")
        return Record(
            ts=ts, source_type="dns", host=host, client_ip=m.group("ip"), dns_qtype=QTYPES.get(q, q)
        )


# Microsoft Entra ID sign-ins ------------------------------------------------------------
ENTRA_APP_HOSTS = {
    # appDisplayName as Entra writes it -> a catalogue host of that app
    "chatgpt": "chatgpt.com",
    "openai": "chatgpt.com",
    "chatgpt enterprise": "chatgpt.com",
    "claude": "claude.ai",
    "anthropic": "claude.ai",
    "microsoft 365 copilot": "copilot.cloud.microsoft",
    "microsoft copilot": "copilot.microsoft.com",
    "copilot": "copilot.microsoft.com",
    "github copilot": "api.githubcopilot.com",
    "perplexity": "perplexity.ai",
    "perplexity enterprise pro": "perplexity.ai",
    "cursor": "cursor.com",
    "notion": "www.notion.so",
    "grammarly": "grammarly.com",
    "otter.ai": "otter.ai",
    "fireflies.ai": "fireflies.ai",
    "gamma": "gamma.app",
    "jasper": "jasper.ai",
    "writer": "writer.com",
    "glean": "glean.com",
    "azure openai": "ai.azure.com",
    "azure ai foundry": "ai.azure.com",
}


def entra_rows(obj: object) -> list[dict]:
    """Sign-ins inside an Entra export: Graph `{"value":[...]}`, a portal JSON array, one
    object per line, or Azure Monitor diagnostics (`{"records":[{"properties":{...}}]}`)."""
    if isinstance(obj, list):
        out: list[dict] = []
        for o in obj:
            out.extend(entra_rows(o))
        return out
    if not isinstance(obj, dict):
        return []
    for key in ("value", "records"):
        if isinstance(obj.get(key), list):
            return entra_rows(obj[key])
    if isinstance(obj.get("properties"), dict) and "appDisplayName" in obj["properties"]:
        row = dict(obj["properties"])
        row.setdefault("createdDateTime", obj.get("time"))
        return [row]
    if "appDisplayName" in obj or "AppDisplayName" in obj:
        return [obj]
    return []


def entra_record(row: dict) -> Record | SkipReason:
    """A sign-in to an app becomes a record on that app's host (or an `entra-app:` name)."""
    g = row.get
    app = str(g("appDisplayName") or g("AppDisplayName") or "").strip()
    if not app:
        return SkipReason.MISSING_HOST
    try:
        ts = _epoch(g("createdDateTime") or g("CreatedDateTime") or g("TimeGenerated"))
    except (ValueError, OverflowError):
        return SkipReason.BAD_TIMESTAMP
    status = g("status") if isinstance(g("status"), dict) else {}
    code = status.get("errorCode", g("ResultType") or 0)
    host = ENTRA_APP_HOSTS.get(app.lower())
    if host is None:
        slug = re.sub(r"[^a-z0-9]+", "-", app.lower()).strip("-") or "unknown"
        host = f"{slug}.entra-app.invalid"
    return Record(
        ts=ts,
        source_type="signin",
        host=host,
        client_ip=str(g("ipAddress") or g("IPAddress") or ""),
        user=str(g("userPrincipalName") or g("UserPrincipalName") or ""),
        method="SIGNIN",
        status=0 if str(code) in ("0", "") else 1,
        action="allowed" if str(code) in ("0", "") else "blocked",
        user_agent=str(g("clientAppUsed") or ""),
    )


class EntraSignInParser(LineParser):
    """Entra ID sign-in logs as JSON lines (one sign-in per line); whole-document exports
    (a JSON array or Graph `value`) go through `parse_document`."""

    name = "entra_signin"
    source_type = "signin"
    prefilter_safe = False  # sign-ins name apps, not hosts: no catalogue token in the line

    def parse(self, line: str):  # -> Record | list[Record] | SkipReason
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            return SkipReason.BAD_JSON
        rows = entra_rows(obj)
        if not rows:
            return SkipReason.MALFORMED
        if len(rows) == 1:
            return entra_record(rows[0])
        return [entra_record(r) for r in rows]
