"""AWS CloudTrail: `{"Records": [...]}` files and one-event-per-line JSON, reduced to CloudEvents.

Only events the LLMjacking rules and Bedrock rollups need are decoded fully; in S3 delivery
files the other events are only counted (a candidate event is cut out by its boundaries).
"""

from __future__ import annotations

import orjson

from .base import LineParser
from .prefilter import literal_ends
from .records import CloudEvent, SkipCounter, SkipReason
from .timeparse import parse_iso

IAM_EVENTS = frozenset(
    {
        "CreateServiceSpecificCredential",
        "CreateUser",
        "CreateAccessKey",
        "ListAttachedUserPolicies",
        "GetPolicy",
        "GetPolicyVersion",
        "AttachUserPolicy",
        "PutUserPolicy",
    }
)
STS_EVENTS = frozenset({"GetCallerIdentity"})
# Byte tokens that must occur inside any relevant event in compact CloudTrail JSON.
CANDIDATE_TOKENS = (
    b'"eventSource":"bedrock',
    b'"eventName":"GetCallerIdentity"',
    b'"eventSource":"iam.amazonaws.com"',
)
EVENT_START = b'{"eventVersion":'
PARAM_KEYS = ("modelId", "serviceName", "userName", "policyArn", "modelIdentifier")


def is_relevant(source: str, name: str) -> bool:
    """Bedrock (any API), sts:GetCallerIdentity and the IAM calls of L11/L13."""
    if source.startswith("bedrock"):
        return True
    if source == "sts.amazonaws.com":
        return name in STS_EVENTS
    return source == "iam.amazonaws.com" and name in IAM_EVENTS


def compact_event(obj: dict, raw_ref: str = "") -> CloudEvent | SkipReason | None:
    """CloudEvent for a relevant event, None for an irrelevant one, a SkipReason if broken."""
    source = obj.get("eventSource")
    name = obj.get("eventName")
    if not isinstance(source, str) or not isinstance(name, str):
        return SkipReason.MALFORMED
    if not is_relevant(source, name):
        return None
    try:
        ts = parse_iso(str(obj.get("eventTime", "")))
    except ValueError:
        return SkipReason.BAD_TIMESTAMP
    ui = obj.get("userIdentity") if isinstance(obj.get("userIdentity"), dict) else {}
    arn = str(ui.get("arn") or "")
    akid = str(ui.get("accessKeyId") or "")
    rp = obj.get("requestParameters") if isinstance(obj.get("requestParameters"), dict) else {}
    params = {k: rp[k] for k in PARAM_KEYS if k in rp and isinstance(rp[k], str)}
    extra = obj.get("additionalEventData")
    extra = extra if isinstance(extra, dict) else {}
    if "inferenceRegion" in extra:
        params["inferenceRegion"] = str(extra["inferenceRegion"])
    return CloudEvent(
        event_id=str(obj.get("eventID") or ""),
        ts=ts,
        event_source=source,
        event_name=name,
        region=str(obj.get("awsRegion") or ""),
        principal=arn or akid or str(ui.get("principalId") or ui.get("invokedBy") or ""),
        arn=arn,
        access_key_id=akid,
        identity_type=str(ui.get("type") or ""),
        account_id=str(ui.get("accountId") or obj.get("recipientAccountId") or ""),
        source_ip=str(obj.get("sourceIPAddress") or ""),
        user_agent=str(obj.get("userAgent") or "")[:300],
        error_code=str(obj.get("errorCode") or ""),
        model_id=str(rp.get("modelId") or rp.get("modelIdentifier") or ""),
        bearer_token=bool(extra.get("callWithBearerToken")),
        params=params,
        raw_ref=raw_ref,
    )


ATHENA_KEYS = {
    k.lower(): k
    for k in (
        "eventVersion",
        "userIdentity",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "errorCode",
        "errorMessage",
        "requestParameters",
        "responseElements",
        "additionalEventData",
        "requestID",
        "eventID",
        "readOnly",
        "eventType",
        "managementEvent",
        "recipientAccountId",
        "eventCategory",
        "tlsDetails",
    )
}
ATHENA_IDENTITY = {
    k.lower(): k
    for k in ("type", "principalId", "arn", "accountId", "accessKeyId", "userName", "invokedBy")
}


