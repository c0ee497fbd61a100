"""Builds one pack on disk: evidence files streamed into the ZIP, CSVs, JSON, the PDF, then the signed manifest."""

import hashlib
import logging
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.storage import open_blob
from evidence import exports, signing
from evidence.collect import PackData, Scope, collect
from evidence.collect.audit import scoped_entries
from evidence.models import EvidencePack
from evidence.pdf import render_pdf
from evidence.zipwriter import PackWriter

log = logging.getLogger(__name__)
Progress = Callable[[int, str], None]


def packs_dir() -> Path:
    return Path(settings.SIGHTLINE_STORAGE_DIR) / "packs"


def safe_component(text: str, *, fallback: str = "unnamed") -> str:
    """A readable path component that cannot climb out of its folder or confuse an unzip tool."""
    text = unicodedata.normalize("NFC", str(text or ""))
    text = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]+", "_", text).strip(" .")
    return text[:120] or fallback


def evidence_path(ref) -> str:
    owner = ref.vendor or (f"{ref.system} (in-house)" if ref.system else "Unassigned")
    return "/".join(
        [
            "evidence",
            safe_component(owner),
            safe_component(ref.item, fallback="General"),
            safe_component(ref.name, fallback=ref.sha256[:12]),
        ]
    )


def _copy_evidence(writer: PackWriter, data: PackData, progress: Progress) -> None:
    """Stream each blob in chunks; anything unreadable is marked missing, never silently dropped."""
    total = len(data.evidence) or 1
    for i, ref in enumerate(data.evidence):
        name = writer.unique_name(evidence_path(ref))
        try:
            source = open_blob(ref.sha256)
        except (OSError, ValueError) as exc:
            ref.missing, ref.problem = True, _reason(exc)
            continue
        try:
            with source:
                # Stored, not deflated: evidence is mostly PDFs and Office files (already
                # compressed), and deflating 100 MB costs ten seconds of a 60-second budget.
                entry = writer.add_stream(name, source, store=True)
        except OSError as exc:
            ref.missing, ref.problem = True, _reason(exc)
            continue
        ref.zip_path = name
        if entry.sha256 != ref.sha256:
            # Stored bytes no longer match the recorded hash: the file is included but flagged.
            ref.problem = f"stored file hashes to {entry.sha256}, not the recorded sha256"
            ref.missing = True
        if i % 10 == 0:
            progress(25 + int(45 * (i + 1) / total), f"Copying evidence files ({i + 1}/{total})")


def _reason(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError):
        return "file not found in storage"
    if isinstance(exc, PermissionError):
        return "file not readable"
    return f"unreadable ({exc.__class__.__name__})"


def build_pack_files(
    *,
    scope: Scope,
    out_dir: Path,
    pack_no: int | str,
    pack_meta: dict,
    created_by: str = "",
    progress: Progress | None = None,
) -> dict:
    """Pure build into `out_dir`: returns the file paths, hashes and counts for the caller to store."""
    progress = progress or (lambda pct, note: None)
    out_dir.mkdir(parents=True, exist_ok=True)
    base = f"sightline-evidence-pack-{pack_no}"
    zip_final, pdf_final = out_dir / f"{base}.zip", out_dir / f"{base}.pdf"
    pdf_name = f"{base}.pdf"
    clock = _Clock()
    data = collect(scope, progress=progress)
    clock.lap("collect")
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".build-") as tmp:
        tmp_dir = Path(tmp)
        writer = PackWriter(tmp_dir / "pack.zip")
        try:
            progress(25, "Copying evidence files")
            _copy_evidence(writer, data, progress)
            clock.lap("evidence")
            progress(70, "Writing CSV and JSON exports")

            for name, spool in (
                ("inventory.csv", exports.inventory_csv(data)),
                ("findings.csv", exports.findings_csv(data)),
                ("evidence-index.csv", exports.evidence_index_csv(data)),
                (
                    "audit.csv",
                    exports.audit_csv(data, scoped_entries(data).iterator(chunk_size=2000)),
                ),
            ):
                with spool:
                    writer.add_stream(name, spool)
            writer.add_bytes("classifications.json", exports.classifications_json(data))
            for extra in data.extra_sections:
                for name, content in extra.get("files", {}).items():
                    writer.add_bytes(name, content)
            content_sha256 = writer.content_sha256(exclude={pdf_name})
            fingerprint = signing.fingerprint(signing.public_key())
            clock.lap("exports")
            progress(75, "Rendering the PDF")
            pdf_tmp = tmp_dir / pdf_name
            pages = render_pdf(
                data,
                pdf_tmp,
                pack_no=pack_no,
                content_sha256=content_sha256,
                key_fingerprint=fingerprint,
                created_by=created_by,
                progress=progress,
            )
            clock.lap("pdf")
            progress(92, "Signing the manifest")
            pdf_entry = writer.add_file(pdf_name, pdf_tmp)
            manifest, _sig = writer.finish(
                pack={**pack_meta, "pdf_pages": pages}, pdf_name=pdf_name
            )
        except BaseException:
            writer.abort()
            raise
        zip_sha, zip_size = _file_sha256(tmp_dir / "pack.zip")
        clock.lap("seal")
        shutil.move(str(pdf_tmp), pdf_final)
        shutil.move(str(tmp_dir / "pack.zip"), zip_final)
    return {
        "zip_path": zip_final,
        "pdf_path": pdf_final,
        "zip_sha256": zip_sha,
        "zip_size": zip_size,
        "pdf_sha256": pdf_entry.sha256,
        "pdf_size": pdf_entry.size,
        "pdf_pages": pages,
        "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
        "content_sha256": content_sha256,
        "key_fingerprint": fingerprint,
        "file_count": len(writer.entries),
        "missing_count": len(data.missing_evidence),
        "timings": clock.laps,
    }


