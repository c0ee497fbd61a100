import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import ChecklistItemStatus, EvidenceFile
from assessments.selectors import checklist_request_text, vendor_scorecard
from assessments.services import (
    evidence_expiry_check,
    evidence_review,
    evidence_upload,
)
from assessments.tasks import evidence_expiry_check_task
from core.storage import blob_path
from regulations.models import Deadline
from tests.assessments import samples

Status = ChecklistItemStatus.Status
TODAY = dt.date(2027, 3, 1)


def item(checklist, key):
    return checklist.items.get(item__key=key)


def pdf(name="instructions.pdf", data=samples.PDF):
    return SimpleUploadedFile(name, data)


def test_checklist_is_generated_from_the_applying_regimes_items(checklist):
    assert sorted(checklist.items.values_list("item__key", flat=True)) == [
        "eu.doc.accuracy",
        "eu.doc.doc",
        "eu.doc.instructions",
    ]
    assert set(checklist.items.values_list("status", flat=True)) == {Status.MISSING}


def test_upload_is_content_addressed_and_a_replacement_is_a_new_version(procurement, checklist):
    row = item(checklist, "eu.doc.instructions")
    first = evidence_upload(actor=procurement, item_status=row, upload=pdf())
    second = evidence_upload(
        actor=procurement, item_status=row, upload=pdf(data=samples.PDF + b"% v2\n")
    )
    row.refresh_from_db()
    assert (first.version, second.version, second.supersedes_id) == (1, 2, first.pk)
    assert row.current_file == second and row.status == Status.PROVIDED
    assert blob_path(first.sha256).read_bytes() == samples.PDF
    with pytest.raises(PermissionError):
        first.name = "changed.pdf"
        first.save()


def test_renamed_exe_is_rejected_and_nothing_recorded(procurement, checklist):
    with pytest.raises(ValidationError, match="Windows executable"):
        evidence_upload(
            actor=procurement,
            item_status=item(checklist, "eu.doc.doc"),
            upload=pdf("conformity.pdf", samples.EXE),
        )
    assert EvidenceFile.objects.count() == 0


def test_oversize_upload_is_rejected(settings, procurement, checklist):
    settings.SIGHTLINE_EVIDENCE_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="larger than the limit"):
        evidence_upload(
            actor=procurement,
            item_status=item(checklist, "eu.doc.doc"),
            upload=pdf(data=samples.PDF * 10),
        )


def test_officer_reviews_and_rejection_needs_a_reason(officer, procurement, checklist):
    row = item(checklist, "eu.doc.accuracy")
    with pytest.raises(PermissionDenied):
        evidence_upload(actor=officer, item_status=row, upload=pdf())
    evidence_upload(actor=procurement, item_status=row, upload=pdf())
    with pytest.raises(PermissionDenied):
        evidence_review(actor=procurement, item_status=row, decision=Status.ACCEPTED)
    with pytest.raises(ValidationError, match="reason"):
        evidence_review(actor=officer, item_status=row, decision=Status.REJECTED)
    row = evidence_review(
        actor=officer, item_status=row, decision=Status.REJECTED, reason="No per-group metrics"
    )
    assert (row.status, row.reason) == (Status.REJECTED, "No per-group metrics")
    assert "No per-group metrics" in checklist_request_text(checklist=checklist)


def test_expiry_task_marks_expired_and_creates_one_deadline_before_expiry(
    officer, procurement, checklist, monkeypatch
):
    soon = item(checklist, "eu.doc.instructions")
    lapsing = item(checklist, "eu.doc.accuracy")
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    evidence_upload(
        actor=procurement, item_status=soon, upload=pdf(), expiry_date=TODAY + dt.timedelta(days=10)
    )
    evidence_upload(
        actor=procurement,
        item_status=lapsing,
        upload=pdf(),
        expiry_date=TODAY + dt.timedelta(days=2),
    )
    evidence_review(actor=officer, item_status=lapsing, decision=Status.ACCEPTED)

    later = TODAY + dt.timedelta(days=5)
    assert evidence_expiry_check(today=later) == {"expired": 1, "deadlines": 1}
    lapsing.refresh_from_db()
    assert lapsing.status == Status.EXPIRED
    deadline = Deadline.objects.get(kind="evidence_expiry")
    assert deadline.due_date == TODAY + dt.timedelta(days=10)
    assert deadline.system == checklist.system
    # Re-running changes nothing.
    assert evidence_expiry_check(today=later) == {"expired": 0, "deadlines": 0}
    assert Deadline.objects.filter(kind="evidence_expiry").count() == 1


def test_expiry_beat_task_runs_the_service(procurement, checklist):
    row = item(checklist, "eu.doc.doc")
    evidence = evidence_upload(actor=procurement, item_status=row, upload=pdf())
    EvidenceFile.objects.filter(pk=evidence.pk).update(expiry_date=dt.date(2020, 1, 1))
    assert evidence_expiry_check_task.apply().get() == {"expired": 1, "deadlines": 0}


def test_request_text_lists_only_missing_rejected_and_expired(procurement, checklist):
    evidence_upload(
        actor=procurement, item_status=item(checklist, "eu.doc.instructions"), upload=pdf()
    )
    text = checklist_request_text(checklist=checklist, sender_name="Priya")
    assert "Dear Dana Vendor," in text and "To: dana@hirerank.example" in text
    assert "EU declaration of conformity [Art 47]" in text
    assert "Instructions for use" not in text
    assert "2 item(s)" in text


def test_scorecard_computes_completeness_per_regime(officer, procurement, checklist):
    row = item(checklist, "eu.doc.instructions")
    evidence_upload(actor=procurement, item_status=row, upload=pdf())
    evidence_review(actor=officer, item_status=row, decision=Status.ACCEPTED)
    card = vendor_scorecard()
    assert card["regimes"] == ["eu"]
    (vendor_row,) = card["rows"]
    assert vendor_row["overall"]["percent"] == 33
    assert vendor_row["cells"][0]["accepted"] == 1 and vendor_row["cells"][0]["missing"] == 2


def test_beat_schedule_names_the_registered_expiry_task(settings):
    from sightline.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["assessments-evidence-expiry"]
    assert entry["task"] in app.tasks
