"""Keyed checkpoints of the audit chain: the head (entry count and last hash) signed with the
Ed25519 key that signs evidence packs. The key is on disk, not in the database, so someone who
rewrites and re-hashes every entry still cannot produce a checkpoint that matches."""

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.models import GENESIS_HASH, AuditCheckpoint, AuditEntry, ChainHead

CONTEXT = "sightline-audit-checkpoint/1"


class CheckpointKeyMissing(RuntimeError):
    """The signing key file does not exist (`manage.py ensure_signing_key` creates it)."""


def _private_key() -> Ed25519PrivateKey:
    path = Path(settings.SIGHTLINE_PACK_SIGNING_KEY_PATH)
    if not path.is_file():
        raise CheckpointKeyMissing(f"signing key {path} is missing")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointKeyMissing(f"{path} is not an Ed25519 private key")
    return key


def public_key() -> Ed25519PublicKey:
    return _private_key().public_key()


def public_key_pem() -> str:
    return (
        public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def fingerprint(key: Ed25519PublicKey) -> str:
    """Same form as the pack verifier prints: sha256 of the raw key in groups of four."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()
    return ":".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def checkpoint_message(*, seq: int, head_hash: str, created_at) -> bytes:
    """What is signed, as text an auditor can rebuild: context, count, last hash, time (UTC)."""
    stamp = created_at.astimezone(dt.UTC).isoformat()
    return f"{CONTEXT}\n{seq}\n{head_hash}\n{stamp}\n".encode()


@transaction.atomic
def audit_checkpoint_create() -> AuditCheckpoint:
    """Sign the current head, store it, and record the checkpoint in the chain itself."""
    key = _private_key()
    ChainHead.objects.bulk_create(
        [ChainHead(pk=1, seq=0, hash=GENESIS_HASH)], ignore_conflicts=True
    )
    head = ChainHead.objects.select_for_update().get(pk=1)
    now = timezone.now()
    signature = key.sign(checkpoint_message(seq=head.seq, head_hash=head.hash, created_at=now))
    checkpoint = AuditCheckpoint.objects.create(
        seq=head.seq,
        head_hash=head.hash,
        created_at=now,
        signature=base64.b64encode(signature).decode(),
        key_fingerprint=fingerprint(key.public_key()),
    )
    audit_record(
        actor="audit-checkpoint-task",
        action="audit.checkpoint",
        target_type="core.auditcheckpoint",
        target_id=str(checkpoint.pk),
        target_repr=str(checkpoint),
        changes={"seq": [None, head.seq], "head_hash": [None, head.hash]},
    )
    return checkpoint


@dataclass(frozen=True)
class CheckpointVerification:
    ok: bool
    checked: int
    reason: str = ""


def checkpoints_verify(*, key: Ed25519PublicKey | None = None) -> CheckpointVerification:
    """Every checkpoint's signature holds, and the chain still has that hash at that count."""
    checkpoints = list(AuditCheckpoint.objects.order_by("seq", "pk"))
    if not checkpoints:
        return CheckpointVerification(True, 0)
    try:
        key = key or public_key()
    except CheckpointKeyMissing as exc:
        return CheckpointVerification(False, 0, f"cannot check checkpoints: {exc}")
    hashes = dict(
        AuditEntry.objects.filter(seq__in=[c.seq for c in checkpoints]).values_list("seq", "hash")
    )
    for checked, cp in enumerate(checkpoints):
        message = checkpoint_message(seq=cp.seq, head_hash=cp.head_hash, created_at=cp.created_at)
        try:
            key.verify(base64.b64decode(cp.signature), message)
        except (InvalidSignature, ValueError):
            return CheckpointVerification(
                False, checked, f"checkpoint at #{cp.seq}: the signature does not hold"
            )
        actual = GENESIS_HASH if cp.seq == 0 else hashes.get(cp.seq)
        if actual != cp.head_hash:
            return CheckpointVerification(
                False,
                checked,
                f"checkpoint at #{cp.seq}: the chain's hash there does not match the signed one "
                "(entries up to it were rewritten and re-hashed)",
            )
    return CheckpointVerification(True, len(checkpoints))
