"""Discovery settings, read in one place. The engine never reads settings: it gets these values."""

import hashlib
import hmac
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError


def chunk_target_bytes() -> int:
    """Chunk size for splitting a log file into tasks."""
    return int(getattr(settings, "SIGHTLINE_INGEST_CHUNK_BYTES", 32 * 1024 * 1024))


def ingest_processes() -> int:
    """Engine processes `manage.py ingest --sync` parses chunks on: one per core unless
    SIGHTLINE_INGEST_PROCESSES (setting or environment) says otherwise."""
    configured = getattr(settings, "SIGHTLINE_INGEST_PROCESSES", None) or os.environ.get(
        "SIGHTLINE_INGEST_PROCESSES"
    )
    return max(1, int(configured or os.cpu_count() or 1))


def defer_hash_bytes() -> int:
    """Files this large (plain, on PostgreSQL) are hashed whole by the workers, not at registration."""
    return int(getattr(settings, "SIGHTLINE_INGEST_DEFER_HASH_BYTES", 64 * 1024 * 1024))


def upload_max_bytes() -> int:
    """The largest log file the upload form accepts."""
    return int(getattr(settings, "SIGHTLINE_UPLOAD_MAX_BYTES", 2 * 1024**3))


def pseudonym_key() -> bytes:
    """The HMAC key user names are pseudonymised with (derived from SECRET_KEY unless set)."""
    secret = getattr(settings, "SIGHTLINE_PSEUDONYM_KEY", "") or settings.SECRET_KEY
    return hmac.new(secret.encode(), b"sightline-discovery-pseudonym", hashlib.sha256).digest()


def bedrock_allowlist() -> set[str]:
    """Bedrock admin and application principals the LLMjacking rules must not flag."""
    return set(getattr(settings, "SIGHTLINE_BEDROCK_ALLOWLIST", []) or [])


def llmjacking_learning_days() -> int:
    """The LLMjacking learning period for CloudTrail ingested without a log source."""
    return int(getattr(settings, "SIGHTLINE_LLMJACKING_LEARNING_DAYS", 14))


def host_allowlist() -> set[str]:
    """Sanctioned internal AI gateways that the possible-AI heuristics should not report."""
    return set(getattr(settings, "SIGHTLINE_DISCOVERY_HOST_ALLOWLIST", []) or [])


def watch_roots() -> list[Path]:
    """The configured roots, symlinks resolved; empty means watched folders are off."""
    return [Path(os.path.realpath(r)) for r in settings.SIGHTLINE_WATCH_ROOTS if str(r).strip()]


def _never_watched() -> list[tuple[str, Path]]:
    """Folders holding Sightline's own secrets: the storage (keys, uploads) and the code and database."""
    return [
        ("Sightline's storage directory", Path(os.path.realpath(settings.SIGHTLINE_STORAGE_DIR))),
        (
            "the pack-signing key's folder",
            Path(os.path.realpath(settings.SIGHTLINE_PACK_SIGNING_KEY_PATH)).parent,
        ),
        ("Sightline's installation", Path(os.path.realpath(settings.BASE_DIR))),
    ]


def watch_path_problem(path: str | Path, roots: list[Path] | None = None) -> str:
    """Why this folder or file may not be read by a watch ('' when it may), judged after symlinks."""
    roots = watch_roots() if roots is None else roots
    if not roots:
        return (
            "Watched folders are turned off on this server: an administrator must list the folders "
            "logs may be read from in SIGHTLINE_WATCH_ROOTS."
        )
    if not os.path.isabs(path):
        return f"{path} is not an absolute path."
    real = Path(os.path.realpath(path))
    for name, folder in _never_watched():
        if real == folder or folder in real.parents or real in folder.parents:
            return f"{path} would read {name}, which is never watched."
    if not any(real == root or root in real.parents for root in roots):
        allowed = ", ".join(str(r) for r in roots)
        return f"{path} is not inside a watch root (SIGHTLINE_WATCH_ROOTS: {allowed})."
    return ""


def watch_path_check(path: str) -> str:
    """The folder as stored: resolved, and refused unless it lies under a configured root."""
    path = (path or "").strip()
    if not path:
        return ""
    if problem := watch_path_problem(path):
        raise ValidationError({"watch_path": problem})
    return os.path.realpath(path)
