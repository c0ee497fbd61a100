"""OAuth grants and gateway usage through the ingest service and `manage.py ingest --sync`: known
grants (active, revoked, a revoke in an earlier file than the grant it follows, a re-grant) and
known LiteLLM/Bedrock/OTel usage give exactly the expected OAuthGrant and ModelUsageDay rows,
whatever the order of the files and batches."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from discovery.models import DiscoveredApp, IngestRun, ModelUsageDay, OAuthGrant
from discovery.services import ingest_batch_create, ingest_run_execute
from discovery.services.usage import model_usage_systems_refresh
from tests.discovery.conftest import DEMO
from tests.factories import AISystemFactory

ROOT = Path(__file__).parent / "real_shapes"
UTC = dt.UTC
CHATGPT = "111122223333-chatgpt0example.apps.googleusercontent.com"
OTTER = "111122223333-otter00example.apps.googleusercontent.com"


def _activity(when: str, email: str, name: str, client_id: str, app: str, scopes: list[str]):
    return {
        "kind": "admin#reports#activity",
        "id": {"time": when, "uniqueQualifier": f"{email}{when}", "applicationName": "token"},
        "actor": {"email": email},
        "events": [
            {
                "name": name,
                "parameters": [
                    {"name": "client_id", "value": client_id},
                    {"name": "app_name", "value": app},
                    {"name": "scope", "multiValue": scopes},
                ],
            }
        ],
    }


DRIVE = "https://www.googleapis.com/auth/drive.readonly"
MAIL = "https://www.googleapis.com/auth/gmail.readonly"
CAL = "https://www.googleapis.com/auth/calendar.readonly"
# alice: granted 2 Nov, revoked 4 Nov (the revoke is in the FIRST file) -> inactive
# bob: granted Otter 2 Nov -> active; carol: revoked 1 Nov, granted again 3 Nov -> active
EARLY_FILE = [
    _activity("2026-11-04T16:00:00Z", "alice@example.com", "revoke", CHATGPT, "ChatGPT", []),
    _activity("2026-11-01T08:00:00Z", "carol@example.com", "revoke", CHATGPT, "ChatGPT", []),
]
LATE_FILE = [
    _activity(
        "2026-11-02T09:00:00Z", "alice@example.com", "authorize", CHATGPT, "ChatGPT", [DRIVE]
    ),
    _activity("2026-11-03T09:00:00Z", "alice@example.com", "authorize", CHATGPT, "ChatGPT", [MAIL]),
    _activity("2026-11-02T10:00:00Z", "bob@example.com", "authorize", OTTER, "Otter.ai", [CAL]),
    _activity(
        "2026-11-03T12:00:00Z", "carol@example.com", "authorize", CHATGPT, "ChatGPT", [DRIVE]
    ),
]
EXPECTED_GRANTS = {
    ("chatgpt", "alice@example.com"): {
        "active": False,
        "first_granted": dt.datetime(2026, 11, 2, 9, tzinfo=UTC),
        "last_granted": dt.datetime(2026, 11, 3, 9, tzinfo=UTC),
        "revoked_at": dt.datetime(2026, 11, 4, 16, tzinfo=UTC),
        "scopes": [DRIVE, MAIL],
        "scope_classes": ["mail_read", "files_read"],
    },
    ("otter-ai", "bob@example.com"): {
        "active": True,
        "first_granted": dt.datetime(2026, 11, 2, 10, tzinfo=UTC),
        "last_granted": dt.datetime(2026, 11, 2, 10, tzinfo=UTC),
        "revoked_at": None,
        "scopes": [CAL],
        "scope_classes": ["calendar"],
    },
    ("chatgpt", "carol@example.com"): {
        "active": True,
        "first_granted": dt.datetime(2026, 11, 3, 12, tzinfo=UTC),
        "last_granted": dt.datetime(2026, 11, 3, 12, tzinfo=UTC),
        "revoked_at": dt.datetime(2026, 11, 1, 8, tzinfo=UTC),
        "scopes": [DRIVE],
        "scope_classes": ["files_read"],
    },
}


def _write(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(i) + "\n" for i in items))
    return path


def _grants() -> dict:
    return {
        (g.app_key, g.user): {
            "active": g.active,
            "first_granted": g.first_granted,
            "last_granted": g.last_granted,
            "revoked_at": g.revoked_at,
            "scopes": g.scopes,
            "scope_classes": g.scope_classes,
        }
        for g in OAuthGrant.objects.all()
    }


def _usage() -> set[tuple]:
    return set(
        ModelUsageDay.objects.values_list(
            "source", "app_key", "identity", "team", "key_alias", "model", "region", "service",
            "day", "requests", "input_tokens", "output_tokens", "cost",
        )
    )  # fmt: skip


def _batch(paths: list[Path]) -> IngestRun:
    batch = ingest_batch_create(files=[(p, p.name) for p in paths], actor="test")
    return ingest_run_execute(run_id=batch.run.pk, processes=1)


@pytest.mark.parametrize("order", ["revoke_file_first", "grant_file_first", "one_batch"])
def test_grants_merge_by_event_time_whatever_the_file_order(catalog, tmp_path, order):
    early = _write(tmp_path / "early.jsonl", EARLY_FILE)
    late = _write(tmp_path / "late.jsonl", LATE_FILE)
    if order == "one_batch":
        runs = [_batch([late, early])]
    else:
        first, second = (early, late) if order == "revoke_file_first" else (late, early)
        runs = [_batch([first]), _batch([second])]
    assert all(r.status == IngestRun.Status.DONE and r.format == "gws_token" for r in runs)
    assert _grants() == EXPECTED_GRANTS
    assert OAuthGrant.objects.filter(active=True).count() == 2
    apps = set(DiscoveredApp.objects.values_list("app_key", flat=True))
    assert {"chatgpt", "otter-ai"} <= apps


def test_reingesting_grants_in_another_file_changes_nothing(catalog, tmp_path):
    _batch([_write(tmp_path / "a.jsonl", LATE_FILE + EARLY_FILE)])
    before = _grants()
    _batch([_write(tmp_path / "b.jsonl", list(reversed(LATE_FILE + EARLY_FILE)) + EARLY_FILE)])
    assert _grants() == before == EXPECTED_GRANTS


D2, D3 = dt.date(2026, 11, 2), dt.date(2026, 11, 3)
EXPECTED_LITELLM = {
    ("litellm", "openai-api-platform", "alice@example.com", "research", "research-bot",
     "gpt-4o", "", "", D2, 2, 2000, 500, Decimal("0.010000")),
    ("litellm", "anthropic-api-console", "bob@example.com", "hr", "hr-screening",
     "claude-3-5-sonnet-20241022", "", "", D2, 1, 2000, 500, Decimal("0.013500")),
    ("litellm", "azure-openai-ai-foundry", "bob@example.com", "hr", "hr-screening",
     "gpt-4o", "", "", D3, 1, 500, 100, Decimal("0.002200")),
    ("litellm", "", "carol@example.com", "research", "research-bot",
     "llama-3.1-70b", "", "", D3, 1, 900, 100, Decimal("0.000000")),
}  # fmt: skip


def test_gateway_spend_gives_exactly_the_expected_usage_rows(catalog, tmp_path):
    src = (ROOT / "litellm" / "spend_logs.jsonl").read_text().splitlines(keepends=True)
    (tmp_path / "part1.jsonl").write_text("".join(src[:3]))
    (tmp_path / "part2.jsonl").write_text("".join(src[3:]))
    _batch([tmp_path / "part2.jsonl"])
    _batch([tmp_path / "part1.jsonl"])
    assert _usage() == EXPECTED_LITELLM


def test_usage_rows_are_the_same_in_one_batch_or_file_by_file(catalog, tmp_path):
    names = ["litellm/spend_logs.jsonl", "bedrock/invocations.jsonl", "otel/traces.json"]
    paths = []
    for i, rel in enumerate(names):
        dest = tmp_path / f"{i}-{Path(rel).name}"
        dest.write_bytes((ROOT / rel).read_bytes())
        paths.append(dest)
    _batch(paths)
    together = _usage()
    ModelUsageDay.objects.all().delete()
    from discovery.models import IngestFile, ModelCallSeen

    IngestFile.objects.all().delete()
    ModelCallSeen.objects.all().delete()  # as on a fresh database
    for p in reversed(paths):
        _batch([p])
    assert _usage() == together
    assert sum(r[9] for r in together) == 5 + 3 + 3


def test_usage_rows_link_to_the_system_named_by_a_gateway_alias_or_the_app(catalog, tmp_path):
    hr_bot = AISystemFactory(name="HR screening", gateway_aliases=["HR-Screening"])
    research = AISystemFactory(name="Research assistant")
    DiscoveredApp.objects.create(app_key="openai-api-platform", name="OpenAI", system=research)
    dest = tmp_path / "spend.jsonl"
    dest.write_bytes((ROOT / "litellm" / "spend_logs.jsonl").read_bytes())
    _batch([dest])
    systems = dict(ModelUsageDay.objects.values_list("model", "system_id"))
    assert systems["claude-3-5-sonnet-20241022"] == hr_bot.pk
    assert systems["gpt-4o"] in (hr_bot.pk, research.pk)
    assert ModelUsageDay.objects.get(app_key="openai-api-platform").system_id == research.pk
    assert systems["llama-3.1-70b"] is None


def test_manage_py_ingest_sync_writes_grants_and_usage(catalog, tmp_path):
    _write(tmp_path / "early.jsonl", EARLY_FILE)
    _write(tmp_path / "late.jsonl", LATE_FILE)
    (tmp_path / "spend.jsonl").write_bytes((ROOT / "litellm" / "spend_logs.jsonl").read_bytes())
    call_command("ingest", str(tmp_path), "--sync")
    assert _grants() == EXPECTED_GRANTS
    assert _usage() == EXPECTED_LITELLM
    run = IngestRun.objects.get()
    assert run.status == IngestRun.Status.DONE and run.format == "mixed"


def test_a_file_of_nothing_understood_needs_attention_with_counted_skips(catalog, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(json.dumps(i) + "\n" for i in EARLY_FILE) + "{not json\n" * 8)
    batch = ingest_batch_create(files=[(bad, bad.name)], actor="test", fmt="gws_token")
    run = ingest_run_execute(run_id=batch.run.pk, processes=1)
    assert run.status == IngestRun.Status.NEEDS_ATTENTION
    assert run.skip_counts == {"bad_json": 8}
    assert run.skip_samples["bad_json"][0] == "{not json"
    assert "bad JSON" in run.attention


def test_demo_slice_files_are_detected(catalog):
    for name, fmt in (
        ("workspace-token-activity.json", "gws_token"),
        ("entra-audit-consents.json", "entra_audit"),
        ("litellm-spend-logs.jsonl", "litellm"),
        ("otel-genai-traces.json", "otel_genai"),
    ):
        from discovery.engine.parsers import detect
        from discovery.engine.parsers.reader import read_head

        assert detect(read_head(DEMO / name)).format == fmt, name


def test_usage_ingested_before_the_alias_existed_links_on_refresh(catalog, tmp_path):
    dest = tmp_path / "spend.jsonl"
    dest.write_bytes((ROOT / "litellm" / "spend_logs.jsonl").read_bytes())
    _batch([dest])
    assert not ModelUsageDay.objects.exclude(system=None).exists()
    bot = AISystemFactory(name="HR screening", gateway_aliases=["hr-screening"])
    assert model_usage_systems_refresh() == 2
    assert set(ModelUsageDay.objects.filter(system=bot).values_list("team", flat=True)) == {"hr"}
    assert model_usage_systems_refresh() == 0


def test_overlapping_gateway_exports_count_each_call_once(catalog, tmp_path):
    src = (ROOT / "litellm" / "spend_logs.jsonl").read_text().splitlines(keepends=True)
    (tmp_path / "monday.jsonl").write_text("".join(src[:4]))
    (tmp_path / "tuesday.jsonl").write_text("".join(src[2:]))  # rows 2 and 3 again
    _batch([tmp_path / "monday.jsonl"])
    second = _batch([tmp_path / "tuesday.jsonl"])
    assert _usage() == EXPECTED_LITELLM
    assert second.events_duplicate == 2
    (tmp_path / "both.jsonl").write_text("".join(src + src[:2]))  # repeats inside one file
    _batch([tmp_path / "both.jsonl"])
    assert _usage() == EXPECTED_LITELLM


@pytest.mark.django_db(transaction=True)
def test_adding_a_gateway_alias_in_the_inventory_links_the_usage_already_ingested(
    catalog, tmp_path
):
    from inventory.services import ai_system_update

    dest = tmp_path / "spend.jsonl"
    dest.write_bytes((ROOT / "litellm" / "spend_logs.jsonl").read_bytes())
    _batch([dest])
    bot = AISystemFactory(name="HR screening")
    assert not ModelUsageDay.objects.exclude(system=None).exists()
    ai_system_update(actor="test", system=bot, data={"gateway_aliases": ["HR-Screening"]})
    assert set(ModelUsageDay.objects.filter(system=bot).values_list("team", flat=True)) == {"hr"}
    ai_system_update(actor="test", system=bot, data={"gateway_aliases": []})
    assert not ModelUsageDay.objects.filter(system=bot).exists()
