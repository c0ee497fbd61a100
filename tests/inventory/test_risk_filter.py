"""High-risk at a glance: the list's risk column and its regime/tier filter (shared by the page,
the API and the export), and the dashboard's counts that link to it (issue 15 §2)."""

import pytest
from django.urls import reverse

from inventory.services import ai_system_risk_record
from tests.factories import AISystemFactory


def _system(name: str, **tiers: str):
    system = AISystemFactory(name=name)
    ai_system_risk_record(system=system, tiers={k.replace("_", "-"): v for k, v in tiers.items()})
    return system


@pytest.fixture
def world(db):
    return {
        "screener": _system("Résumé screener", eu="high", co="high", ct="minimal"),
        "mood": _system("Mood reader", eu="prohibited", co="not_applicable"),
        "chatbot": _system("Support chatbot", eu="limited", co="minimal"),
        "copilot": _system("Code assistant", eu="minimal", ca_sb53="not_applicable"),
        "unclassified": AISystemFactory(name="Fresh entry"),
    }


def _names(response) -> list[str]:
    import re

    return re.findall(
        r'<td class="name-cell"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


def test_the_projection_keeps_the_highest_tier_and_each_regime(world):
    screener = world["screener"]
    screener.refresh_from_db()
    assert screener.risk_tier == "high"
    assert screener.risk_by_regime[:2] == [("co", "high"), ("eu", "high")]
    assert "eu:high" in screener.risk_tiers and "high" in screener.risk_tiers


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"risk_regime": "eu", "risk_tier": "high"}, ["Résumé screener"]),
        ({"risk_tier": "prohibited"}, ["Mood reader"]),
        ({"risk_tier": ["high", "prohibited"]}, ["Mood reader", "Résumé screener"]),
        ({"risk_regime": "co", "risk_tier": "minimal"}, ["Support chatbot"]),
        ({"risk_regime": "ct"}, ["Résumé screener"]),
        ({"risk_tier": "minimal"}, ["Code assistant", "Résumé screener", "Support chatbot"]),
    ],
)
def test_the_list_filters_by_regime_and_tier(as_officer, world, params, expected):
    response = as_officer.get(reverse("inventory:system-list"), params)
    assert sorted(_names(response)) == expected


def test_the_api_filters_alike(as_officer, world):
    rows = as_officer.get(
        reverse("api-system-list"), {"risk_regime": "eu", "risk_tier": "high"}
    ).json()["results"]
    assert [r["name"] for r in rows] == ["Résumé screener"]
    assert rows[0]["risk_tier"] == "high"
    assert rows[0]["risk_by_regime"] == {"co": "high", "eu": "high", "ct": "minimal"}
    assert rows[0]["needs_facts"] is False


def test_the_export_filters_alike(as_officer, world):
    body = as_officer.get(
        reverse("inventory:system-export"), {"risk_tier": "prohibited", "format": "csv"}
    ).content.decode()
    assert "Mood reader" in body and "Résumé screener" not in body
    header, row = body.splitlines()[:2]
    assert (
        "risk_tier" in header.split(",")
        and row.split(",")[header.split(",").index("risk_tier")] == "prohibited"
    )


def test_the_risk_column_shows_the_highest_tier_with_each_regime_on_hover(as_officer, world):
    html = as_officer.get(reverse("inventory:system-list"), {"q": "screener"}).content.decode()
    assert (
        '<span class="badge risk-high" title="CO: High risk · EU: High risk · CT: Minimal' in html
    )
    assert '<span class="chip risk-high" title="EU: High risk">EU</span>' in html


def test_needs_facts_shows_in_the_list_and_filters(as_officer, world, officer):
    AISystemFactory(name="Found in logs", intake_pending=True, owner=None, jurisdictions=[])
    AISystemFactory(name="Done intake", intake_pending=True, owner=officer)
    response = as_officer.get(reverse("inventory:system-list"), {"needs_facts": "true"})
    assert _names(response) == ["Found in logs"]
    assert "Needs facts" in response.content.decode()


def test_filtered_list_query_count_is_constant(as_officer, django_assert_num_queries):
    url = reverse("inventory:system-list")
    params = {"risk_regime": "eu", "risk_tier": "high"}
    for i in range(3):
        _system(f"A{i}", eu="high")
    as_officer.get(url, params)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        as_officer.get(url, params)
    for i in range(60):
        _system(f"B{i:02d}", eu="high", co="minimal")
    with django_assert_num_queries(len(few.captured_queries)):
        response = as_officer.get(url, params)
    assert len(_names(response)) == 50


def test_dashboard_counts_link_to_the_filtered_list(as_officer, world):
    html = as_officer.get(reverse("regulations:dashboard")).content.decode()
    assert 'href="/inventory/?risk_tier=high" id="high-risk-link">1 high-risk</a>' in html
    assert 'href="/inventory/?risk_tier=prohibited" id="prohibited-link">1 prohibited</a>' in html
