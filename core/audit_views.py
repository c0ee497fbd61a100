"""Signed audit checkpoints as JSON, so auditors keep a copy outside Sightline's database."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from core.audit_checkpoint import CONTEXT, CheckpointKeyMissing, public_key_pem
from core.htmx import HtmxHttpRequest
from core.models import AuditCheckpoint
from core.permissions import reader_required


@require_GET
@reader_required
def audit_checkpoints(request: HtmxHttpRequest) -> JsonResponse:
    try:
        pem = public_key_pem()
    except CheckpointKeyMissing:
        pem = ""
    rows = AuditCheckpoint.objects.order_by("-seq", "-pk").values(
        "seq", "head_hash", "created_at", "signature", "key_fingerprint"
    )
    return JsonResponse(
        {
            "format": CONTEXT,
            "signed_message": "'<format>\\n<seq>\\n<head_hash>\\n<created_at, UTC ISO 8601>\\n', Ed25519",
            "public_key_pem": pem,
            "checkpoints": [{**row, "created_at": row["created_at"].isoformat()} for row in rows],
        },
        json_dumps_params={"indent": 2},
    )
