"""The Assessments page lists the assessments a system's classification calls for and nobody has
started, with a Start button for those who may start one; the selector stays at a fixed count."""

import re

import pytest
from django.urls import reverse

from assessments.models import Assessment
from assessments.selectors import required_missing
from assessments.services import assessment_start
from inventory.models import AISystem
from tests.assessments import factories
from tests.conftest import PASSWORD

LIST = reverse("assessments:assessment-list")


def _missing_rows(html: str) -> str:
    match = re.search(r'<table class="striped" id="missing".*?</table>', html, re.S)
    return match.group(0) if match else ""


def test_a_classified_system_needing_a_fria_is_listed_and_starting_removes_it(
    client, officer, credit_system
):
    client.login(username=officer.username, password=PASSWORD)
    rows = _missing_rows(client.get(LIST).content.decode())
    assert credit_system.name in rows
    assert "Fundamental-rights impact assessment (Art 27)" in rows
    assert "Art 27" in rows and ">Start</button>" in rows
    missing = {
        m.template.key.rsplit(".", 1)[-1]: m
        for m in required_missing()
        if m.system == credit_system
    }
    assert "fria" in missing
    fria = missing["fria"]
    assert "Art 27" in fria.why  # names the triggered duty and its article

    response = client.post(
        reverse("assessments:assessment-start"),
        {"system": credit_system.pk, "template": fria.template.pk},
    )
    assessment = Assessment.objects.get(system=credit_system, template=fria.template)
    assert response["Location"] == reverse("assessments:assessment-detail", args=[assessment.pk])
    rows = _missing_rows(client.get(LIST).content.decode())
    assert "Fundamental-rights impact assessment (Art 27)" not in rows
    left = [m.template for m in required_missing() if m.system == credit_system]
    assert fria.template not in left and len(left) == len(missing) - 1


def test_an_auditor_sees_the_missing_list_without_start_buttons(client, auditor, credit_system):
    client.login(username=auditor.username, password=PASSWORD)
    html = client.get(LIST).content.decode()
    rows = _missing_rows(html)
    assert credit_system.name in rows
    assert "Start</button>" not in html
    assert reverse("assessments:assessment-start") not in html


def test_retired_and_needs_facts_systems_are_not_listed(officer):
    retired = factories.classified_system()
    intake = factories.system(name="Discovered chatbot")
    factories.classify_high_risk(intake, factories.eu_content())
    live = factories.system(name="Live screener")
    factories.classify_high_risk(live, factories.eu_content())
    AISystem.objects.filter(pk=retired.pk).update(lifecycle=AISystem.Lifecycle.RETIRED)
    AISystem.objects.filter(pk=intake.pk).update(intake_pending=True, owner=None)
    assert [m.system for m in required_missing()] == [live]
    assert [m.template for m in required_missing()] == [factories.fria()]
    assert "Carry out a FRIA" in required_missing()[0].why


def test_an_older_assessment_of_the_same_template_counts_as_started(officer):
    system = factories.classified_system()
    assessment_start(actor=officer, system=system, template=factories.fria())
    newer = factories.eu_content("2027-01")
    factories.classify_high_risk(system, newer)
    assert required_missing() == []


@pytest.mark.parametrize("count", [1, 4])
def test_selector_queries_do_not_grow_with_systems(db, count, django_assert_num_queries):
    vendor = factories.vendor()
    systems = [factories.system(vendor_obj=vendor, name=f"Screener {i}") for i in range(count)]
    for system in systems:
        factories.classify_high_risk(system, factories.eu_content())
    with django_assert_num_queries(5):
        missing = required_missing()
    assert sorted(m.system.pk for m in missing) == sorted(s.pk for s in systems)
    with django_assert_num_queries(5):
        assert [m.system for m in required_missing(system_id=systems[0].pk)] == [systems[0]]
