"""Transparent gzip reading with a decompression-bomb guard."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

from .records import SkipReason

MAX_DECOMPRESSED_BYTES = 8 * 1024**3  # absolute cap per file
MAX_RATIO = 200  # decompressed/compressed, enforced once output passes RATIO_GRACE_BYTES
RATIO_GRACE_BYTES = 64 * 1024**2
READ_BYTES = 1 << 16  # deflate inflates at most ~1032x, so one read yields <= ~66 MB


class GzipGuardError(Exception):
    """A gzip stream is corrupt, truncated, or inflates beyond the guard."""

    def __init__(self, reason: SkipReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def is_gzip(path: Path | str) -> bool:
    """True when the file starts with the gzip magic bytes (names are not trusted)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(2) == b"\x1f\x8b"
    except OSError:
        return False


def iter_gzip_blocks(
    path: str | Path,
    block: int,
    *,
    max_bytes: int = MAX_DECOMPRESSED_BYTES,
    max_ratio: int = MAX_RATIO,
) -> Iterator[tuple[int, bytes, int]]:
    """(decompressed offset, line-aligned bytes, compressed bytes consumed); multi-member aware.

    Raises GzipGuardError (GZIP_ERROR / GZIP_BOMB) after yielding what decoded cleanly."""
    d = zlib.decompressobj(wbits=47)
    out_total = 0
    in_total = 0
    pending: list[bytes] = []
    pending_len = 0
    offset = 0
    in_member = False
    saw_nl = False

    def take(final: bool) -> bytes:
        """Join pending output and keep what follows the last newline (unless final)."""
        nonlocal pending, pending_len
        buf = b"".join(pending)
        cut = len(buf) if final else buf.rfind(b"\n") + 1
        if cut <= 0 and len(buf) <= 64 * block:
            pending, pending_len = [buf], len(buf)
            return b""
        if cut <= 0:
            cut = len(buf)  # a single line longer than the cap: hand it over whole
        rest = buf[cut:]
        pending, pending_len = ([rest] if rest else []), len(rest)
        return buf[:cut]

    with open(path, "rb") as fh:
        while True:
            raw = fh.read(READ_BYTES)
            if not raw:
                break
            in_total += len(raw)
            data = raw
            while data:
                in_member = True
                try:
                    piece = d.decompress(data)
                except zlib.error as exc:
                    out = take(final=True)
                    if out:
                        yield offset, out, in_total
                    raise GzipGuardError(
                        SkipReason.GZIP_ERROR, f"corrupt gzip data: {exc}"
                    ) from exc
                pending.append(piece)
                pending_len += len(piece)
                saw_nl = saw_nl or b"\n" in piece
                out_total += len(piece)
                if out_total > max_bytes or (
                    out_total > RATIO_GRACE_BYTES and out_total > max_ratio * max(in_total, 1)
                ):
                    raise GzipGuardError(
                        SkipReason.GZIP_BOMB,
                        f"gzip inflates beyond the guard ({out_total} bytes from {in_total}; "
                        f"limits {max_bytes} bytes, ratio {max_ratio})",
                    )
                data = b""
                if d.eof:
                    data = d.unused_data
                    d = zlib.decompressobj(wbits=47)
                    in_member = False
                    if data and data[:2] != b"\x1f\x8b":
                        data = b""  # trailing garbage after the last member
            if pending_len >= block and (saw_nl or pending_len > 64 * block):
                saw_nl = False
                out = take(final=False)
                if out:
                    yield offset, out, in_total
                    offset += len(out)
    out = take(final=True)
    if out:
        yield offset, out, in_total
    if in_member and not d.eof:
        raise GzipGuardError(SkipReason.GZIP_ERROR, "truncated gzip stream (unexpected end)")
