"""A pack build whose worker died is failed by the watchdog, and a failed pack can be retried."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.jobs import jobs_watchdog
from core.models import AuditEntry
from evidence.models import EvidencePack
from evidence.services import pack_retry
from tests.evidence.factories import EvidencePackFactory

pytestmark = pytest.mark.django_db


def _pack(status: str, *, minutes_ago: float) -> EvidencePack:
    pack = EvidencePackFactory(status=status)
    EvidencePack.objects.filter(pk=pack.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return pack


def test_a_running_build_with_no_heartbeat_in_the_window_is_failed_and_audited(settings):
    settings.SIGHTLINE_WATCHDOG_MINUTES = 5
    stalled = _pack("running", minutes_ago=6)
    alive = _pack("running", minutes_ago=1)

    assert jobs_watchdog()["pack"] == 1

    stalled.refresh_from_db()
    assert stalled.status == "failed" and "stopped" in stalled.error
    assert EvidencePack.objects.get(pk=alive.pk).status == "running"
    entry = AuditEntry.objects.get(action="pack.stalled")
    assert entry.actor_label == "watchdog" and entry.target_id == str(stalled.pk)


def test_a_queued_build_waits_while_other_work_progresses(settings):
    settings.SIGHTLINE_WATCHDOG_MINUTES = 5
    waiting = _pack("queued", minutes_ago=20)
    _pack("running", minutes_ago=0.5)
    assert jobs_watchdog()["pack"] == 0
    assert EvidencePack.objects.get(pk=waiting.pk).status == "queued"


def test_a_failed_pack_is_queued_again_by_retry_with_an_audit_entry(auditor):
    pack = _pack("failed", minutes_ago=60)
    EvidencePack.objects.filter(pk=pack.pk).update(error="worker lost")

    pack_retry(actor=auditor, pack=pack)

    pack.refresh_from_db()
    assert (pack.status, pack.error, pack.progress) == ("queued", "", 0)
    entry = AuditEntry.objects.get(action="pack.retry")
    assert entry.changes["error"] == ["worker lost", ""]


def test_only_a_failed_pack_can_be_retried(auditor):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        pack_retry(actor=auditor, pack=_pack("running", minutes_ago=0))


def test_the_failed_pack_page_offers_retry_to_exporters_only(as_auditor, procurement, client):
    pack = _pack("failed", minutes_ago=60)
    url = reverse("evidence:pack-detail", kwargs={"pk": pack.pk})
    retry = reverse("evidence:pack-retry", kwargs={"pk": pack.pk})
    assert retry in as_auditor.get(url).content.decode()
    client.force_login(procurement)
    assert retry not in client.get(url).content.decode()
