"""Server-rendered pages and API of the regulations app, checked on what they show."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from regulations.diffing import version_diff
from regulations.models import ContentVersion, ManualOverride
from regulations.services import classification_override, classification_run
from tests.regulations.content_factory import write_version


@pytest.fixture
def two_versions(content_dir, db):
    write_version(content_dir)
    write_version(
        content_dir,
        version="v2",
        effective_from="2025-01-01",
        extra_rule=True,
        deadline_date="2028-08-02",
    )
    call_command("load_content", content_dir=content_dir, no_classify=True, stdout=io.StringIO())


def test_diff_matches_items_across_versions_by_slug(two_versions):
    old = ContentVersion.objects.get(version="v1")
    new = ContentVersion.objects.get(version="v2")
    headline, sections = version_diff(old, new)
    rules = next(s for s in sections if s.name == "rules")
    assert [r["id"] for r in rules.added] == ["zz.v2.rule.chatbot"]
    assert rules.removed == [] and rules.changed == [] and rules.unchanged == 3
    deadlines = next(s for s in sections if s.name == "deadlines")
    assert [(c.key, [f[0] for f in c.fields]) for c in deadlines.changed] == [
        ("deadline.high-risk-date", ["date"])
    ]
    assert ("effective_from", "2024-01-01", "2025-01-01") in headline


def test_version_page_flags_low_confidence_rules_as_unverified(client, auditor, two_versions):
    client.force_login(auditor)
    page = client.get(reverse("regulations:version-detail", args=["zz", "v2"])).content.decode()
    assert "zz.v2.rule.chatbot" in page
    assert "Unverified (L)" in page
    assert 'href="https://example.org/law2"' in page


def test_system_panel_shows_override_beside_computed_outcome(
    client, officer, two_versions, make_system
):
    system = make_system()
    result = classification_run(system=system)[0]
    classification_override(
        actor=officer,
        result=result,
        outcome_label="Human decides",
        risk_tier="minimal",
        high_risk=False,
        justification="Every case reviewed.",
    )
    client.force_login(officer)
    html = client.get(
        reverse("regulations:system-panel", args=[system.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "High risk: sole decision-maker" in html  # computed, still shown
    assert "Human decides" in html and "Every case reviewed." in html
    assert "v2" in html  # classified against the version in force


def test_override_form_errors_rerender_with_200(client, officer, two_versions, make_system):
    system = make_system()
    result = classification_run(system=system)[0]
    client.force_login(officer)
    response = client.post(
        reverse("regulations:system-override", args=[system.pk]),
        {
            "result_id": result.pk,
            "outcome_label": "x",
            "risk_tier": "minimal",
            "justification": "short",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "at least 10 characters" in response.content.decode()


def test_override_form_is_fetched_when_opened_prefilled_with_the_result(
    client, officer, two_versions, make_system
):
    system, other = make_system(), make_system(name="Other screener")
    result = classification_run(system=system)[0]
    foreign = classification_run(system=other)[0]
    client.force_login(officer)
    panel = client.get(
        reverse("regulations:system-panel", args=[system.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    form_url = reverse("regulations:system-override-form", args=[system.pk])
    assert f'hx-get="{form_url}?result={result.pk}"' in panel
    assert 'name="justification"' not in panel  # not drawn until opened
    fragment = client.get(form_url, {"result": result.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert f'name="result_id" value="{result.pk}"' in fragment
    assert f'value="{result.outcome_label}"' in fragment and 'name="justification"' in fragment
    assert 'hx-post="' in fragment and "<html" not in fragment
    page = client.get(form_url, {"result": result.pk}).content.decode()  # without JS: a page
    assert "<html" in page and 'name="justification"' in page and "hx-post" not in page
    assert client.get(form_url, {"result": foreign.pk}).status_code == 404
    assert client.get(form_url, {"result": "²"}).status_code == 404


def test_the_regime_acted_on_stays_expanded_after_override_and_withdrawal(
    client, officer, two_versions, make_system
):
    system = make_system()
    result = classification_run(system=system)[0]
    client.force_login(officer)
    expanded = 'id="result-zz" data-regime="zz" open>'
    collapsed = 'id="result-zz" data-regime="zz">'
    panel = client.get(
        reverse("regulations:system-panel", args=[system.pk]), HTTP_HX_REQUEST="true"
    )
    assert collapsed in panel.content.decode()
    html = client.post(
        reverse("regulations:system-override", args=[system.pk]),
        {
            "result_id": result.pk,
            "outcome_label": "Human decides",
            "risk_tier": "minimal",
            "justification": "Every case is reviewed.",
        },
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert expanded in html and "Every case is reviewed." in html
    override = ManualOverride.objects.get(system=system)
    html = client.post(
        reverse("regulations:override-withdraw", args=[override.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert expanded in html


def test_api_reclassify_returns_current_results(client, officer, two_versions, make_system):
    system = make_system()
    client.force_login(officer)
    response = client.post(reverse("api-system-classify", args=[system.pk]))
    assert response.status_code == 200
    body = response.json()
    assert body["zz"]["content_version"] == "v2"
    assert body["zz"]["outcome"] == "high"
    listed = client.get(reverse("api-result-list"), {"system": system.pk, "current": "1"}).json()
    assert [r["regime"] for r in listed["results"]] == ["zz"]
