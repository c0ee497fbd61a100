"""Keyed checkpoints of the audit chain: someone with database access and our code, but not the
signing key, can re-hash the whole chain, and the signed chain head still gives them away. New
entries also hash their actor's id, while older entries keep verifying under their own format."""

import json

import pytest
from django.db import connection
from django.urls import reverse

from core.audit import audit_record, audit_verify, entry_digest
from core.audit_checkpoint import audit_checkpoint_create, checkpoints_verify
from core.models import AuditCheckpoint, AuditEntry
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _key(signing_key):
    """The pack-signing key (a throwaway one here) also signs audit checkpoints."""


def write(n, actor):
    for i in range(n):
        audit_record(actor=actor, action="test.write", target_type="x", target_repr=f"row {i}",
                     changes={"i": [None, i]})  # fmt: skip


def raw_update(seq: int, **fields) -> None:
    """What an attacker with database access does: bypass the append-only ORM."""
    sets = ", ".join(f"{name} = %s" for name in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE core_auditentry SET {sets} WHERE seq = %s", [*fields.values(), seq])


def rehash_everything() -> None:
    """Recompute every hash and link with our own code, as someone without the key could."""
    prev = "0" * 64
    for entry in AuditEntry.objects.order_by("seq"):
        entry.prev_hash = prev
        digest = entry_digest(entry)
        raw_update(entry.seq, prev_hash=prev, hash=digest)
        prev = digest
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_chainhead SET hash = %s", [prev])


def all_good() -> bool:
    return audit_verify().ok and checkpoints_verify().ok


def test_a_checkpoint_signs_count_and_last_hash(officer):
    write(3, officer)
    checkpoint = audit_checkpoint_create()
    last = AuditEntry.objects.get(seq=checkpoint.seq)
    assert checkpoint.seq == AuditEntry.objects.count() - 1  # its own audit entry comes after it
    assert checkpoint.head_hash == last.hash
    assert len(checkpoint.signature) >= 64 and checkpoint.key_fingerprint
    assert all_good()


def test_rehashing_the_whole_chain_without_the_key_is_detected(officer):
    write(3, officer)
    audit_checkpoint_create()
    write(2, officer)
    raw_update(2, target_repr="quietly rewritten")
    assert not audit_verify().ok
    rehash_everything()
    assert audit_verify().ok  # the plain chain cannot tell
    result = checkpoints_verify()
    assert not result.ok and "does not match" in result.reason


def test_a_forged_checkpoint_fails_its_signature(officer):
    write(2, officer)
    checkpoint = audit_checkpoint_create()
    raw_update(1, target_repr="rewritten")
    rehash_everything()
    head = AuditEntry.objects.get(seq=checkpoint.seq)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditcheckpoint SET head_hash = %s WHERE id = %s",
            [head.hash, checkpoint.pk],
        )
    result = checkpoints_verify()
    assert not result.ok and "signature" in result.reason


def test_new_entries_hash_their_actor_id(officer, officer2):
    write(1, officer)
    assert audit_verify().ok
    raw_update(1, actor_id=officer2.pk)
    result = audit_verify()
    assert not result.ok and result.broken_seq == 1


def test_entries_in_the_old_format_still_verify(officer):
    """Entries written before actor_id was hashed carry hash_version 1 and are checked as such."""
    write(2, officer)
    for entry in AuditEntry.objects.order_by("seq"):
        entry.hash_version = 1
    prev = "0" * 64
    for entry in AuditEntry.objects.order_by("seq"):
        entry.hash_version, entry.prev_hash = 1, prev
        digest = entry_digest(entry)
        raw_update(entry.seq, hash_version=1, prev_hash=prev, hash=digest)
        prev = digest
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_chainhead SET hash = %s", [prev])
    assert audit_verify().ok
    raw_update(1, actor_id=None)  # not part of a version-1 hash
    assert audit_verify().ok


def test_verify_audit_command_checks_checkpoints(officer):
    from django.core.management import CommandError, call_command

    write(2, officer)
    audit_checkpoint_create()
    raw_update(1, target_repr="rewritten")
    rehash_everything()
    with pytest.raises(CommandError, match="checkpoint"):
        call_command("verify_audit")


def test_the_nightly_task_adds_a_checkpoint(officer):
    from core.tasks import audit_checkpoint_task

    write(1, officer)
    audit_checkpoint_task()
    assert AuditCheckpoint.objects.count() == 1
    assert AuditEntry.objects.filter(action="audit.checkpoint").exists()


def test_auditors_export_the_checkpoints(client, auditor, officer):
    write(1, officer)
    checkpoint = audit_checkpoint_create()
    client.login(username=auditor.username, password=PASSWORD)
    response = client.get(reverse("audit-checkpoints"))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["checkpoints"][0]["head_hash"] == checkpoint.head_hash
    assert data["checkpoints"][0]["signature"] == checkpoint.signature
    assert data["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")


def test_deleting_a_user_leaves_their_entries_verifying(officer, officer2):
    write(2, officer2)
    officer2.delete()
    assert AuditEntry.objects.filter(actor_id__isnull=False).count() == 2
    assert audit_verify().ok


def test_the_verify_page_and_nightly_check_report_a_rehashed_chain(client, auditor, officer):
    from core.tasks import audit_verify_run

    write(2, officer)
    audit_checkpoint_create()
    raw_update(1, target_repr="rewritten")
    rehash_everything()
    client.login(username=auditor.username, password=PASSWORD)
    page = client.get(reverse("audit-verify")).content.decode()
    assert "checkpoint at #" in page and "Broken" in page
    outcome = audit_verify_run()
    assert outcome["ok"] is False and "checkpoint" in outcome["reason"]
