"""Property tests for the OAuth-grant and model-usage parsers: arbitrary bytes never crash them
and every line is counted; near-valid records (fields dropped, wrong types) are records or
counted skips; and the order of lines and files never changes the grants or usage a batch gives."""

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discovery.engine.matching import Catalog
from discovery.engine.parsers import (
    GRANT_FORMATS,
    USAGE_FORMATS,
    GrantEvent,
    ModelCall,
    SkipReason,
    get_parser,
)
from discovery.engine.pipeline import ChunkResult, chunk_plan, process_chunk

FORMATS = sorted(GRANT_FORMATS | USAGE_FORMATS)
CATALOG = Catalog.from_entries(
    [
        {"key": "chatgpt", "name": "ChatGPT", "oauth": {"names": ["chatgpt*"]}},
        {
            "key": "openai-api",
            "name": "OpenAI API",
            "hosts": ["api.openai.com"],
            "models": ["gpt-*"],
            "providers": ["openai"],
        },
        {"key": "amazon-bedrock", "name": "Bedrock", "models": ["anthropic.*"]},
    ]
)
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
USERS = st.sampled_from(["alice@example.com", "bob@example.com", "carol@example.com", ""])
TIMES = st.integers(min_value=1_790_000_000, max_value=1_790_900_000)
JUNK = st.one_of(
    st.none(), st.integers(-5, 5), st.text(max_size=6), st.lists(st.integers(), max_size=2)
)


def _iso(ts: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, tz=dt.UTC).isoformat().replace("+00:00", "Z")


def gws_line(ts, user, action, app, scopes):
    return {
        "kind": "admin#reports#activity",
        "id": {"time": _iso(ts), "uniqueQualifier": str(ts), "applicationName": "token"},
        "actor": {"email": user},
        "events": [
            {
                "name": action,
                "parameters": [
                    {"name": "client_id", "value": f"{app}-id"},
                    {"name": "app_name", "value": app},
                    {"name": "scope", "multiValue": scopes},
                ],
            }
        ],
    }


def entra_line(ts, user, action, app, scopes):
    op = "Consent to application" if action == "authorize" else "Remove delegated permission grant"
    prop = (
        "ConsentAction.Permissions" if action == "authorize" else "DelegatedPermissionGrant.Scope"
    )
    return {
        "id": f"D{ts}",
        "activityDisplayName": op,
        "activityDateTime": _iso(ts),
        "result": "success",
        "initiatedBy": {"user": {"userPrincipalName": user}},
        "targetResources": [
            {
                "displayName": app,
                "type": "ServicePrincipal",
                "modifiedProperties": [
                    {"displayName": prop, "oldValue": '"' + " ".join(scopes) + '"',
                     "newValue": '"[[Scope: ' + " ".join(scopes) + ', ]]"'}
                ],
            }
        ],
        "additionalDetails": [{"key": "AppId", "value": f"{app}-appid"}],
    }  # fmt: skip


def litellm_line(ts, user, model, tin, tout, cost):
    return {
        "request_id": f"r{ts}{user}{model}",
        "call_type": "acompletion",
        "spend": cost,
        "prompt_tokens": tin,
        "completion_tokens": tout,
        "startTime": _iso(ts),
        "model": model,
        "api_base": "https://api.openai.com/v1" if model.startswith("gpt") else "",
        "user": user,
        "team_id": "team-a" if user.startswith("a") else "team-b",
        "metadata": {"user_api_key_alias": "key-" + user[:1]},
    }


def bedrock_line(ts, user, model, tin, tout, _cost):
    return {
        "schemaType": "ModelInvocationLog",
        "timestamp": _iso(ts),
        "identity": {"arn": f"arn:aws:iam::111122223333:user/{user[:3] or 'x'}"},
        "region": "eu-central-1",
        "operation": "InvokeModel",
        "modelId": model,
        "input": {"inputTokenCount": tin},
        "output": {"outputTokenCount": tout},
    }


def otel_line(ts, user, model, tin, tout, _cost):
    def a(k, v):
        key = "intValue" if isinstance(v, int) else "stringValue"
        return {"key": k, "value": {key: str(v) if key == "intValue" else v}}

    return {
        "resourceSpans": [
            {
                "resource": {"attributes": [a("service.name", "svc-" + user[:1])]},
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "spanId": str(ts),
                                "startTimeUnixNano": str(ts * 10**9),
                                "attributes": [
                                    a("gen_ai.request.model", model),
                                    a("gen_ai.usage.input_tokens", tin),
                                    a("gen_ai.usage.output_tokens", tout),
                                    a("enduser.id", user),
                                ],
                            }
                        ]
                    }
                ],
            }
        ]
    }


