import io

import pandas as pd
import pytest
from django.urls import reverse

from core.csvio import neutralise
from core.models import AuditEntry
from inventory.models import AISystem
from inventory.transfer import export_bytes, import_systems
from tests.conftest import PASSWORD
from tests.factories import AISystemFactory, VendorFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "name,model_type,lifecycle,jurisdictions,domains,decision_role,consumer_facing,vendor,owner\n"
)


def run(actor, text: str, filename: str = "systems.csv"):
    return import_systems(actor=actor, content=text.encode(), filename=filename)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_formula_cells(value):
    assert neutralise(value) == "'" + value


def test_neutralise_leaves_plain_values():
    assert neutralise("Chatbot") == "Chatbot"
    assert neutralise(-2) == -2


def test_export_csv_neutralises_formula_injection_and_round_trips(officer):
    AISystemFactory(
        name='=HYPERLINK("http://evil.example","x")', team="@ops", jurisdictions=["CO", "DE"]
    )
    frame = pd.read_csv(
        io.BytesIO(export_bytes(AISystem.objects.all(), "csv")), dtype=str, keep_default_na=False
    )
    row = frame.iloc[0]
    assert row["name"].startswith("'=HYPERLINK")
    assert row["team"] == "'@ops"
    assert row["jurisdictions"] == "CO, DE"


def test_export_xlsx_has_same_rows(officer):
    AISystemFactory.create_batch(3)
    frame = pd.read_excel(io.BytesIO(export_bytes(AISystem.objects.all(), "xlsx")), dtype=str)
    assert sorted(frame["name"]) == sorted(AISystem.objects.values_list("name", flat=True))


def test_import_valid_rows_creates_all_and_audits(officer):
    VendorFactory(name="Acme AI")
    text = HEADER + (
        'Screening bot,ml_classifier,in_use,"CO, DE",employment,substantial_factor,no,Acme AI,officer\n'
        "Chat helper,generative_app,planned,EU,customer_service,none,yes,,\n"
    )
    result = run(officer, text)
    assert result.ok, result.row_errors
    assert result.created == 2
    bot = AISystem.objects.get(name="Screening bot")
    assert (
        bot.jurisdictions == ["CO", "DE"] and bot.vendor.name == "Acme AI" and bot.owner == officer
    )
    assert AISystem.objects.get(name="Chat helper").consumer_facing is True
    assert AuditEntry.objects.filter(action="system.create").count() == 2
    assert AuditEntry.objects.filter(action="system.import").count() == 1


def test_import_with_one_bad_row_writes_nothing_and_reports_each_problem(officer):
    text = HEADER + (
        "Good one,ml_classifier,in_use,CO,employment,none,no,,\n"
        ',ml_classifier,sometimes,"CO, XX",employment,none,maybe,Nope Inc,ghost\n'
    )
    result = run(officer, text)
    assert not result.ok
    assert [e.row for e in result.row_errors] == [3]
    messages = " ".join(result.row_errors[0].messages)
    for expected in ("name:", "lifecycle:", "XX", "consumer_facing: 'maybe'", "Nope Inc", "ghost"):
        assert expected in messages
    assert not AISystem.objects.exists()
    assert not AuditEntry.objects.exists()


def test_import_rejects_unknown_columns(officer):
    result = run(officer, "name,colour\nX,red\n")
    assert result.file_errors and "colour" in result.file_errors[0]


def test_import_garbage_file_is_a_clear_error(officer):
    result = import_systems(actor=officer, content=b"PK\x03\x04not really a zip", filename="x.xlsx")
    assert result.file_errors and "Could not read" in result.file_errors[0]


def test_export_then_import_updates_by_id(officer):
    system = AISystemFactory(name="Before", team="A")
    frame = pd.read_csv(
        io.BytesIO(export_bytes(AISystem.objects.all(), "csv")), dtype=str, keep_default_na=False
    )
    frame.loc[0, "team"] = "B"
    result = run(officer, frame.to_csv(index=False))
    assert result.ok, result.row_errors
    assert result.updated == 1 and result.created == 0
    system.refresh_from_db()
    assert system.team == "B"
    assert AuditEntry.objects.get(action="system.update").changes == {"team": ["A", "B"]}


def test_import_xlsx(officer):
    buffer = io.BytesIO()
    pd.DataFrame([{"name": "From Excel", "model_type": "rules", "jurisdictions": "MD"}]).to_excel(
        buffer, index=False
    )
    result = import_systems(actor=officer, content=buffer.getvalue(), filename="in.xlsx")
    assert result.ok, (result.file_errors, result.row_errors)
    assert AISystem.objects.get().jurisdictions == ["MD"]


def test_import_page_shows_row_report(client, officer):
    client.login(username=officer.username, password=PASSWORD)
    upload = io.BytesIO((HEADER + ",ml_classifier,in_use,CO,employment,none,no,,\n").encode())
    upload.name = "bad.csv"
    response = client.post(reverse("inventory:system-import"), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        'id="import-report"' in body
        and "Nothing was imported" in body
        and "This field is required." in body
    )


def test_export_view_respects_filters(client, auditor):
    AISystemFactory(name="In Colorado", jurisdictions=["CO"])
    AISystemFactory(name="In Maryland", jurisdictions=["MD"])
    client.login(username=auditor.username, password=PASSWORD)
    response = client.get(
        reverse("inventory:system-export"), {"jurisdiction": "MD", "format": "csv"}
    )
    assert response["Content-Disposition"].startswith("attachment;")
    frame = pd.read_csv(io.BytesIO(response.content), dtype=str, keep_default_na=False)
    assert list(frame["name"]) == ["In Maryland"]
