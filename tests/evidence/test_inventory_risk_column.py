"""The PDF inventory summary carries the same risk column as the inventory list (issue 15 §2)."""

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from evidence.collect.base import SystemSection
from inventory.services import ai_system_risk_record
from tests.factories import AISystemFactory


def _render(*systems) -> str:
    sections = [SystemSection(system=s, anchor=f"sys-{s.pk}") for s in systems]
    return render_to_string(
        "evidence/pdf/inventory.html", {"data": SimpleNamespace(systems=sections)}
    )


@pytest.mark.django_db
def test_pdf_inventory_shows_highest_tier_and_the_regimes_behind_it():
    screener = AISystemFactory(name="Résumé screener")
    ai_system_risk_record(system=screener, tiers={"eu": "high", "co": "high", "ct": "minimal"})
    html = _render(screener)
    assert "<th>Risk</th>" in html
    assert "<b>High risk</b>" in html
    assert "EU: High risk" in html and "CO: High risk" in html
    assert "CT: Minimal" not in html  # only the tiers that carry duties are spelled out


@pytest.mark.django_db
def test_pdf_inventory_says_when_a_system_is_not_classified_or_needs_facts():
    fresh = AISystemFactory(name="Fresh entry")
    intake = AISystemFactory(
        name="Found in logs", intake_pending=True, owner=None, jurisdictions=[]
    )
    html = _render(fresh, intake)
    assert "Not classified" in html
    assert "Needs facts" in html
