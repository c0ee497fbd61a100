"""Pure log parsers: format registry and auto-detection (reference section 2)."""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass

import orjson

from .base import LineParser
from .bedrock import BedrockInvocationParser
from .cloudtrail import CloudTrailLineParser
from .dns import Bind9Parser, DnsmasqParser, Route53Parser
from .entra_audit import EntraAuditParser
from .gws import GwsTokenParser
from .litellm import LiteLLMParser
from .otel import OtelGenAiParser
from .proxy import CombinedParser, SquidParser, W3CElffParser, ZscalerCsvParser, ZscalerJsonParser
from .records import CloudEvent, GrantEvent, ModelCall, Record, SkipCounter, SkipReason
from .squidfmt import LogformatError, SquidLogformatParser
from .vendors import (
    PANOS_RE,
    UMBRELLA_TS,
    CloudflareGatewayDnsParser,
    CloudflareGatewayHttpParser,
    EntraSignInParser,
    FortiGateParser,
    NetskopeParser,
    PanOsUrlParser,
    UmbrellaDnsParser,
    WindowsDnsParser,
)
from .zeek import ZeekParser, zeek_refusal

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
    "squid_logformat",
    "squid_referrer",
    "cloudflare_gateway_dns",
    "cloudflare_gateway_http",
    "umbrella_dns",
    "panos_url",
    "fortigate",
    "netskope",
    "windows_dns",
    "entra_signin",
    "gws_token",
    "entra_audit",
    "litellm",
    "bedrock_invocation",
    "otel_genai",
)

# Formats whose records are OAuth grants or model calls, not host requests.
GRANT_FORMATS = frozenset({"gws_token", "entra_audit"})
USAGE_FORMATS = frozenset({"litellm", "bedrock_invocation", "otel_genai"})

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
    "squid_logformat": "Squid (custom logformat)",
    "squid_referrer": "Squid referrer log",
    "cloudflare_gateway_dns": "Cloudflare Gateway DNS (Logpush)",
    "cloudflare_gateway_http": "Cloudflare Gateway HTTP (Logpush)",
    "umbrella_dns": "Cisco Umbrella DNS (CSV)",
    "panos_url": "Palo Alto PAN-OS URL filtering",
    "fortigate": "FortiGate web filter / traffic",
    "netskope": "Netskope web transactions",
    "windows_dns": "Windows DNS Server log",
    "entra_signin": "Microsoft Entra ID sign-ins",
    "gws_token": "Google Workspace OAuth token activity",
    "entra_audit": "Microsoft Entra ID audit log (app consents)",
    "litellm": "LiteLLM proxy spend logs",
    "bedrock_invocation": "Amazon Bedrock model-invocation log",
    "otel_genai": "OpenTelemetry GenAI spans (OTLP JSON)",
}


def format_choices() -> list[tuple[str, str]]:
    """(format, label) pairs in FORMATS order, for the upload and source forms."""
    return [(f, FORMAT_LABELS.get(f, f)) for f in FORMATS]


__all__ = [
    "FORMATS",
    "FORMAT_LABELS",
    "format_choices",
    "CloudEvent",
    "GrantEvent",
    "GRANT_FORMATS",
    "LineParser",
    "ModelCall",
    "USAGE_FORMATS",
    "Record",
    "SkipCounter",
    "SkipReason",
    "Detection",
    "detect",
    "detect_format",
    "get_parser",
]


def get_parser(fmt: str, *, options: dict | None = None) -> LineParser:
    """A fresh line parser for ``fmt`` (CloudTrail too: it handles one-event-per-line JSON)."""
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
        "squid_logformat": SquidLogformatParser,
        "squid_referrer": SquidLogformatParser,
        "cloudflare_gateway_dns": CloudflareGatewayDnsParser,
        "cloudflare_gateway_http": CloudflareGatewayHttpParser,
        "umbrella_dns": UmbrellaDnsParser,
        "panos_url": PanOsUrlParser,
        "fortigate": FortiGateParser,
        "netskope": NetskopeParser,
        "windows_dns": WindowsDnsParser,
        "entra_signin": EntraSignInParser,
        "gws_token": GwsTokenParser,
        "entra_audit": EntraAuditParser,
        "litellm": LiteLLMParser,
        "bedrock_invocation": BedrockInvocationParser,
        "otel_genai": OtelGenAiParser,
    }
    if fmt not in classes:
        raise ValueError(f"unknown log format {fmt!r}; known: {', '.join(FORMATS)}")
    if fmt == "squid_referrer":
        options = {**(options or {}), "logformat": "referrer"}
    parser = classes[fmt](options=options)
    parser.name = fmt
    return parser


