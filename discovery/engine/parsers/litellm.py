"""LiteLLM proxy spend logs: rows of the `LiteLLM_SpendLogs` table (Prisma schema in
BerriAI/litellm, litellm/proxy/schema.prisma) as JSON lines, a JSON array (`/spend/logs`), or a
CSV export of the table with its header row.

Used: request_id, startTime, model (or model_group), api_base (provider host),
custom_llm_provider, prompt_tokens, completion_tokens, spend, user, end_user, team_id, and from
`metadata` (a JSON object, or JSON text in CSV) user_api_key_alias, user_api_key_team_alias,
user_api_key_user_id. `api_key` is the hashed key: kept only when no alias exists.
"""

from __future__ import annotations

import csv

import orjson

from .base import LineParser, header_row
from .records import ModelCall, SkipReason, clean_host, json_object
from .vendors import _epoch

REQUIRED = ("request_id", "spend")


def _meta(row: dict) -> dict:
    meta = row.get("metadata")
    if isinstance(meta, str) and meta.strip().startswith("{"):
        try:
            meta = orjson.loads(meta)
        except orjson.JSONDecodeError:
            meta = {}
    return meta if isinstance(meta, dict) else {}


def _num(value: object, kind: type) -> int | float:
    if value in (None, "", "null"):
        return kind(0)
    if isinstance(value, bool):
        raise ValueError("boolean")
    n = kind(float(value)) if kind is int else float(value)
    if n < 0 or n != n:  # negative or NaN
        raise ValueError(value)
    return n


def litellm_call(row: dict, *, ref: str = "") -> ModelCall | SkipReason:
    """A spend-log row as a model call; a row without request_id and spend is not one."""
    if not all(k in row for k in REQUIRED):
        return SkipReason.MALFORMED
    try:
        ts = _epoch(row.get("startTime") or row.get("start_time") or row.get("endTime"))
    except (ValueError, OverflowError, TypeError):
        return SkipReason.BAD_TIMESTAMP
    try:
        prompt = int(_num(row.get("prompt_tokens"), int))
        completion = int(_num(row.get("completion_tokens"), int))
        spend = float(_num(row.get("spend"), float))
    except (ValueError, TypeError, OverflowError):
        return SkipReason.BAD_NUMBER
    meta = _meta(row)
    user = str(
        row.get("user") or meta.get("user_api_key_user_id") or row.get("end_user") or ""
    ).strip()
    team = str(
        meta.get("user_api_key_team_alias")
        or row.get("team_id")
        or meta.get("user_api_key_team_id")
        or ""
    ).strip()
    key_alias = str(meta.get("user_api_key_alias") or "").strip()
    if not key_alias and row.get("api_key"):
        key_alias = "key:" + str(row["api_key"])[:12]
    status = str(row.get("status") or "success").lower()
    if status not in ("success", ""):
        return SkipReason.NOT_EVENT  # failed calls are logged with zero spend
    model = str(row.get("model") or row.get("model_group") or "").strip()
    provider = str(row.get("custom_llm_provider") or "").strip().lower()
    prefix, sep, rest = model.partition("/")
    if sep and rest and (prefix.lower() == provider or not provider):
        provider, model = provider or prefix.lower(), rest  # "azure/gpt-4o" → azure, gpt-4o
    return ModelCall(
        ts=ts,
        source="litellm",
        principal=user,
        team=team,
        key_alias=key_alias,
        model=model,
        provider_host=clean_host(str(row.get("api_base") or "")),
        provider=provider,
        input_tokens=prompt,
        output_tokens=completion,
        cost=spend,
        request_id=str(row.get("request_id") or ""),
        raw_ref=ref,
    )


class LiteLLMParser(LineParser):
    """JSON lines (arrays are split beforehand) or CSV with the table's header row."""

    name = "litellm"
    source_type = "gateway"
    prefilter_safe = False
    header_prefixes = ("request_id,", '"request_id"')

    def __init__(self, *, options: dict | None = None) -> None:
        super().__init__(options=options)
        self.fields: list[str] = []

    def parse(self, line: str):  # -> ModelCall | SkipReason
        if line.lstrip().startswith("{"):
            obj = json_object(line)
            return obj if isinstance(obj, SkipReason) else litellm_call(obj)
        vals = next(csv.reader([line]))
        if "request_id" in vals and "spend" in vals:
            self.fields = vals
            return SkipReason.DIRECTIVE
        row = header_row(self.fields, vals)
        return row if isinstance(row, SkipReason) else litellm_call(row)
