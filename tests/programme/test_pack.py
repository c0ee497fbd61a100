"""The programme's section of the evidence pack, contributed through AppConfig.pack_sections."""

import csv
import datetime as dt
import io
import shutil
import subprocess
import zipfile

import pytest
from django.utils import timezone

from evidence.builder import build_pack_files
from evidence.collect import collect
from evidence.collect.base import Scope
from evidence.manifest import verify_pack
from programme.content_loader import load_programme_content
from programme.literacy import completions_import
from programme.models import TrainingModule
from programme.rights import rights_request_create, rights_rules
from programme.risk_services import risk_control_map, risk_create
from programme.selectors import control_library, risk_categories
from programme.services import ai_use_request_decide, ai_use_request_submit
from tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db


def rows(zf, name):
    return list(csv.DictReader(io.StringIO(zf.read(name).decode("utf-8"))))


def test_the_pack_lists_requests_risks_controls_literacy_and_rights(
    officer, requester, storage_dir, signing_key, tmp_path
):
    load_programme_content()
    today = timezone.localdate()
    request = ai_use_request_submit(
        actor=requester, data={"tool_name": "Claude", "purpose": "Drafts"}
    )
    ai_use_request_decide(actor=officer, request=request, decision="rejected", reason="Use Copilot")
    system = AISystemFactory(name="Screener")
    risk = risk_create(
        actor=officer,
        data={"system": system, "title": "Biased ranking", "category": risk_categories().get(code="nist.fair"),
              "likelihood": 4, "impact": 4},
    )  # fmt: skip
    risk_control_map(
        actor=officer, risk=risk, control=control_library().get(code="nist.measure-2.11")
    )
    TrainingModule.objects.create(title="AI basics")
    completions_import(
        actor=officer,
        content=f"email,module,date\nann@x.org,AI basics,{today}\n".encode(),
        filename="l.csv",
    )
    rule = rights_rules().get(code="ccpa.access")
    rights_request_create(
        actor=officer, data={"rule": rule, "reference": "R-1", "received_on": today}
    )
    scope = Scope(
        regime="", system_ids=None, period_from=today - dt.timedelta(days=30), period_to=today
    )
    data = collect(scope)
    [section] = data.extra_sections
    assert section["title"] == "Governance programme" and section["number"] == 6
    result = build_pack_files(scope=scope, out_dir=tmp_path / "out", pack_no=1, pack_meta={"id": 1})
    assert verify_pack(result["zip_path"]).ok
    with zipfile.ZipFile(result["zip_path"]) as zf:
        assert [r["status"] for r in rows(zf, "programme/ai-use-requests.csv")] == ["rejected"]
        [register] = rows(zf, "programme/risk-register.csv")
        assert (register["title"], register["inherent"], register["system"]) == (
            "Biased ranking",
            "16",
            "Screener",
        )
        [mapping] = rows(zf, "programme/control-mapping.csv")
        assert mapping["control"] == "nist.measure-2.11" and "MEASURE 2.11" in mapping["citation"]
        literacy = {r["group"]: r for r in rows(zf, "programme/literacy-coverage.csv")}
        assert literacy["Everyone"]["trained"] == "1"
        [rights] = rows(zf, "programme/rights-requests.csv")
        assert (rights["received"], rights["open"]) == ("1", "1") and "1798.130" in rights[
            "citation"
        ]
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(result["pdf_path"]), "-"], capture_output=True, text=True
        ).stdout
        assert "6. Governance programme" in text and "Biased ranking" in text
        assert "Cal. Civ. Code" in text
