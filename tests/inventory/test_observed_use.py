"""The observed-use facts (model allowlist, gateway names, teams, regions, expected users) go
through the form, the API, import/export and the audited update like every other fact."""

import io

import pandas as pd
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEntry
from inventory.forms import AISystemForm
from inventory.models import AISystem
from inventory.services import ai_system_update
from inventory.transfer import export_bytes, import_systems
from tests.conftest import PASSWORD
from tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db


def test_update_of_observed_use_is_audited(officer):
    system = AISystemFactory()
    ai_system_update(
        actor=officer,
        system=system,
        data={"teams_using": ["Sales"], "data_regions": ["eu-central-1"], "expected_users": 40},
    )
    entry = AuditEntry.objects.get(action="system.update")
    assert entry.changes["teams_using"] == [[], ["Sales"]]
    assert entry.changes["expected_users"] == [None, 40]


def test_form_reads_comma_lists():
    system = AISystemFactory()
    data = {
        k: v
        for k, v in {
            **AISystemForm(instance=system).initial,
            "model_allowlist": "gpt-4o*, claude-*",
            "gateway_aliases": "hr-bot-key\nsvc-hr",
            "teams_using": "Sales; Support",
            "data_regions": "eu-central-1",
            "expected_users": "25",
        }.items()
        if v is not None
    }
    form = AISystemForm(data, instance=system)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["model_allowlist"] == ["gpt-4o*", "claude-*"]
    assert form.cleaned_data["gateway_aliases"] == ["hr-bot-key", "svc-hr"]
    assert form.cleaned_data["teams_using"] == ["Sales", "Support"]
    assert form.cleaned_data["expected_users"] == 25


def test_export_then_import_round_trips_observed_use(officer):
    system = AISystemFactory(
        model_allowlist=["gpt-4o*"],
        gateway_aliases=["key-a"],
        teams_using=["Sales", "Support"],
        data_regions=["EU"],
        expected_users=12,
    )
    csv = export_bytes(AISystem.objects.all(), "csv")
    frame = pd.read_csv(io.BytesIO(csv), dtype=str, keep_default_na=False)
    assert frame.iloc[0]["teams_using"] == "Sales, Support"
    assert frame.iloc[0]["expected_users"] == "12"
    frame.loc[0, "teams_using"] = "Sales, Support, HR"
    frame.loc[0, "expected_users"] = "30"
    out = io.BytesIO()
    frame.to_csv(out, index=False)
    result = import_systems(actor=officer, content=out.getvalue(), filename="s.csv")
    assert result.ok, (result.file_errors, result.row_errors)
    system.refresh_from_db()
    assert system.teams_using == ["Sales", "Support", "HR"]
    assert system.expected_users == 30
    assert system.model_allowlist == ["gpt-4o*"]


def test_api_reads_and_writes_observed_use(officer):
    system = AISystemFactory(gateway_aliases=["svc-a"])
    api = APIClient()
    api.login(username=officer.username, password=PASSWORD)
    url = reverse("api-system-detail", kwargs={"pk": system.pk})
    assert api.get(url).json()["gateway_aliases"] == ["svc-a"]
    response = api.patch(url, {"data_regions": ["us-east-1"], "expected_users": 5}, format="json")
    assert response.status_code == 200, response.content
    system.refresh_from_db()
    assert system.data_regions == ["us-east-1"] and system.expected_users == 5
    assert AuditEntry.objects.filter(action="system.update", target_id=str(system.pk)).exists()


def test_system_page_shows_observed_use(as_officer):
    system = AISystemFactory(teams_using=["Recruiting"], model_allowlist=["claude-*"])
    html = as_officer.get(reverse("inventory:system-detail", kwargs={"pk": system.pk})).content
    assert b"Recruiting" in html and b"claude-*" in html