SQUID_RE = re.compile(r"^\d{9,10}\.\d{3}\s+\d+\s+\S+\s+[A-Z_]+/\d{3}\s+\d+\s+\S+\s+\S+")
SQUID_REFERRER_RE = re.compile(r"^\d{9,10}\.\d{3} \S+ \S+ (?:[a-z]+://|\S+:\d+$)\S*$")
CLF_RE = re.compile(r'^\S+ \S+ \S+ \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "')
SQUID_USERAGENT_RE = re.compile(r'^\S+ \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "[^"]*"$')
BIND_RE = re.compile(
    r"queries: (info: )?client |client (@0x[0-9a-f]+ )?[\d.:a-fA-F]+#\d+.*: query: \S+ IN \S+ "
)
DNSMASQ_RE = re.compile(
    r"(dnsmasq|pihole-FTL)\[\d+\]: (\d+ \S+ )?(query|forwarded|reply|cached|config|gravity)"
)
ZSC_TSV_RE = re.compile(r"^\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \d{4}[\t,]")
FORTI_RE = re.compile(r"\blogid=\"?\d+\"? .*\btype=\"?\w+")
WINDNS_RE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2}(?: [AP]M)? \S+ PACKET ")
WINDNS_HEADER = ("DNS Server log file creation", "Log file wrap", "Message logging key")


@dataclass(frozen=True, slots=True)
class Detection:
    """What a file is: a format id, or a plain refusal naming what was recognised."""

    format: str | None
    message: str = ""


def _head_text(head: bytes) -> str:
    """Unpack a gzip head as far as it goes and decode leniently."""
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(wbits=47).decompress(head, 256 * 1024)
        except zlib.error:
            return ""
    return head.decode("utf-8", "replace")


def _json_kind(obj: object) -> str | None:
    """Format of one decoded JSON value; 'refuse:<message>' for a log we recognise but do not read."""
    if isinstance(obj, list):
        if obj and all(isinstance(c, dict) and len(c) == 1 for c in obj):
            merged: dict = {}
            for c in obj:
                merged.update(c)
            return _json_kind(merged)
        return _json_kind(obj[0]) if obj else None
    if not isinstance(obj, dict):
        return None
    kind = _usage_kind(obj)
    if kind:
        return kind
    if "Records" in obj or ("eventVersion" in obj and "eventSource" in obj):
        return "cloudtrail"
    if "detail-type" in obj or "CloudTrailEvent" in obj or "Events" in obj:
        return "cloudtrail"
    if "QueryResultRows" in obj or ("eventsource" in obj and "eventname" in obj):
        return "cloudtrail"
    if "eventSource" in obj and "eventName" in obj and "eventTime" in obj:
        return "cloudtrail"
    if "query_name" in obj and ("srcaddr" in obj or "vpc_id" in obj):
        return "route53"
    if "_path" in obj and ("uid" in obj or "ts" in obj):
        path = str(obj["_path"])
        if path in ("dns", "http", "ssl"):
            return f"zeek_{path}"
        return "refuse:" + zeek_refusal(path)
    if "uid" in obj and "id.orig_h" in obj:
        if "query" in obj:
            return "zeek_dns"
        if "server_name" in obj or "ssl_history" in obj or "cipher" in obj:
            return "zeek_ssl"
        if "method" in obj or "uri" in obj or "host" in obj:
            return "zeek_http"
        return None
    if "QueryName" in obj and ("ResolverDecision" in obj or "SrcIP" in obj):
        return "cloudflare_gateway_dns"
    if "HTTPHost" in obj or ("URL" in obj and "HTTPMethod" in obj):
        return "cloudflare_gateway_http"
    if isinstance(obj.get("value"), list) or isinstance(obj.get("records"), list):
        inner = obj.get("value") if isinstance(obj.get("value"), list) else obj.get("records")
        return _json_kind(inner[0]) if inner else None
    props = obj.get("properties")
    if isinstance(props, dict) and "appDisplayName" in props:
        return "entra_signin"
    if ("appDisplayName" in obj or "AppDisplayName" in obj) and (
        "createdDateTime" in obj or "userPrincipalName" in obj or "UserPrincipalName" in obj
    ):
        return "entra_signin"
    if any(k in obj for k in ("cs_host", "cs-host", "x_cs_app", "x-cs-app")):
        return "netskope"
    ev = obj.get("event") if isinstance(obj.get("event"), dict) else obj
    if str(obj.get("sourcetype", "")).startswith("zscalernss") or (
        "cip" in ev and "reqmethod" in ev
    ):
        return "zscaler_json"
    return None


