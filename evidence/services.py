"""Writes for evidence packs: creating one (queued on commit) and recording each download, all audited."""

import datetime as dt
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.jobs import task_submit
from core.roles import is_reader
from evidence.jobs import pack_unqueued
from evidence.models import EvidencePack
from evidence.tasks import pack_build_task
from inventory.models import AISystem
from regulations.selectors import regime_get

EXPORT_PERMISSION = "core.export_data"


def _check_export(actor) -> None:
    if not (is_reader(actor) and actor.has_perm(EXPORT_PERMISSION)):
        raise PermissionDenied("Only auditors and compliance officers may export evidence packs.")


@transaction.atomic
def pack_create(
    *,
    actor,
    regime: str = "",
    systems: list[AISystem] | None = None,
    period_from: dt.date,
    period_to: dt.date,
    queue: bool = True,
) -> EvidencePack:
    """Exports are evidence of what was shown to whom, so the request itself is audited before any work."""
    _check_export(actor)
    scoped = regime_get(code=regime) if regime else None
    if regime and scoped is None:
        raise ValidationError({"regime": f"No regime {regime!r} is loaded in the content."})
    if period_from > period_to:
        raise ValidationError({"period_to": "The period must end on or after its start."})
    pack = EvidencePack(
        regime=regime or "",
        all_systems=systems is None,
        period_from=period_from,
        period_to=period_to,
        created_by=actor,
    )
    pack.regime_name = scoped.name if scoped else None
    pack.full_clean()
    pack.save()
    if systems is not None:
        if not systems:
            raise ValidationError({"systems": "Choose at least one system, or all systems."})
        pack.systems.set(systems)
    audit_record(
        actor=actor,
        action="pack.create",
        target=pack,
        changes={
            "regime": [None, pack.regime or "all"],
            "systems": [None, "all" if systems is None else sorted(s.pk for s in systems)],
            "period_from": [None, period_from.isoformat()],
            "period_to": [None, period_to.isoformat()],
        },
    )
    if queue:
        transaction.on_commit(partial(pack_dispatch, pack_id=pack.pk))
    return pack


def pack_dispatch(*, pack_id: int) -> None:
    """Queues the build; a broker that is down fails the pack (retryable) and raises
    core.jobs.QueueUnavailable, which the page and the API answer with a 503."""
    EvidencePack.objects.filter(pk=pack_id).update(heartbeat_at=timezone.now())
    task_submit(
        pack_build_task,
        kwargs={"pack_id": pack_id},
        on_fail=partial(pack_unqueued, pack_id=pack_id),
        url=reverse("evidence:pack-detail", kwargs={"pk": pack_id}),
    )


@transaction.atomic
def pack_retry(*, actor, pack: EvidencePack) -> EvidencePack:
    """A failed build (worker lost, queue down, an error) is built again from the start."""
    _check_export(actor)
    pack = EvidencePack.objects.select_for_update().get(pk=pack.pk)
    if pack.status != EvidencePack.Status.FAILED:
        raise ValidationError("Only a failed pack can be retried.")
    error = pack.error
    pack.status, pack.error, pack.progress, pack.progress_note = (
        EvidencePack.Status.QUEUED,
        "",
        0,
        "Queued again",
    )
    pack.started_at = pack.finished_at = None
    pack.save(
        update_fields=["status", "error", "progress", "progress_note", "started_at", "finished_at"]
    )
    audit_record(
        actor=actor,
        action="pack.retry",
        target=pack,
        changes={"status": [EvidencePack.Status.FAILED, pack.status], "error": [error[:500], ""]},
    )
    transaction.on_commit(partial(pack_dispatch, pack_id=pack.pk))
    return pack


@transaction.atomic
def pack_download_record(*, actor, pack: EvidencePack, kind: str) -> None:
    """Each download is an export of governed data; the audit trail says who took which file."""
    _check_export(actor)
    sha = pack.zip_sha256 if kind == "zip" else pack.pdf_sha256
    audit_record(
        actor=actor,
        action=f"pack.download_{kind}",
        target=pack,
        changes={"file": [None, kind], "sha256": [None, sha]},
    )
