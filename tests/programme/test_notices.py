"""Notices the regimes require: cited content, chosen by the system's classification, filled from
its inventory facts, shown on the system page and downloadable as Markdown, HTML and PDF."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management.base import CommandError
from django.urls import reverse

from programme.content_loader import CONTENT_DIR, load_programme_content, parse
from programme.models import NoticeTemplate
from programme.notices import notice_markdown, notices_for_system
from regulations.models import Organisation
from regulations.services.classification import classification_run
from tests.assessments.factories import load_real_content
from tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db

REGIMES = Path(settings.BASE_DIR) / "regulations" / "content"


def obligation_ids() -> set[str]:
    """Every obligation id in the shipped revision-2 regime content (and the general file)."""
    ids = set()
    for path in REGIMES.glob("*/*.yaml"):
        if path.stem.endswith("-r2") or path.parent.name == "general":
            ids |= {o["id"] for o in yaml.safe_load(path.read_text()).get("obligations") or []}
    return ids


def test_every_notice_and_control_names_a_real_obligation_of_its_regime():
    known = obligation_ids()
    notices = yaml.safe_load((CONTENT_DIR / "notices" / "2026-12.yaml").read_text())["items"]
    assert {n["kind"] for n in notices} == {"pre_use", "adverse_decision", "interaction"}
    for notice in notices:
        assert set(notice["obligations"]) <= known, notice["code"]
        assert all(o.startswith(notice["regime"] + "-") for o in notice["obligations"])
    controls = yaml.safe_load((CONTENT_DIR / "controls" / "2026-12-r2.yaml").read_text())["items"]
    mapped = {o for c in controls for o in c.get("obligations", [])}
    assert mapped and mapped <= known, mapped - known


def test_a_notice_with_an_unknown_placeholder_is_refused_naming_it(tmp_path):
    text = (CONTENT_DIR / "notices" / "2026-12.yaml").read_text()
    bad = tmp_path / "notices" / "2026-12.yaml"
    bad.parent.mkdir()
    bad.write_text(text.replace("{contact}", "{phone_number}", 1))
    with pytest.raises(CommandError, match="phone_number"):
        parse(bad)


@pytest.fixture
def screener():
    load_programme_content()
    load_real_content("co", "eu")
    Organisation.objects.update_or_create(pk=1, defaults={"name": "Acme Lending"})
    system = AISystemFactory(
        name="LoanScore",
        description="Scores loan applications.",
        jurisdictions=["CO"],
        domains=["lending_financial"],
        decision_role="substantial_factor",
        data_categories=["financial", "contact"],
        human_review=False,
    )
    classification_run(system=system)
    return system


def test_a_colorado_consequential_system_needs_the_pre_use_and_adverse_outcome_notices(screener):
    notices = {n.template.code: n for n in notices_for_system(screener)}
    assert {"co.pre-use", "co.adverse-outcome"} <= set(notices)
    assert notices["co.pre-use"].obligations == ["co-04"]
    assert not any(code.startswith("eu.") for code in notices)  # not used in the EU
    text = notice_markdown(notice=notices["co.pre-use"], system=screener)
    assert "Acme Lending uses **LoanScore**" in text
    assert "Scores loan applications." in text and "Lending / financial services" in text
    assert "No person reviews its output" in text
    assert "[not recorded: the system owner's e-mail]" in text  # no owner: says so, never blank
    assert "C.R.S. 6-1-1704(1)-(2)" in text


def test_a_system_no_regime_touches_needs_no_notice(db):
    load_programme_content()
    load_real_content("co")
    system = AISystemFactory(jurisdictions=[], domains=["productivity"], decision_role="none")
    classification_run(system=system)
    assert notices_for_system(system) == []


def test_only_the_notices_whose_obligations_are_triggered_are_listed(db):
    load_programme_content()
    load_real_content("eu")
    quiet = AISystemFactory(
        jurisdictions=["EU"], domains=["productivity"], decision_role="none", roles=["deployer"]
    )
    chatbot = AISystemFactory(
        jurisdictions=["EU"], domains=["customer_service"], decision_role="none",
        roles=["provider"], capabilities=["chatbot"], interacts_with_persons=True,
    )  # fmt: skip
    classification_run(system=quiet)
    classification_run(system=chatbot)
    assert notices_for_system(quiet) == []  # the EU applies (Art 4, 5) but asks for no notice
    assert [n.template.code for n in notices_for_system(chatbot)] == ["eu.interaction"]


def test_system_page_lists_the_notices_and_they_download(screener, as_auditor):
    page = as_auditor.get(reverse("inventory:system-detail", args=[screener.pk]))
    assert 'id="system-notices"' in page.content.decode()
    assert "Pre-use notice" in page.content.decode()
    listing = as_auditor.get(reverse("programme:system-notices", args=[screener.pk]))
    assert 'id="notice-co.pre-use"' in listing.content.decode()
    for fmt, start in (("md", b"# Notice"), ("html", b"<!doctype html>"), ("pdf", b"%PDF")):
        url = reverse("programme:notice-download", args=[screener.pk, "co.pre-use", fmt])
        response = as_auditor.get(url)
        assert response.status_code == 200, fmt
        assert response.content.startswith(start), fmt
        assert f'loanscore-copre-use.{fmt}"' in response["Content-Disposition"]
    html = as_auditor.get(
        reverse("programme:notice-download", args=[screener.pk, "co.pre-use", "html"])
    ).content.decode()
    assert "<strong>LoanScore</strong>" in html


def test_a_notice_the_classification_does_not_require_is_a_404(screener, as_auditor):
    assert NoticeTemplate.objects.filter(code="eu.interaction").exists()
    url = reverse("programme:notice-download", args=[screener.pk, "eu.interaction", "md"])
    assert as_auditor.get(url).status_code == 404
    url = reverse("programme:notice-download", args=[screener.pk, "co.pre-use", "docx"])
    assert as_auditor.get(url).status_code == 404


def test_markup_in_inventory_facts_is_not_html_in_the_notice(screener, as_auditor):
    screener.description = "<script>alert(1)</script> scores"
    screener.save()
    html = as_auditor.get(
        reverse("programme:notice-download", args=[screener.pk, "co.pre-use", "html"])
    ).content.decode()
    assert "<script>" not in html and "&lt;script&gt;" in html