def _usage_kind(obj: dict) -> str | None:
    """OAuth-grant and model-usage exports (Workspace token, Entra audit, LiteLLM, Bedrock, OTLP)."""
    if isinstance(obj.get("items"), list) and str(obj.get("kind", "")).startswith("admin#reports"):
        return _json_kind(obj["items"][0]) if obj["items"] else "gws_token"
    ident = obj.get("id")
    if isinstance(ident, dict) and "applicationName" in ident and "events" in obj:
        app = str(ident.get("applicationName") or "")
        if app == "token":
            return "gws_token"
        return (
            f"refuse:Google Workspace {app} activity: not OAuth token activity "
            "(export the token application: applicationName=token)."
        )
    row = obj.get("properties") if isinstance(obj.get("properties"), dict) else obj
    if "activityDisplayName" in row and ("targetResources" in row or "initiatedBy" in row):
        return "entra_audit"
    if "request_id" in obj and "spend" in obj and ("call_type" in obj or "startTime" in obj):
        return "litellm"
    if obj.get("schemaType") == "ModelInvocationLog" or (
        "modelId" in obj and "operation" in obj and isinstance(obj.get("identity"), dict)
    ):
        return "bedrock_invocation"
    msg = obj.get("message")
    if isinstance(msg, str) and '"ModelInvocationLog"' in msg:
        return "bedrock_invocation"
    events = obj.get("events")
    if (
        isinstance(events, list)
        and events
        and isinstance(events[0], dict)
        and "message" in events[0]
    ):
        return _json_kind(events[0])  # CloudWatch Logs filter-log-events output
    if isinstance(obj.get("resourceSpans"), list) or ("scopeSpans" in obj and "resource" in obj):
        return "otel_genai"
    return None


def _first_json_value(text: str) -> object:
    """The first complete JSON value of a (possibly cut) document head, element-wise for arrays."""
    dec = json.JSONDecoder()
    s = text.lstrip()
    try:
        return dec.raw_decode(s)[0]
    except ValueError:
        pass
    if s.startswith("["):
        try:
            return [dec.raw_decode(s[1:].lstrip())[0]]
        except ValueError:
            return None
    # a pretty-printed wrapper cut by the head limit: decode the first inner event
    for key in (
        '"Records"', '"value"', '"records"', '"Events"', '"QueryResultRows"', '"items"',
        '"resourceSpans"', '"events"',
    ):  # fmt: skip
        i = s.find(key)
        if i != -1 and i < (1000 if key in ('"items"', '"resourceSpans"') else 200):
            j = s.find("[", i)
            try:
                inner = dec.raw_decode(s[j + 1 :].lstrip())[0]
            except ValueError:
                return {key.strip('"'): []}
            return {key.strip('"'): [inner]}
    return None


def detect_format(head: bytes, *, logformat: str = "") -> str | None:
    """Guess the format from the first bytes of a file (gzip unpacked); None when unsure."""
    return detect(head, logformat=logformat).format