GRANT = st.tuples(
    TIMES, USERS, st.sampled_from(["authorize", "revoke"]), st.sampled_from(["ChatGPT", "Notes"]),
    st.lists(st.sampled_from(["Mail.Read", "openid", "Files.Read.All"]), max_size=3, unique=True),
)  # fmt: skip
CALL = st.tuples(
    TIMES, USERS, st.sampled_from(["gpt-4o", "anthropic.claude-3-haiku", "llama"]),
    st.integers(0, 5000), st.integers(0, 5000), st.sampled_from([0.0, 0.25, 1.5]),
)  # fmt: skip
BUILD = {
    "gws_token": gws_line,
    "entra_audit": entra_line,
    "litellm": litellm_line,
    "bedrock_invocation": bedrock_line,
    "otel_genai": otel_line,
}


def _run(path, fmt) -> ChunkResult:
    total = ChunkResult()
    for chunk in chunk_plan(path, target_bytes=300):
        total.merge(process_chunk(chunk, fmt=fmt, catalog=CATALOG))
    return total


def _accounted(res: ChunkResult) -> bool:
    skipped = sum(v for k, v in res.skipped.items() if not k.startswith("gzip"))
    return res.lines_read == res.parsed + skipped + res.prefiltered + res.header_lines


@SETTINGS
@given(fmt=st.sampled_from(FORMATS), data=st.binary(max_size=3000))
def test_random_bytes_never_crash_and_every_line_is_counted(tmp_path_factory, fmt, data):
    path = tmp_path_factory.mktemp("rnd") / "input.log"
    path.write_bytes(data)
    res = _run(path, fmt)
    assert _accounted(res)
    assert all(len(v) <= 20 for v in res.skip_samples.values())


@SETTINGS
@given(
    fmt=st.sampled_from(FORMATS),
    rows=st.lists(st.tuples(GRANT, CALL), min_size=1, max_size=8),
    damage=st.lists(st.tuples(st.integers(0, 50), JUNK), max_size=6),
)
def test_near_valid_records_are_records_or_counted_skips(fmt, rows, damage):
    parser = get_parser(fmt)
    for i, (grant, call) in enumerate(rows):
        obj = BUILD[fmt](*(grant if fmt in GRANT_FORMATS else call))
        flat = list(_walk(obj))
        for pos, junk in damage:  # replace some nested values with junk of another type
            if flat:
                parent, key = flat[(pos + i) % len(flat)]
                parent[key] = junk
        out = parser.safe_parse(json.dumps(obj))
        items = out if isinstance(out, list) else [out]
        assert items and all(isinstance(x, GrantEvent | ModelCall | SkipReason) for x in items)


