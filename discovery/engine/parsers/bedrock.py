"""Amazon Bedrock model-invocation logs (docs.aws.amazon.com/bedrock/latest/userguide/
model-invocation-logging.html): one JSON object per invocation, as delivered to S3 (.json.gz,
one object per line) or CloudWatch Logs (the object is an event's `message`).

Used: schemaType "ModelInvocationLog", timestamp, accountId, identity.arn, region, requestId,
operation, modelId, input.inputTokenCount, output.outputTokenCount, and inferenceRegion (a
cross-region inference profile ran the call there). Prompt and response bodies are never kept.
"""

from __future__ import annotations

import orjson

from .base import LineParser
from .records import ModelCall, SkipReason, json_object
from .vendors import _epoch


def _tokens(part: object, key: str) -> int:
    if not isinstance(part, dict):
        return 0
    value = part.get(key)
    if value in (None, ""):
        return 0
    n = int(value)
    if n < 0:
        raise ValueError(value)
    return n


def model_id_short(model_id: str) -> str:
    """`arn:aws:bedrock:…:foundation-model/anthropic.claude…` → `anthropic.claude…`."""
    if model_id.startswith("arn:") and "/" in model_id:
        return model_id.rsplit("/", 1)[1]
    return model_id


def bedrock_call(obj: dict, *, ref: str = "") -> ModelCall | SkipReason:
    """An invocation log record as a model call."""
    msg = obj.get("message")
    if isinstance(msg, str) and msg.lstrip().startswith("{"):  # CloudWatch event wrapper
        try:
            inner = orjson.loads(msg)
        except orjson.JSONDecodeError:
            return SkipReason.BAD_JSON
        if isinstance(inner, dict):
            obj = inner
    if obj.get("schemaType", "ModelInvocationLog") != "ModelInvocationLog" or "modelId" not in obj:
        return SkipReason.NOT_EVENT
    try:
        ts = _epoch(obj.get("timestamp"))
    except (ValueError, OverflowError, TypeError):
        return SkipReason.BAD_TIMESTAMP
    try:
        tin = _tokens(obj.get("input"), "inputTokenCount")
        tout = _tokens(obj.get("output"), "outputTokenCount")
    except (ValueError, TypeError, OverflowError):
        return SkipReason.BAD_NUMBER
    identity = obj.get("identity") if isinstance(obj.get("identity"), dict) else {}
    region = str(obj.get("inferenceRegion") or obj.get("region") or "")
    return ModelCall(
        ts=ts,
        source="bedrock_invocation",
        principal=str(identity.get("arn") or obj.get("accountId") or ""),
        model=model_id_short(str(obj.get("modelId") or "")),
        region=region[:40],
        provider="aws.bedrock",
        input_tokens=tin,
        output_tokens=tout,
        request_id=str(obj.get("requestId") or ""),
        raw_ref=ref,
    )


class BedrockInvocationParser(LineParser):
    """One invocation record per line (a JSON array is split beforehand)."""

    name = "bedrock_invocation"
    source_type = "gateway"
    prefilter_safe = False

    def parse(self, line: str):  # -> ModelCall | SkipReason
        obj = json_object(line)
        return obj if isinstance(obj, SkipReason) else bedrock_call(obj)
