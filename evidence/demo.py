"""Demo: one complete EU evidence pack, built synchronously at seed time so `make run` shows it at once."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments.models import AssessmentRevision, EvidenceFile
from discovery.models import Finding
from evidence import signing
from evidence.builder import pack_build
from evidence.models import EvidencePack
from evidence.services import pack_create
from inventory.models import AISystem
from regulations.models import ClassificationResult
from regulations.selectors import regime_get

DEMO_USER = "auditor"
DEMO_REGIME = "eu"


def _present() -> dict[str, bool]:
    """Which other apps have demo rows; the pack is honest either way, but we say what is absent."""
    return {
        "classifications": ClassificationResult.objects.exists(),
        "approved assessments": AssessmentRevision.objects.filter(
            approved_at__isnull=False
        ).exists(),
        "evidence files": EvidenceFile.objects.exists(),
        "discovery findings": Finding.objects.exists(),
    }


def seed(*, stdout) -> None:
    actor = get_user_model().objects.filter(username=DEMO_USER).first()
    if actor is None or not AISystem.objects.exists():
        stdout.write("evidence: no demo auditor or systems yet; no demo pack.")
        return
    if EvidencePack.objects.filter(created_by=actor, status=EvidencePack.Status.DONE).exists():
        stdout.write("evidence: demo pack already built.")
        return
    try:
        signing.load_private_key()
    except signing.SigningKeyMissing as exc:
        stdout.write(f"evidence: {exc} No demo pack.")
        return
    absent = [name for name, ok in _present().items() if not ok]
    if absent:
        stdout.write(f"evidence: demo pack will say there are no {', '.join(absent)}.")
    # Packs are scoped by the loaded content: without the EU AI Act the demo pack covers all regimes.
    regime = DEMO_REGIME if regime_get(code=DEMO_REGIME) else ""
    if not regime:
        stdout.write(f"evidence: regime {DEMO_REGIME!r} is not loaded; the demo pack covers all.")
    today = timezone.localdate()
    pack = pack_create(
        actor=actor,
        regime=regime,
        period_from=today - dt.timedelta(days=365),
        period_to=today,
        queue=False,
    )
    pack = pack_build(pack_id=pack.pk)
    if pack.status != EvidencePack.Status.DONE:
        stdout.write(f"evidence: demo pack #{pack.pk} failed: {pack.error}")
        return
    stdout.write(
        f"evidence: demo pack #{pack.pk} built ({pack.pdf_pages} PDF pages, {pack.file_count} files, "
        f"{pack.missing_count} missing evidence files)."
    )
