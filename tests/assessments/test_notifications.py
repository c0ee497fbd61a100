"""Evidence expiry e-mails and the evidence-owed inbox section, for whoever runs the checklist."""

import datetime as dt

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from assessments.models import ChecklistItemStatus
from assessments.services import evidence_expiry_check, evidence_upload
from core.inbox import inbox_for
from core.notifications import notification_preferences_update
from tests.assessments import samples

TODAY = dt.date(2027, 3, 1)


def _upload_expiring(procurement, checklist):
    row = checklist.items.get(item__key="eu.doc.instructions")
    evidence_upload(
        actor=procurement,
        item_status=row,
        upload=SimpleUploadedFile("instructions.pdf", samples.PDF),
        expiry_date=TODAY + dt.timedelta(days=10),
    )
    return row


def test_expiring_evidence_mails_the_checklist_owner_once(
    procurement, checklist, monkeypatch, settings
):
    settings.SIGHTLINE_BASE_URL = "https://sightline.example.org/"
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    _upload_expiring(procurement, checklist)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert evidence_expiry_check(today=TODAY)["deadlines"] == 1
        assert evidence_expiry_check(today=TODAY)["deadlines"] == 0
    assert [m.to for m in mail.outbox] == [[procurement.email]]
    assert "Evidence expires" in mail.outbox[0].subject
    link = f"https://sightline.example.org/assessments/vendors/checklists/{checklist.pk}/"
    assert link in mail.outbox[0].body


def test_expiring_evidence_is_not_mailed_to_someone_who_switched_it_off(
    procurement, checklist, monkeypatch
):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    notification_preferences_update(actor=procurement, enabled=["submitted"])
    _upload_expiring(procurement, checklist)
    with TestCase.captureOnCommitCallbacks(execute=True):
        evidence_expiry_check(today=TODAY)
    assert mail.outbox == []


def test_evidence_owed_lists_missing_items_of_my_checklists(procurement, officer, checklist):
    owed = {s.section.key: s for s in inbox_for(procurement)}["evidence-owed"]
    assert owed.count == checklist.items.count() == 3
    assert all(i.flag == "missing" for i in owed.items)
    assert {s.section.key: s.count for s in inbox_for(officer)}["evidence-owed"] == 0
    _upload_expiring(procurement, checklist)
    owed = {s.section.key: s for s in inbox_for(procurement)}["evidence-owed"]
    assert owed.count == 2
    assert ChecklistItemStatus.objects.filter(status="provided").count() == 1
