"""OpenTelemetry GenAI spans in OTLP JSON (the collector's file exporter writes one
`{"resourceSpans": [...]}` request per line; whole-document exports are split into one
single-span resourceSpan per line beforehand, so each span is counted once).

Per span: gen_ai.request.model (else gen_ai.response.model), gen_ai.provider.name (else the
older gen_ai.system), gen_ai.usage.input_tokens / output_tokens (else the older
prompt_tokens / completion_tokens), startTimeUnixNano; service.name from the resource. A span
without a gen_ai model attribute is not a model call (`not_event`). Semantic conventions:
opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/.
"""

from __future__ import annotations

from .base import LineParser
from .records import ModelCall, SkipReason, json_object

MODEL_KEYS = ("gen_ai.request.model", "gen_ai.response.model")
PROVIDER_KEYS = ("gen_ai.provider.name", "gen_ai.system")
INPUT_KEYS = ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")
OUTPUT_KEYS = ("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")
USER_KEYS = ("enduser.id", "user.id", "user.email")
REGION_KEYS = ("cloud.region", "aws.region")


def attr_value(value: object) -> object:
    """An OTLP AnyValue ({"stringValue": …}, {"intValue": "12"} …) as a plain value."""
    if not isinstance(value, dict):
        return value
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in value:
            return value[key]
    if "intValue" in value:
        return int(value["intValue"])
    return None


def attributes(items: object) -> dict[str, object]:
    """OTLP key/value attribute list (or a plain mapping, as some exporters write) as a dict."""
    if isinstance(items, dict):
        return items
    out: dict[str, object] = {}
    for kv in items or ():
        if isinstance(kv, dict) and "key" in kv:
            out[str(kv["key"])] = attr_value(kv.get("value"))
    return out


def _first(attrs: dict, keys: tuple[str, ...]) -> object:
    for k in keys:
        v = attrs.get(k)
        if v not in (None, ""):
            return v
    return None


def _count(value: object) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool):
        raise ValueError("boolean")
    n = int(float(value))
    if n < 0:
        raise ValueError(value)
    return n


def span_call(span: dict, resource: dict, *, ref: str = "") -> ModelCall | SkipReason:
    """One span as a model call; NOT_EVENT when it has no gen_ai model attribute."""
    attrs = attributes(span.get("attributes"))
    model = _first(attrs, MODEL_KEYS)
    if not model:
        return SkipReason.NOT_EVENT
    try:
        ts = int(span.get("startTimeUnixNano") or span.get("endTimeUnixNano")) / 1e9
        if not 0 < ts < 4e10:
            raise ValueError(ts)
    except (ValueError, TypeError, OverflowError):
        return SkipReason.BAD_TIMESTAMP
    try:
        tin = _count(_first(attrs, INPUT_KEYS))
        tout = _count(_first(attrs, OUTPUT_KEYS))
    except (ValueError, TypeError, OverflowError):
        return SkipReason.BAD_NUMBER
    return ModelCall(
        ts=ts,
        source="otel_genai",
        principal=str(_first(attrs, USER_KEYS) or _first(resource, USER_KEYS) or ""),
        model=str(model),
        provider=str(_first(attrs, PROVIDER_KEYS) or "").lower(),
        provider_host=str(attrs.get("server.address") or "").lower(),
        region=str(_first(attrs, REGION_KEYS) or _first(resource, REGION_KEYS) or "")[:40],
        service=str(resource.get("service.name") or ""),
        input_tokens=tin,
        output_tokens=tout,
        request_id=":".join(str(span.get(k) or "") for k in ("traceId", "spanId")).strip(":"),
        raw_ref=ref,
    )


def otlp_calls(obj: dict) -> list[ModelCall | SkipReason] | SkipReason:
    """Every span of an OTLP request (`resourceSpans`) or of one resourceSpan."""
    if isinstance(obj.get("resourceSpans"), list):
        groups = obj["resourceSpans"]
    elif "scopeSpans" in obj or "instrumentationLibrarySpans" in obj:
        groups = [obj]
    else:
        return SkipReason.MALFORMED
    out: list[ModelCall | SkipReason] = []
    for group in groups:
        if not isinstance(group, dict):
            continue
        res = group.get("resource") if isinstance(group.get("resource"), dict) else {}
        resource = attributes(res.get("attributes"))
        scopes = group.get("scopeSpans") or group.get("instrumentationLibrarySpans") or ()
        for scope in scopes:
            for span in (scope or {}).get("spans") or ():
                if isinstance(span, dict):
                    out.append(span_call(span, resource))
    return out or SkipReason.NOT_EVENT


def split_resource_spans(doc: dict) -> list[dict] | None:
    """A whole OTLP document as single-span resourceSpans (one per output line)."""
    groups = doc.get("resourceSpans")
    if not isinstance(groups, list):
        return None
    out = []
    for group in groups:
        if not isinstance(group, dict):
            out.append(group)
            continue
        scopes = group.get("scopeSpans") or group.get("instrumentationLibrarySpans") or []
        spans = [
            (scope, span)
            for scope in scopes
            if isinstance(scope, dict)
            for span in scope.get("spans") or ()
        ]
        if not spans:
            out.append(group)
        for scope, span in spans:
            out.append(
                {
                    "resource": group.get("resource") or {},
                    "scopeSpans": [{"scope": scope.get("scope") or {}, "spans": [span]}],
                }
            )
    return out


class OtelGenAiParser(LineParser):
    """One OTLP request or single-span resourceSpan per line."""

    name = "otel_genai"
    source_type = "trace"
    prefilter_safe = False

    def parse(self, line: str):  # -> ModelCall | list | SkipReason
        obj = json_object(line)
        if isinstance(obj, SkipReason):
            return obj
        got = otlp_calls(obj)
        if isinstance(got, SkipReason):
            return got
        calls = [c for c in got if isinstance(c, ModelCall)]
        if len(got) == 1:
            return got[0]
        return calls or next((c for c in got if isinstance(c, SkipReason)), SkipReason.NOT_EVENT)