class _Clock:
    """Per-phase wall time, logged and reported by the benchmark."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 2)
        self._last = now


def _file_sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def pack_scope(pack: EvidencePack) -> Scope:
    ids = None if pack.all_systems else tuple(pack.systems.values_list("pk", flat=True))
    return Scope(pack.regime, ids, pack.period_from, pack.period_to)


def pack_build(*, pack_id: int) -> EvidencePack:
    """Run one queued pack to completion; a done pack is left alone, so a redelivered task is harmless."""
    pack = EvidencePack.objects.get(pk=pack_id)
    if pack.status == EvidencePack.Status.DONE:
        return pack
    EvidencePack.objects.filter(pk=pack.pk).update(
        status=EvidencePack.Status.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        progress=1,
        progress_note="Collecting data",
        error="",
    )

    def progress(pct: int, note: str) -> None:
        """Each step is also the build's heartbeat, which the watchdog checks."""
        EvidencePack.objects.filter(pk=pack.pk).update(
            progress=min(pct, 99), progress_note=note[:200], heartbeat_at=timezone.now()
        )

    meta = {
        "id": pack.pk,
        "regime": pack.regime or "all",
        "systems": "all" if pack.all_systems else sorted(pack.systems.values_list("pk", flat=True)),
        "period_from": pack.period_from.isoformat(),
        "period_to": pack.period_to.isoformat(),
        "created_by": pack.created_by.get_username() if pack.created_by else "",
        "created_at": pack.created_at.isoformat(),
        "generated_at": timezone.now().isoformat(),
    }
    try:
        result = build_pack_files(
            scope=pack_scope(pack),
            out_dir=packs_dir() / str(pack.pk),
            pack_no=pack.pk,
            pack_meta=meta,
            created_by=meta["created_by"],
            progress=progress,
        )
    except Exception as exc:
        log.exception("Evidence pack %s failed", pack.pk)
        _finish_failed(pack, exc)
        pack.refresh_from_db()
        return pack
    log.info("Evidence pack %s built: %s", pack.pk, result["timings"])
    pack = _finish_done(pack, result)
    pack.timings = result["timings"]
    return pack


@transaction.atomic
def _finish_done(pack: EvidencePack, result: dict) -> EvidencePack:
    pack = EvidencePack.objects.select_for_update().get(pk=pack.pk)
    root = Path(settings.SIGHTLINE_STORAGE_DIR)
    for key in ("zip_path", "pdf_path"):
        setattr(pack, key, str(Path(result[key]).relative_to(root)))
    for key in (
        "zip_sha256",
        "zip_size",
        "pdf_sha256",
        "pdf_size",
        "pdf_pages",
        "manifest_sha256",
        "content_sha256",
        "key_fingerprint",
        "file_count",
        "missing_count",
    ):
        setattr(pack, key, result[key])
    pack.status, pack.progress, pack.progress_note = EvidencePack.Status.DONE, 100, "Done"
    pack.finished_at = timezone.now()
    pack.save()
    audit_record(
        actor="system",
        action="pack.build",
        target=pack,
        changes={
            "status": [EvidencePack.Status.RUNNING, EvidencePack.Status.DONE],
            "zip_sha256": [None, pack.zip_sha256],
            "pdf_sha256": [None, pack.pdf_sha256],
            "manifest_sha256": [None, pack.manifest_sha256],
            "missing_evidence": [None, pack.missing_count],
        },
    )
    return pack


@transaction.atomic
def _finish_failed(pack: EvidencePack, exc: Exception) -> None:
    message = str(exc) or exc.__class__.__name__
    EvidencePack.objects.filter(pk=pack.pk).update(
        status=EvidencePack.Status.FAILED,
        error=message[:2000],
        finished_at=timezone.now(),
        progress_note="Failed",
    )
    audit_record(
        actor="system",
        action="pack.build_failed",
        target=pack,
        changes={
            "status": [EvidencePack.Status.RUNNING, EvidencePack.Status.FAILED],
            "error": [None, message[:500]],
        },
    )
