"""Writes for evidence packs: creating one (queued on commit) and recording each download, all audited."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.audit import audit_record
from core.roles import is_reader
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
        transaction.on_commit(lambda: pack_build_task.delay(pack.pk))
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