def _json_field(value: object) -> object:
    """Athena and Lake results carry nested objects as JSON text."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def from_query_row(obj: dict) -> dict:
    """An Athena/Lake result row (lower-case column names, nested objects as JSON text) in the
    CloudTrail event shape."""
    out: dict = {}
    for key, value in obj.items():
        name = ATHENA_KEYS.get(key.lower().replace("_", ""), key)
        out[name] = _json_field(value)
    ui = out.get("userIdentity")
    if isinstance(ui, dict):
        out["userIdentity"] = {
            ATHENA_IDENTITY.get(k.lower().replace("_", ""), k): v for k, v in ui.items()
        }
    return out


def unwrap(obj: object) -> list[dict]:
    """Events inside any CloudTrail shape: Records file, a JSON array of events, EventBridge,
    lookup-events, CloudTrail Lake `QueryResultRows`, Athena rows, or one event."""
    if isinstance(obj, list):
        if obj and all(isinstance(c, dict) and len(c) == 1 for c in obj):
            row: dict = {}
            for cell in obj:  # a Lake result row: [{"eventID": ...}, {"eventTime": ...}]
                row.update(cell)
            return unwrap(row)
        out: list[dict] = []
        for item in obj:
            out.extend(unwrap(item))
        return out
    if not isinstance(obj, dict):
        return []
    if isinstance(obj.get("QueryResultRows"), list):
        return unwrap(obj["QueryResultRows"])
    if isinstance(obj.get("Records"), list):
        return [r for r in obj["Records"] if isinstance(r, dict)]
    if isinstance(obj.get("detail"), dict):
        return [obj["detail"]]
    if isinstance(obj.get("Events"), list):
        out = []
        for e in obj["Events"]:
            raw = e.get("CloudTrailEvent") if isinstance(e, dict) else None
            if isinstance(raw, str):
                try:
                    inner = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(inner, dict):
                    out.append(inner)
        return out
    if isinstance(obj.get("CloudTrailEvent"), str):
        try:
            inner = orjson.loads(obj["CloudTrailEvent"])
        except orjson.JSONDecodeError:
            return []
        return [inner] if isinstance(inner, dict) else []
    if "eventSource" in obj:
        return [obj]
    if "eventsource" in obj or "event_source" in obj:
        return [from_query_row(obj)]
    return []


def _full_parse(
    buf: bytes, ref: str, skips: SkipCounter, stats: dict | None = None
) -> tuple[int, list[CloudEvent]]:
    try:
        obj = orjson.loads(buf)
    except orjson.JSONDecodeError:
        skips.add(SkipReason.BAD_JSON, buf[:200])
        return 0, []
    records = unwrap(obj)
    if not records:
        empty = (isinstance(obj, dict) and isinstance(obj.get("Records"), list)) or obj == []
        if not empty:
            skips.add(SkipReason.MALFORMED, buf[:200])  # an empty Records list is just empty
        return 0, []
    out: list[CloudEvent] = []
    for i, rec in enumerate(records):
        ev = compact_event(rec, f"{ref}#{i}")
        if isinstance(ev, CloudEvent):
            out.append(ev)
        elif ev is not None:
            skips.add(ev, orjson.dumps(rec)[:300])
    if stats is not None:
        stats["inspected"] = len(records)
    return len(records), out


def token_hits(buf: bytes) -> list[int]:
    """Offsets of CANDIDATE_TOKENS in one pass (Hyperscan), or with bytes.find as fallback."""
    ends = literal_ends(buf, CANDIDATE_TOKENS)
    if ends is not None:
        return ends
    out = []
    for tok in CANDIDATE_TOKENS:
        pos = buf.find(tok)
        while pos != -1:
            out.append(pos)
            pos = buf.find(tok, pos + 1)
    return out


def parse_records_blob(
    buf: bytes, *, ref: str, skips: SkipCounter, fast: bool = True, stats: dict | None = None
) -> tuple[int, list[CloudEvent]]:
    """(event count, relevant CloudEvents) of one CloudTrail document; ``stats['inspected']``
    tells how many events were decoded (the fast path cuts out only candidate events)."""
    stats = {} if stats is None else stats
    head = buf[:64].lstrip()
    if not fast or not head.startswith(b'{"Records":[') or b'": "' in buf[:4096]:
        return _full_parse(buf, ref, skips, stats)
    # AWS writes eventVersion first in every record; if this file does not, parse it fully.
    first = buf.find(b"[")
    if not buf[first + 1 : first + 64].lstrip().startswith(EVENT_START):
        return _full_parse(buf, ref, skips, stats)
    n = buf.count(EVENT_START)
    if n == 0:
        return _full_parse(buf, ref, skips, stats)
    starts: set[int] = set()
    find, rfind = buf.find, buf.rfind
    for pos in token_hits(buf):
        s = rfind(EVENT_START, 0, pos)
        if s == -1:
            return _full_parse(buf, ref, skips, stats)
        starts.add(s)
    out: list[CloudEvent] = []
    for s in sorted(starts):
        e = find(EVENT_START, s + 1)
        chunk = buf[s:e] if e != -1 else buf[s:]
        chunk = chunk.rstrip().rstrip(b"}").rstrip().rstrip(b"]") if e == -1 else chunk
        chunk = chunk.rstrip().rstrip(b",")
        try:
            rec = orjson.loads(chunk)
        except orjson.JSONDecodeError:
            return _full_parse(buf, ref, skips, stats)
        ev = compact_event(rec, f"{ref}@{s}")
        if isinstance(ev, CloudEvent):
            out.append(ev)
        elif ev is not None:
            skips.add(ev, chunk[:300])
    stats["inspected"] = len(starts)
    return n, out


class CloudTrailLineParser(LineParser):
    """One CloudTrail event per line (Lake/CloudWatch/SIEM exports, EventBridge, lookup-events)."""

    name = "cloudtrail"
    source_type = "cloudtrail"

    def parse(self, line: str):  # -> list[CloudEvent] | SkipReason
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            return SkipReason.BAD_JSON
        events = unwrap(obj)
        if not events:
            return SkipReason.MALFORMED
        out: list = []
        for rec in events:
            ev = compact_event(rec)
            if isinstance(ev, SkipReason):
                if len(events) == 1:
                    return ev
                continue
            out.append(ev)  # None marks an irrelevant but valid event
        return out