def _walk(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield obj, k
            yield from _walk(v)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield obj, i
            yield from _walk(v)


def _grant_view(res: ChunkResult) -> tuple:
    from discovery.engine.pipeline import grant_pack

    return tuple(sorted(tuple(map(str, grant_pack(g))) for g in res.grants))


def _usage_view(res: ChunkResult) -> dict:
    return {k: (v[0], v[1], v[2], round(v[3], 6), v[4], v[5]) for k, v in res.model_usage.items()}


@SETTINGS
@given(
    fmt=st.sampled_from(FORMATS),
    rows=st.lists(st.tuples(GRANT, CALL), min_size=1, max_size=12),
    seed=st.integers(0, 10**6),
    cut=st.integers(0, 12),
)
def test_line_and_file_order_do_not_change_grants_or_usage(tmp_path_factory, fmt, rows, seed, cut):
    lines = [json.dumps(BUILD[fmt](*(g if fmt in GRANT_FORMATS else c))) + "\n" for g, c in rows]
    folder = tmp_path_factory.mktemp("order")
    one = folder / "one.jsonl"
    one.write_text("".join(lines))
    shuffled = lines[:]
    random.Random(seed).shuffle(shuffled)
    first, second = folder / "a.jsonl", folder / "b.jsonl"
    first.write_text("".join(shuffled[:cut]))
    second.write_text("".join(shuffled[cut:]))
    whole = _run(one, fmt)
    parts = ChunkResult()
    for path in (second, first):
        if path.stat().st_size:
            parts.merge(_run(path, fmt))
    assert _grant_view(whole) == _grant_view(parts)
    assert _usage_view(whole) == _usage_view(parts)
    assert whole.parsed == parts.parsed and whole.skipped == parts.skipped


def _rows_in_three_orders(lines, seed, folder, *, emptied, rows, fmt: str = "") -> list:
    """`rows()` after the lines are ingested as one file, then as the two halves of a shuffle
    in one order and in the other, one batch per file; the ingest tables and `emptied` are
    emptied before each."""
    from discovery.models import IngestFile, IngestRun
    from discovery.services import ingest_batch_create, ingest_run_execute

    shuffled = lines[:]
    random.Random(seed).shuffle(shuffled)
    half = len(lines) // 2
    results = []
    for files in ([lines], [shuffled[:half], shuffled[half:]], [shuffled[half:], shuffled[:half]]):
        for model in (*emptied, IngestFile, IngestRun):
            model.objects.all().delete()
        for i, part in enumerate(files):
            if part:
                path = folder / f"{len(results)}-{i}.jsonl"
                path.write_text("".join(part))
                batch = ingest_batch_create(files=[(path, path.name)], actor="test", fmt=fmt)
                ingest_run_execute(run_id=batch.run.pk, processes=1)
        results.append(rows())
    return results


@pytest.mark.django_db
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(grants=st.lists(GRANT, min_size=1, max_size=10), seed=st.integers(0, 10**6))
def test_oauth_grant_rows_do_not_depend_on_batch_order(catalog, tmp_path_factory, grants, seed):
    from discovery.models import OAuthGrant

    def rows():
        return sorted(
            OAuthGrant.objects.values_list(
                "source", "client_id", "user", "app_key", "first_granted", "last_granted",
                "revoked_at", "active", "scopes", "scope_classes",
            )
        )  # fmt: skip

    lines = [json.dumps(gws_line(*g)) + "\n" for g in grants]
    folder = tmp_path_factory.mktemp("grants")
    results = _rows_in_three_orders(lines, seed, folder, emptied=[OAuthGrant], rows=rows)
    assert results[0] == results[1] == results[2]


def test_a_csv_export_split_in_chunks_keeps_its_header_row(tmp_path):
    header = "request_id,spend,prompt_tokens,completion_tokens,startTime,model,user\n"
    rows = "".join(
        f"r{i},0.5,100,20,2026-11-02T10:00:00Z,gpt-4o,alice@example.com\n" for i in range(300)
    )
    path = tmp_path / "spend.csv"
    path.write_text(header + rows)
    chunks = chunk_plan(path, target_bytes=1024)
    res = _run_chunks(chunks, "litellm")
    assert len(chunks) > 5
    assert (res.parsed, res.skipped, res.header_lines) == (300, {}, 1)
    assert sum(v[0] for v in res.model_usage.values()) == 300


def _run_chunks(chunks, fmt) -> ChunkResult:
    total = ChunkResult()
    for chunk in chunks:
        total.merge(process_chunk(chunk, fmt=fmt, catalog=CATALOG))
    return total


@pytest.mark.django_db
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    calls=st.lists(CALL, min_size=1, max_size=10),
    fmt=st.sampled_from(sorted(USAGE_FORMATS)),
    seed=st.integers(0, 10**6),
)
def test_model_usage_rows_do_not_depend_on_batch_order(catalog, tmp_path_factory, calls, fmt, seed):
    from discovery.models import ModelCallSeen, ModelUsageDay

    def rows():
        return sorted(
            ModelUsageDay.objects.values_list(
                "source", "app_key", "identity", "team", "key_alias", "model", "region",
                "service", "day", "requests", "input_tokens", "output_tokens", "cost",
                "first_seen", "last_seen",
            )
        )  # fmt: skip

    lines = [json.dumps(BUILD[fmt](*c)) + "\n" for c in calls]
    folder = tmp_path_factory.mktemp("usage")
    emptied = [ModelUsageDay, ModelCallSeen]
    results = _rows_in_three_orders(lines, seed, folder, emptied=emptied, rows=rows, fmt=fmt)
    assert results[0] == results[1] == results[2]
    parser = get_parser(fmt)
    parsed = [parser.safe_parse(line.strip()) for line in lines]
    ids = {c.request_id for c in parsed if isinstance(c, ModelCall) and c.request_id}
    anonymous = sum(1 for c in parsed if isinstance(c, ModelCall) and not c.request_id)
    assert sum(r[9] for r in results[0]) == len(ids) + anonymous  # a repeated call counts once
