"""The pack carries each system's model allowlist, gateway usage and drift, the OAuth grants,
and the log coverage over the retention the law states (discovery and regulations sections)."""

import csv
import datetime as dt
import io
import shutil
import subprocess
import zipfile

import pytest

from discovery.models import Finding
from evidence.builder import build_pack_files
from evidence.collect import collect
from evidence.collect.base import Scope
from evidence.manifest import verify_pack
from regulations.services.classification import classification_run
from tests.discovery.factories import FindingFactory
from tests.discovery.usage_factories import ModelUsageDayFactory, OAuthGrantFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2028, 2, 20)


def rows(zf, name):
    return list(csv.DictReader(io.StringIO(zf.read(name).decode("utf-8"))))


@pytest.fixture
def screener(real_content, make_system):
    system = make_system(name="CV ranker", purposes=["recruitment_selection"], domains=[])
    system.model_allowlist = ["gpt-4o"]
    system.first_seen = dt.datetime(2028, 2, 18, tzinfo=dt.UTC)
    system.save(update_fields=["model_allowlist", "first_seen"])
    classification_run(system=system, on=DAY)
    return system


def test_pack_lists_allowlist_usage_drift_grants_and_log_coverage(
    screener, storage_dir, signing_key, tmp_path
):
    ModelUsageDayFactory(system=screener, day=DAY, team="Talent", model="gpt-4o")
    ModelUsageDayFactory(system=screener, day=DAY - dt.timedelta(days=2), team="Talent",
                         model="claude-3-haiku")  # fmt: skip
    FindingFactory(
        kind=Finding.Kind.DRIFT,
        title="Drift on CV ranker: team Talent not in the record",
        dedupe_key=f"drift:{screener.pk}:teams:talent",
        system=screener,
        first_seen=dt.datetime(2028, 2, 20, 9, tzinfo=dt.UTC),
        last_seen=dt.datetime(2028, 2, 20, 9, tzinfo=dt.UTC),
        evidence={"dimension": "teams", "value": "Talent", "proposal": {"teams_using": ["Talent"]}},
    )
    OAuthGrantFactory(user="ann@example.com", scope_classes=["mail_read"])
    scope = Scope(regime="", system_ids=(screener.pk,), period_from=dt.date(2028, 2, 1),
                  period_to=DAY)  # fmt: skip

    titles = [s["title"] for s in collect(scope).extra_sections]
    assert "AI-gateway usage, model allowlists, drift and OAuth grants" in titles
    assert "Record-keeping: log coverage" in titles
    result = build_pack_files(scope=scope, out_dir=tmp_path / "out", pack_no=1, pack_meta={"id": 1})

    assert verify_pack(result["zip_path"]).ok
    with zipfile.ZipFile(result["zip_path"]) as zf:
        allow = {
            r["model_called"]: r["allowed"] for r in rows(zf, "discovery/model-allowlists.csv")
        }
        assert allow == {"gpt-4o": "True", "claude-3-haiku": "False"}
        assert sum(int(r["requests"]) for r in rows(zf, "discovery/model-usage.csv")) == 20
        [drift] = rows(zf, "discovery/drift.csv")
        assert (drift["dimension"], drift["value"]) == ("teams", "Talent")
        [grant] = rows(zf, "discovery/oauth-grants.csv")
        assert grant["user"] == "ann@example.com" and grant["scope_classes"] == "mail_read"
        [cov] = rows(zf, "regulations/log-coverage.csv")
        assert cov["retention"] == "retain:P6M after log generation"
        # first use 18 Feb: 18, 19, 20 Feb counted; logs on the 18th and the 20th
        assert (cov["days_counted"], cov["days_with_logs"], cov["gaps"]) == (
            "3", "2", "2028-02-19..2028-02-19",
        )  # fmt: skip
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(result["pdf_path"]), "-"], capture_output=True, text=True
        ).stdout
        assert "Record-keeping: log coverage" in text and "not on the allowlist" in text


def test_a_system_with_a_log_duty_but_no_log_source_is_named_not_drawn_as_empty_days(
    screener, storage_dir, signing_key, tmp_path
):
    scope = Scope(regime="", system_ids=(screener.pk,), period_from=dt.date(2028, 2, 1),
                  period_to=DAY)  # fmt: skip
    [section] = [s for s in collect(scope).extra_sections if s["key"] == "log-coverage"]
    assert section["context"]["rows"] == []
    assert [r["system"] for r in section["context"]["unlinked"]] == [screener]
    assert section["files"] == {}  # no rows, no CSV of nothing

    screener.gateway_aliases = ["cv-ranker"]
    screener.save(update_fields=["gateway_aliases"])
    [section] = [s for s in collect(scope).extra_sections if s["key"] == "log-coverage"]
    [row] = section["context"]["rows"]
    assert (row["cov"].days_total, row["cov"].days_with_logs) == (3, 0)
