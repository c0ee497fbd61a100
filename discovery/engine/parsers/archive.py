"""Containers around logs: `.zip` archives (members read in name order, gzip members unpacked,
size-guarded) and whole JSON documents (a top-level array, Graph `value`, Azure `records`)
turned into one object per line so the line parsers see the same shape as JSON-lines exports.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import orjson

from .gz import MAX_DECOMPRESSED_BYTES, MAX_RATIO, GzipGuardError
from .otel import split_resource_spans
from .records import SkipReason

ZIP_MAGIC = b"PK\x03\x04"
MAX_DOCUMENT_BYTES = 512 * 1024**2  # a whole-document JSON export is loaded at once
DOCUMENT_LIST_KEYS = ("value", "records", "Events", "QueryResultRows", "items")


def is_zip(path: Path | str) -> bool:
    """True when the file starts with the local-file-header magic (names are not trusted)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == ZIP_MAGIC
    except OSError:
        return False


def _skip_member(info: zipfile.ZipInfo) -> bool:
    name = info.filename
    base = name.rsplit("/", 1)[-1]
    return (
        info.is_dir()
        or not base
        or base.startswith(".")
        or name.startswith("__MACOSX/")
        or "CloudTrail-Digest" in name
    )


def iter_zip_members(path: Path | str) -> Iterator[tuple[str, bytes]]:
    """(member name, decompressed bytes) in name order; gzip members are unpacked too.

    Raises GzipGuardError (GZIP_ERROR for a corrupt archive, GZIP_BOMB past the size guard)."""
    total = 0
    try:
        with zipfile.ZipFile(path) as zf:
            infos = sorted(
                (i for i in zf.infolist() if not _skip_member(i)), key=lambda i: i.filename
            )
            for info in infos:
                if info.file_size > MAX_DECOMPRESSED_BYTES or (
                    info.compress_size
                    and info.file_size > MAX_RATIO * max(info.compress_size, 1)
                    and info.file_size > 64 * 1024**2
                ):
                    raise GzipGuardError(
                        SkipReason.GZIP_BOMB,
                        f"zip member {info.filename} inflates beyond the guard",
                    )
                data = zf.read(info)
                if data[:2] == b"\x1f\x8b":
                    d = zlib.decompressobj(wbits=47)
                    data = d.decompress(data, MAX_DECOMPRESSED_BYTES)
                    if d.unconsumed_tail:
                        raise GzipGuardError(
                            SkipReason.GZIP_BOMB,
                            f"gzip member {info.filename} inflates beyond the guard",
                        )
                total += len(data)
                if total > MAX_DECOMPRESSED_BYTES:
                    raise GzipGuardError(SkipReason.GZIP_BOMB, "zip inflates beyond the guard")
                yield info.filename, data
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise GzipGuardError(SkipReason.GZIP_ERROR, f"corrupt zip archive: {exc}") from exc


def zip_head(path: Path | str, size: int) -> bytes:
    """The first bytes of the first log member (for detection); b'' when unreadable."""
    try:
        for _name, data in iter_zip_members(path):
            return data[:size]
    except GzipGuardError:
        return b""
    return b""


def document_items(buf: bytes) -> list | None:
    """Items of a whole-document JSON export, or None when ``buf`` is not one.

    A top-level array, or an object whose only event list is under `value` (Graph),
    `records` (Azure Monitor), `Events` (lookup-events), `QueryResultRows` (CloudTrail Lake) or
    `items` (Google Reports API); an OTLP `resourceSpans` document gives one span per item."""
    head = buf[:4096].lstrip()
    if head[:1] not in (b"[", b"{") or len(buf) > MAX_DOCUMENT_BYTES:
        return None
    if head[:1] == b"{" and b"\n" not in buf.strip() and len(buf) < 4096:
        pass  # a one-line object: also try it as a document
    try:
        obj = orjson.loads(buf)
    except orjson.JSONDecodeError:
        return None
    if isinstance(obj, list):
        return obj
    if isinstance(obj, dict):
        spans = split_resource_spans(obj)  # OTLP: one single-span resourceSpan per line
        if spans is not None:
            return spans
        events = obj.get("events")
        if (
            events
            and isinstance(events, list)
            and isinstance(events[0], dict)
            and "message" in events[0]
        ):
            return events  # `aws logs filter-log-events` output
        for key in DOCUMENT_LIST_KEYS:
            if isinstance(obj.get(key), list) and key != "Events":
                return obj[key]
    return None


def document_lines(buf: bytes) -> bytes | None:
    """A whole-document JSON export rewritten as JSON lines (one item per line)."""
    items = document_items(buf)
    if items is None:
        return None
    return b"\n".join(orjson.dumps(i) for i in items) + (b"\n" if items else b"")
