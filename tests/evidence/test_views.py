import datetime as dt

import pytest
from django.urls import reverse

from core.models import AuditEntry
from evidence.builder import pack_build
from evidence.models import EvidencePack
from evidence.services import pack_create
from tests.conftest import PASSWORD

PERIOD = {"period_from": dt.date(2026, 1, 1), "period_to": dt.date(2026, 6, 30)}


@pytest.fixture
def done_pack(storage_dir, auditor, eu_regime):
    pack = pack_create(actor=auditor, regime="eu", queue=False, **PERIOD)
    return pack_build(pack_id=pack.pk)


def test_progress_polling_stops_when_the_pack_is_done(client, auditor, done_pack):
    client.login(username=auditor.username, password=PASSWORD)
    response = client.get(
        reverse("evidence:pack-progress", kwargs={"pk": done_pack.pk}), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 286  # htmx stops polling on 286
    assert done_pack.zip_sha256 in response.content.decode()


def test_progress_keeps_polling_while_queued(client, auditor, storage_dir):
    pack = pack_create(actor=auditor, queue=False, **PERIOD)
    client.login(username=auditor.username, password=PASSWORD)
    response = client.get(reverse("evidence:pack-progress", kwargs={"pk": pack.pk}))
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in response.content.decode()


def test_download_is_an_attachment_and_is_audited(client, officer, done_pack, storage_dir):
    client.login(username=officer.username, password=PASSWORD)
    response = client.get(
        reverse("evidence:pack-download", kwargs={"pk": done_pack.pk, "kind": "zip"})
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"sightline-evidence-pack-{done_pack.pk}.zip" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert len(body) == done_pack.zip_size
    entry = AuditEntry.objects.get(action="pack.download_zip")
    assert entry.actor == officer
    assert entry.changes["sha256"] == [None, done_pack.zip_sha256]


def test_create_form_rejects_a_reversed_period(client, auditor):
    client.login(username=auditor.username, password=PASSWORD)
    response = client.post(
        reverse("evidence:pack-create"),
        {"regime": "eu", "period_from": "2026-06-30", "period_to": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "must end on or after its start" in response.content.decode()
    assert not EvidencePack.objects.exists()


def test_api_create_queues_a_pack_and_audits_it(client, auditor, settings, eu_regime):
    client.login(username=auditor.username, password=PASSWORD)
    response = client.post(
        "/api/evidence-packs/",
        {"regime": "eu", "period_from": "2026-01-01", "period_to": "2026-06-30"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued"
    assert AuditEntry.objects.filter(action="pack.create", actor=auditor).count() == 1


def test_public_key_page_needs_no_login(client, signing_key):
    response = client.get(reverse("evidence:public-key"))
    assert response.status_code == 200
    assert signing_key.fingerprint in response.content.decode()
    pem = client.get(reverse("evidence:public-key-pem"))
    assert pem["Content-Disposition"].startswith("attachment;")
    assert b"BEGIN PUBLIC KEY" in pem.content
