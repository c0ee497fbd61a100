"""Whole-file helpers: read a head for detection, iterate every record of a file (no prefilter)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

from . import get_parser
from .archive import ZIP_MAGIC, document_lines, is_zip, iter_zip_members, zip_head
from .cloudtrail import CloudTrailLineParser, parse_records_blob
from .gz import GzipGuardError, is_gzip, iter_gzip_blocks
from .records import CloudEvent, GrantEvent, ModelCall, Record, SkipCounter, SkipReason

RECORD_TYPES = (Record, GrantEvent, ModelCall)

HEAD_BYTES = 64 * 1024


def read_head(path: str | Path, size: int = HEAD_BYTES) -> bytes:
    """First bytes of a file, gunzipped when it is gzip (for detect_format)."""
    with open(path, "rb") as fh:
        raw = fh.read(size)
    if raw[:4] == ZIP_MAGIC:
        return zip_head(path, size)
    if raw[:2] == b"\x1f\x8b":
        try:
            return zlib.decompressobj(wbits=47).decompress(raw, size * 4)
        except zlib.error:
            return b""
    return raw


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    if is_zip(path) or _is_document(path):
        members = iter_zip_members(path) if is_zip(path) else [("", _whole(path))]
        off = 0
        for _name, data in members:
            data = document_lines(data) or data
            for raw in data.split(b"\n"):
                yield off, raw
                off += len(raw) + 1
        return
    if is_gzip(path):
        for off, block, _ in iter_gzip_blocks(path, 1 << 20):
            pos = 0
            for raw in block.split(b"\n"):
                yield off + pos, raw
                pos += len(raw) + 1
    else:
        with open(path, "rb") as fh:
            off = 0
            for raw in fh:
                yield off, raw.rstrip(b"\n")
                off += len(raw)


def _whole(path: Path) -> bytes:
    if is_gzip(path):
        return b"".join(block for _, block, _ in iter_gzip_blocks(path, 1 << 20))
    return path.read_bytes()


def _is_document(path: Path) -> bool:
    """A whole JSON document (array, or an object spread over lines), not JSON lines."""
    head = read_head(path, 4096).lstrip()
    if head[:1] == b"[":
        return True
    first = head.split(b"\n", 1)[0].rstrip()
    return head[:1] == b"{" and not first.endswith(b"}")


def iter_records(
    path: str | Path, *, fmt: str, skips: SkipCounter, options: dict | None = None
) -> Iterator[Record | CloudEvent | GrantEvent | ModelCall]:
    """Every record of one file, fully parsed; skips (and gzip errors) land in ``skips``."""
    path = Path(path)
    parser = get_parser(fmt, options=options)
    try:
        if fmt == "cloudtrail":
            data = b"".join(block for _, block in _lines_blocks(path))
            if data.lstrip()[:1] == b"[" or (
                data.lstrip()[:1] == b"{" and b'"Records"' in data[:4096]
            ):
                _, events = parse_records_blob(data, ref=str(path), skips=skips, fast=False)
                yield from events
                return
        for off, raw in _lines(path):
            if not raw.strip():
                continue
            line = raw.decode("utf-8", "replace").rstrip("\r")
            rec = parser.safe_parse(line)
            if isinstance(rec, RECORD_TYPES):
                rec.raw_ref = f"{path}:{off}"
                yield rec
            elif isinstance(rec, list) and isinstance(parser, CloudTrailLineParser):
                yield from (ev for ev in rec if ev is not None)
            elif isinstance(rec, list) and any(isinstance(r, RECORD_TYPES) for r in rec):
                for r in rec:  # one line holding several records (an OTLP request, a list)
                    if isinstance(r, RECORD_TYPES):
                        r.raw_ref = f"{path}:{off}"
                        yield r
            else:
                skips.add(rec, line)
    except GzipGuardError as exc:
        skips.add(exc.reason, f"{path}: {exc}")


def _lines_blocks(path: Path) -> Iterator[tuple[int, bytes]]:
    if is_gzip(path):
        for off, block, _ in iter_gzip_blocks(path, 1 << 20):
            yield off, block
    else:
        yield 0, path.read_bytes()


__all__ = ["SkipReason", "iter_records", "read_head"]
