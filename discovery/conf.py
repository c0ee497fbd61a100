"""Discovery settings, read in one place. The engine never reads settings: it gets these values."""

import hashlib
import hmac

from django.conf import settings


def chunk_target_bytes() -> int:
    """Chunk size for splitting a log file into tasks."""
    return int(getattr(settings, "SIGHTLINE_INGEST_CHUNK_BYTES", 32 * 1024 * 1024))


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


def host_allowlist() -> set[str]:
    """Sanctioned internal AI gateways that the possible-AI heuristics should not report."""
    return set(getattr(settings, "SIGHTLINE_DISCOVERY_HOST_ALLOWLIST", []) or [])
