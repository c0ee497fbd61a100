"""Writing and verifying the audit hash chain."""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from core.models import GENESIS_HASH, AuditEntry, ChainHead


def canonical_json(value: Any) -> str:
    """Stable text for hashing: sorted keys, no whitespace, non-JSON values as strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def jsonable(value: Any) -> Any:
    return json.loads(canonical_json(value))


_EXACT_INT = 2**53


def _stable_numbers(value: Any) -> Any:
    """PostgreSQL jsonb reads a float like 3e+26 back as the integer 300000000000000000000000000.

    Integers too big for a float's exact range are hashed in float form, so an entry hashes the
    same before and after its round trip through the database (SQLite keeps the text as written).
    """
    if isinstance(value, dict):
        return {k: _stable_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stable_numbers(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _EXACT_INT:
        return float(value)
    return value


HASH_VERSION = 2  # 2: the actor's id is hashed too (version-1 entries keep their own format)


def entry_digest(entry: AuditEntry) -> str:
    content = {
        "seq": entry.seq,
        "created_at": entry.created_at.astimezone(dt.UTC).isoformat(),
        "actor": entry.actor_label,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_repr": entry.target_repr,
        "changes": _stable_numbers(entry.changes),
        "prev_hash": entry.prev_hash,
    }
    if entry.hash_version >= 2:
        content["hash_version"] = entry.hash_version
        content["actor_id"] = entry.actor_id
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a row, JSON-safe, for diffing before and after a write."""
    data = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.name] = getattr(instance, field.attname)
    return jsonable(data)


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field that changed; a create has old None, a delete new None."""
    before, after = before or {}, after or {}
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _entry(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
) -> AuditEntry:
    """An entry not yet linked: its place in the chain is given under the head's lock."""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        target_repr = str(target)[:300]
    has_user = bool(getattr(actor, "pk", None))
    return AuditEntry(
        actor=actor if has_user else None,
        actor_label=actor.get_username() if has_user else str(actor or "system"),
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        target_repr=target_repr[:300],
        changes=jsonable(changes or {}),
        hash_version=HASH_VERSION,
    )


def _append(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Links entries after the chain head, in order, with one lock of the head and one insert.
    The head row stays locked until the caller's transaction ends, so writers never fork it."""
    if not entries:
        return entries
    with transaction.atomic():
        ChainHead.objects.bulk_create(
            [ChainHead(pk=1, seq=0, hash=GENESIS_HASH)], ignore_conflicts=True
        )
        head = ChainHead.objects.select_for_update().get(pk=1)
        for entry in entries:
            entry.seq = head.seq + 1
            entry.created_at = timezone.now()
            entry.prev_hash = head.hash
            entry.hash = entry_digest(entry)
            head.seq, head.hash = entry.seq, entry.hash
        AuditEntry.objects.bulk_create(entries)
        head.save(update_fields=["seq", "hash"])
    return entries


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
) -> AuditEntry:
    """Append one entry; call it inside the transaction of the write it records."""
    entry = _entry(
        actor=actor,
        action=action,
        target=target,
        changes=changes,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
    )
    return _append([entry])[0]


def audit_record_many(entries: Iterable[Mapping[str, Any]]) -> list[AuditEntry]:
    """Append many entries, each given as audit_record's keyword arguments, in order: the same
    chain N audit_record calls would write, for one lock and one insert (a batch's findings)."""
    return _append([_entry(**kwargs) for kwargs in entries])


def create_audited(
    instance: models.Model, *, actor, action: str, fields: list[str] | None = None, extra=None
) -> models.Model:
    """Validate and insert a row with one audit entry of its fields (and `extra` changes)."""
    instance.full_clean()
    instance.save()
    changes = diff(None, snapshot(instance, fields)) | (extra or {})
    audit_record(actor=actor, action=action, target=instance, changes=changes)
    return instance


def update_audited(
    instance: models.Model, *, actor, action: str, before: dict, fields: list[str] | None = None
) -> dict[str, list[Any]]:
    """Validate an edited row; save it with one audit entry only if a field moved from `before`.
    Returns the changes, empty for a no-op edit (which writes nothing)."""
    instance.full_clean()
    changes = diff(before, snapshot(instance, fields))
    if changes:
        instance.save()
        audit_record(actor=actor, action=action, target=instance, changes=changes)
    return changes


@dataclass(frozen=True)
class ChainVerification:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def audit_verify() -> ChainVerification:
    """Walk the chain in order; report the first entry whose hash or link does not hold."""
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return ChainVerification(
                False, checked, expected_seq, f"entry #{expected_seq} is missing"
            )
        if entry.prev_hash != prev_hash:
            return ChainVerification(
                False, checked, entry.seq, "link to the previous entry does not match"
            )
        if entry_digest(entry) != entry.hash:
            return ChainVerification(False, checked, entry.seq, "content does not match its hash")
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = ChainHead.objects.filter(pk=1).first()
    if head and head.seq != checked:
        return ChainVerification(
            False, checked, checked + 1, f"chain head says {head.seq} entries, found {checked}"
        )
    return ChainVerification(True, checked)


def audit_history(target: models.Model):
    return AuditEntry.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).select_related("actor")