def detect(head: bytes, *, logformat: str = "") -> Detection:
    """Format of a file head, or a refusal that names the log (Zeek conn.log, Squid useragent)."""
    text = _head_text(head)
    if not text.strip():
        return Detection(None, "The file is empty.")
    stripped = text.lstrip()
    if stripped.startswith('{"Records"') or stripped.startswith('{ "Records"'):
        return Detection("cloudtrail")
    lines = [ln for ln in text.splitlines() if ln.strip()][:40]
    if len(text) >= len(head) and head and not head.endswith(b"\n") and len(lines) > 1:
        lines = lines[:-1]  # last line may be cut by the head limit
    if stripped[:1] == "[" or (stripped[:1] == "{" and not lines[0].rstrip().endswith("}")):
        kind = _json_kind(_first_json_value(text))
        if kind:
            return _as_detection(kind)
    for ln in lines[:10]:
        if ln.startswith("#separator") or ln.startswith("#fields\t") or ln.startswith("#path\t"):
            path = next((x.split("\t", 1)[1] for x in lines if x.startswith("#path\t")), "")
            if zeek_refusal(path):
                return Detection(None, zeek_refusal(path))
            fields = next((x for x in lines if x.startswith("#fields")), "")
            return Detection(_zeek_kind(path, fields))
        if ln.startswith("#Software: SGOS") or (
            ln.startswith("#Fields:") and ("c-ip" in ln or "cs-host" in ln)
        ):
            if "x-cs-app" in ln or "x-category" in ln:
                return Detection("netskope")
            return Detection("w3c_elff")
        if ln.startswith("ts\tuid\tid.orig_h"):
            return Detection(_zeek_kind("", ln))
        if ln.startswith(WINDNS_HEADER):
            return Detection("windows_dns")
    data = [ln for ln in lines if not ln.startswith("#")][:20]
    if not data:
        return Detection(None, "Only header lines: no log records in the first lines.")
    first = data[0].lstrip()
    if first.startswith("{"):
        kinds: dict[str, int] = {}
        decoded = 0
        for ln in data:
            try:
                obj = orjson.loads(ln)
            except orjson.JSONDecodeError:
                continue
            decoded += 1
            k = _json_kind(obj)
            if k:
                kinds[k] = kinds.get(k, 0) + 1
        if kinds:
            best, n = max(kinds.items(), key=lambda kv: kv[1])
            # broken JSON lines become counted skips; score over the lines that decode
            if n >= 0.8 * decoded and decoded >= 0.5 * len(data):
                return _as_detection(best)
        if not decoded:
            return Detection(None, "The lines start like JSON but none of them decodes.")
        return Detection(None, "JSON lines, but not a log shape Sightline knows.")
    head_row = first.lower()
    if "request_id" in head_row and "spend" in head_row and "," in head_row:
        return Detection("litellm")
    if ("cs-host" in head_row or "cs_host" in head_row) and "," in head_row:
        return Detection("netskope")
    if head_row.startswith('"timestamp","most granular identity"'):
        return Detection("umbrella_dns")
    if logformat:
        try:
            parser = SquidLogformatParser(options={"logformat": logformat})
        except LogformatError as exc:
            return Detection(None, f"Squid logformat: {exc}")
        hits = sum(1 for ln in data if parser.regex.match(ln))
        if hits >= 0.5 * len(data):
            return Detection("squid_logformat")
    panos = [PANOS_RE.search(ln) for ln in data]
    if sum(1 for m in panos if m) >= 0.5 * len(data):
        if any(m and m.group(1) == "THREAT" and m.group(2) == "url" for m in panos):
            return Detection("panos_url")
        kinds_seen = sorted({m.group(1) for m in panos if m})
        return Detection(
            None,
            f"PAN-OS {'/'.join(kinds_seen).lower()} log: no URLs in it "
            "(forward the URL filtering log: THREAT, subtype url).",
        )
    scores = {
        "squid": sum(1 for ln in data if SQUID_RE.match(ln)),
        "combined": sum(1 for ln in data if CLF_RE.match(ln)),
        "bind9": sum(1 for ln in data if BIND_RE.search(ln)),
        "dnsmasq": sum(1 for ln in data if DNSMASQ_RE.search(ln)),
        "zscaler_csv": sum(1 for ln in data if ZSC_TSV_RE.match(ln)),
        "umbrella_dns": sum(1 for ln in data if UMBRELLA_TS.match(ln)),
        "fortigate": sum(1 for ln in data if FORTI_RE.search(ln)),
        "windows_dns": sum(1 for ln in data if WINDNS_RE.match(ln) or "QUERY_RECEIVED:" in ln),
        "squid_referrer": sum(1 for ln in data if SQUID_REFERRER_RE.match(ln)),
        "squid_useragent": sum(1 for ln in data if SQUID_USERAGENT_RE.match(ln)),
    }
    best, n = max(scores.items(), key=lambda kv: kv[1])
    runner_up = sorted(scores.values())[-2]
    # reference rule: accept at >= 0.8; a clear sole winner on >= half the lines also counts
    if n and (n >= 0.8 * len(data) or (n >= 0.5 * len(data) and runner_up == 0)):
        if best == "squid_useragent":
            return Detection(
                None, "Squid useragent log: no destination host in it (use access.log)."
            )
        return Detection(best)
    if "\x00" in text[:4096]:
        return Detection(None, "This is a binary file, not a text log.")
    return Detection(None, "Could not recognise the log format from the first lines.")


def _as_detection(kind: str) -> Detection:
    if kind.startswith("refuse:"):
        return Detection(None, kind[len("refuse:") :])
    return Detection(kind)


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
