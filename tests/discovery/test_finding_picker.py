"""Linking a finding to an existing system: a bounded name search, never a list of every system."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discovery.models import DiscoveredApp, Finding
from inventory.models import AISystem
from tests.discovery.conftest import SQUID
from tests.discovery.factories import FindingFactory
from tests.factories import AISystemFactory


@pytest.fixture
def claude(ingest):
    ingest(SQUID)
    return Finding.objects.get(app_key="claude", kind=Finding.Kind.UNSANCTIONED_USE)


def _sanction(client, finding, data, **headers):
    url = reverse("discovery:finding-sanction", kwargs={"pk": finding.pk})
    return client.post(url, data, **headers)


def _search(client, q):
    return client.get(reverse("inventory:system-search"), {"q": q}).content.decode()


def _open_finding():
    return FindingFactory(
        severity="high", title="Claude used", dedupe_key="picker:claude", app_key="claude"
    )


def test_findings_row_triage_forms_render_a_search_field_not_every_system(as_officer, db):
    finding = _open_finding()
    AISystemFactory(name="Zeta payroll screener")
    url = reverse("discovery:finding-triage-forms", kwargs={"pk": finding.pk})
    body = as_officer.get(url).content.decode()
    assert 'name="system_name"' in body
    assert reverse("inventory:system-search") in body
    assert "Zeta payroll screener" not in body
    assert '<select name="system"' not in body


def test_findings_page_queries_and_options_do_not_grow_with_the_inventory(as_officer, db):
    _open_finding()
    url = reverse("discovery:finding-list")
    as_officer.get(url)  # warm caches so both counts compare like for like
    AISystemFactory.create_batch(3)
    with CaptureQueriesContext(connection) as few:
        few_body = as_officer.get(url).content.decode()
    AISystemFactory.create_batch(40)
    with CaptureQueriesContext(connection) as many:
        many_body = as_officer.get(url).content.decode()
    assert len(many) == len(few)
    assert many_body.count("<option") == few_body.count("<option")


def test_finding_detail_does_not_list_systems(as_officer, db):
    finding = _open_finding()
    AISystemFactory(name="Zeta payroll screener")
    body = as_officer.get(reverse("discovery:finding-detail", kwargs={"pk": finding.pk})).content
    assert b"Zeta payroll screener" not in body and b'name="system_name"' in body


def test_search_returns_radios_posting_the_pk_prefix_matches_first(as_officer, db):
    inner = AISystemFactory(name="Acme Claude gateway")
    prefix = AISystemFactory(name="Claude for Work")
    AISystemFactory(name="Gemini")
    body = _search(as_officer, "claude")
    assert f'name="system" value="{prefix.pk}"' in body
    assert f'name="system" value="{inner.pk}"' in body
    assert body.index("Claude for Work") < body.index("Acme Claude gateway")
    assert "Gemini" not in body


def test_search_is_capped_at_twenty_and_says_so(as_officer, db):
    for i in range(25):
        AISystemFactory(name=f"Scoring model {i:02d}")
    body = _search(as_officer, "scoring")
    assert body.count('type="radio"') == 20
    assert "First 20 shown" in body


def test_search_with_an_empty_query_returns_nothing(as_officer, db):
    AISystemFactory(name="Claude for Work")
    assert 'type="radio"' not in _search(as_officer, "  ")


def test_search_says_when_nothing_matches(as_officer, db):
    assert "No inventory system matches" in _search(as_officer, "nothing-like-this")


def test_search_reads_the_pickers_own_field_name(as_officer, db):
    system = AISystemFactory(name="Claude for Work")
    response = as_officer.get(reverse("inventory:system-search"), {"system_name": "claude"})
    assert f'value="{system.pk}"' in response.content.decode()


def test_sanction_as_a_picked_pk_links_the_system(as_officer, claude):
    existing = AISystemFactory(name="Claude for Work", sanction_status="under_review")
    response = _sanction(
        as_officer,
        claude,
        {"link": "1", "system_name": "clau", "system": existing.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Claude for Work" in response.content.decode()
    assert DiscoveredApp.objects.get(app_key="claude").system == existing
    assert AISystem.objects.count() == 1


def test_sanction_as_a_typed_exact_name_works_without_javascript(as_officer, claude):
    existing = AISystemFactory(name="Claude for Work")
    response = _sanction(as_officer, claude, {"link": "1", "system_name": " claude for work "})
    assert response.status_code == 302
    claude.refresh_from_db()
    assert claude.state == Finding.State.SANCTIONED and claude.system == existing
    page = as_officer.get(response["Location"]).content.decode()
    assert "Sanctioned as inventory system “Claude for Work”" in page


def test_sanction_as_an_unknown_name_shows_an_error_and_creates_nothing(as_officer, claude):
    AISystemFactory(name="Claude for Work")
    response = _sanction(
        as_officer, claude, {"link": "1", "system_name": "Claude"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "No inventory system is named “Claude”" in response.content.decode()
    claude.refresh_from_db()
    assert claude.state == Finding.State.OPEN and AISystem.objects.count() == 1


def test_sanction_as_an_ambiguous_name_asks_to_pick_one(as_officer, claude):
    AISystemFactory(name="Claude for Work")
    AISystemFactory(name="Claude for work")
    response = _sanction(
        as_officer, claude, {"link": "1", "system_name": "CLAUDE FOR WORK"}, HTTP_HX_REQUEST="true"
    )
    assert "More than one inventory system is named" in response.content.decode()
    claude.refresh_from_db()
    assert claude.state == Finding.State.OPEN


def test_exact_case_wins_over_case_insensitive_duplicates(as_officer, claude):
    exact = AISystemFactory(name="Claude for Work")
    AISystemFactory(name="Claude for work")
    _sanction(as_officer, claude, {"link": "1", "system_name": "Claude for Work"})
    claude.refresh_from_db()
    assert claude.system == exact


def test_empty_link_form_is_an_error_not_a_new_system(as_officer, claude):
    response = _sanction(
        as_officer, claude, {"link": "1", "system_name": ""}, HTTP_HX_REQUEST="true"
    )
    assert b"Choose an existing inventory system" in response.content
    assert not AISystem.objects.exists()
    claude.refresh_from_db()
    assert claude.state == Finding.State.OPEN
