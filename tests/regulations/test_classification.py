"""Stored classification: computed on change, re-run when content loads, overrides audited beside it."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from core.models import AuditEntry
from inventory.services import ai_system_update
from regulations.models import ClassificationResult, Deadline, ManualOverride, Organisation
from regulations.selectors import checklist_items_for_system, classification_current
from regulations.services import classification_override, classification_run
from tests.regulations.content_factory import write_version


def load(content_dir, **kwargs):
    call_command("load_content", content_dir=content_dir, stdout=io.StringIO(), **kwargs)


@pytest.mark.django_db
def test_creating_a_system_classifies_it_on_commit(
    loaded_zz, make_system, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        system = make_system()
    result = classification_current(system)["zz"]
    assert result.applies is True
    assert result.outcome == "high"
    assert result.outcome_label == "High risk: sole decision-maker"
    assert result.high_risk is True
    assert result.roles == ["deployer"]
    assert result.triggered_obligations == ["zz.v1.obligation.review", "zz.v1.obligation.notice"]
    sole = next(r for r in result.rationale if r["rule_id"] == "zz.v1.rule.sole")
    assert sole["met"] is True and sole["citation"] == "Art 1"


@pytest.mark.django_db
def test_unchanged_facts_store_no_new_result(loaded_zz, make_system):
    system = make_system()
    classification_run(system=system)
    classification_run(system=system)
    assert ClassificationResult.objects.filter(system=system).count() == 1


@pytest.mark.django_db
def test_changing_a_fact_stores_a_new_result_linked_to_the_previous(
    loaded_zz, make_system, officer, eager_celery, django_capture_on_commit_callbacks
):
    system = make_system()
    classification_run(system=system)
    with django_capture_on_commit_callbacks(execute=True):
        ai_system_update(actor=officer, system=system, data={"domains": ["marketing"]})
    results = list(ClassificationResult.objects.filter(system=system).order_by("pk"))
    assert len(results) == 2
    assert results[1].applies is False
    assert results[1].previous_id == results[0].pk
    entry = AuditEntry.objects.filter(action="classification.change").order_by("-seq").first()
    assert entry.changes["applies"] == [True, False]
    assert entry.changes["fact:domains"] == [["employment"], ["marketing"]]
    # The deadline of an obligation no longer triggered is cancelled, not deleted.
    review = Deadline.objects.filter(system=system, obligation_key="zz.v1.obligation.review")
    assert review.exists() and all(d.cancelled_at for d in review)


@pytest.mark.django_db
def test_new_version_file_reclassifies_while_old_results_keep_their_version(
    content_dir, make_system, eager_celery
):
    write_version(content_dir)
    load(content_dir)
    system = make_system()
    classification_run(system=system)
    old = classification_current(system)["zz"]
    assert old.content_version.version == "v1"

    write_version(content_dir, version="v2", effective_from="2025-01-01", domain="marketing")
    load(content_dir)  # queues classify_all_task, run inline here

    new = classification_current(system)["zz"]
    assert new.pk != old.pk
    assert new.content_version.version == "v2"
    assert new.applies is False  # v2 covers marketing only
    old.refresh_from_db()
    assert old.content_version.version == "v1"
    assert old.applies is True


@pytest.mark.django_db
def test_org_profile_feeds_the_engine(loaded_zz, make_system):
    org = Organisation.get()
    org.employees = 1234
    org.does_business_in = ["EU", "CO"]
    org.save()
    system = make_system()
    result = classification_run(system=system)[0]
    assert result.inputs["org"]["employees"] == 1234
    assert result.inputs["org"]["does_business_in"] == ["CO", "EU"]


@pytest.mark.django_db
def test_override_is_audited_and_shown_beside_the_computed_result(loaded_zz, make_system, officer):
    system = make_system()
    result = classification_run(system=system)[0]
    override = classification_override(
        actor=officer,
        result=result,
        outcome_label="Not high risk: human reviews every decision",
        risk_tier="minimal",
        high_risk=False,
        justification="Recruiters review every ranking.",
    )
    result.refresh_from_db()
    assert result.outcome == "high" and result.high_risk is True  # computed result untouched
    assert ManualOverride.objects.get().result_id == result.pk
    entry = AuditEntry.objects.get(action="classification.override")
    assert entry.actor_id == officer.pk
    assert entry.target_id == str(override.pk)
    assert entry.changes["justification"] == [None, "Recruiters review every ranking."]
    assert entry.changes["computed"] == [None, "High risk: sole decision-maker (high)"]


@pytest.mark.django_db
def test_override_without_justification_is_refused(loaded_zz, make_system, officer):
    system = make_system()
    result = classification_run(system=system)[0]
    with pytest.raises(ValidationError):
        classification_override(
            actor=officer,
            result=result,
            outcome_label="x",
            risk_tier="minimal",
            high_risk=False,
            justification="  ",
        )
    assert not ManualOverride.objects.exists()


@pytest.mark.django_db
def test_checklist_items_follow_the_regimes_that_apply(loaded_zz, make_system):
    applies = make_system()
    outside = make_system(name="Marketing copy", domains=["marketing"])
    classification_run(system=applies)
    classification_run(system=outside)
    assert [i.key for i in checklist_items_for_system(applies)] == ["zz.v1.checklist.docs"]
    assert checklist_items_for_system(outside) == []
