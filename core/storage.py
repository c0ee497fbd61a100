"""Content-addressed, write-once blob store and content sniffing for evidence uploads.

Files are named by their sha256, so an identical upload is stored once and a stored file can never
change without its name changing. What a file *is* is decided from its bytes, never its extension.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

CHUNK = 1024 * 1024
SHA256_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Blob:
    """A stored file: its content hash, size in bytes and where it lives."""

    sha256: str
    size: int
    path: Path


def storage_root() -> Path:
    return Path(settings.SIGHTLINE_STORAGE_DIR) / "blobs"


def _check_sha(sha256: str) -> str:
    sha256 = (sha256 or "").lower()
    if len(sha256) != 64 or not set(sha256) <= SHA256_HEX:
        raise ValueError("Not a sha256 hex digest.")
    return sha256


def blob_path(sha256: str) -> Path:
    """Where a blob lives; validates the digest so a crafted id cannot escape the store."""
    sha256 = _check_sha(sha256)
    return storage_root() / sha256[:2] / sha256


def open_blob(sha256: str) -> BinaryIO:
    return blob_path(sha256).open("rb")


def blob_exists(sha256: str) -> bool:
    try:
        return blob_path(sha256).is_file()
    except ValueError:
        return False


def _chunks(fileobj: BinaryIO) -> Iterator[bytes]:
    if hasattr(fileobj, "chunks"):  # Django UploadedFile
        yield from fileobj.chunks(CHUNK)
        return
    while True:
        data = fileobj.read(CHUNK)
        if not data:
            return
        yield data


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def _stream_to_temp(fileobj: BinaryIO, max_bytes: int) -> tuple[Path, str, int]:
    """Copy to a private temp file while hashing; stop as soon as the limit is passed."""
    tmp_dir = storage_root() / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(fileobj):
                size += len(chunk)
                if size > max_bytes:
                    raise ValidationError(
                        f"The file is larger than the limit of {human_size(max_bytes)}.",
                        code="too_large",
                    )
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return tmp, digest.hexdigest(), size


def _publish(tmp: Path, sha: str, size: int) -> Blob:
    """Hard-link into place (atomic, and fails rather than replacing stored bytes), then drop the temp."""
    final = storage_root() / sha[:2] / sha
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(tmp, final)
        os.chmod(final, 0o444)
    except FileExistsError:
        pass  # identical content already stored: the first writer wins
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return Blob(sha256=sha, size=size, path=final)


def store_blob(*, fileobj: BinaryIO, max_bytes: int) -> Blob:
    """Store bytes under their sha256; write-once, size limit enforced while streaming."""
    tmp, sha, size = _stream_to_temp(fileobj, max_bytes)
    return _publish(tmp, sha, size)


def store_upload(*, fileobj: BinaryIO, name: str, max_bytes: int) -> tuple[Blob, Sniffed]:
    """Like store_blob, but sniff the bytes first so a rejected file never enters the store."""
    tmp, sha, size = _stream_to_temp(fileobj, max_bytes)
    try:
        sniffed = sniff_file(path=tmp, name=name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return _publish(tmp, sha, size), sniffed


# --- Content sniffing -------------------------------------------------------------------------

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Sniffed:
    """What the bytes are: a kind on the allow-list, its safe content type and usual extension."""

    kind: str
    content_type: str
    extension: str
    label: str


ALLOWED: dict[str, Sniffed] = {
    "pdf": Sniffed("pdf", "application/pdf", "pdf", "PDF"),
    "docx": Sniffed("docx", DOCX, "docx", "Word document (DOCX)"),
    "xlsx": Sniffed("xlsx", XLSX, "xlsx", "Excel workbook (XLSX)"),
    "png": Sniffed("png", "image/png", "png", "PNG image"),
    "jpg": Sniffed("jpg", "image/jpeg", "jpg", "JPEG image"),
    "txt": Sniffed("txt", "text/plain", "txt", "plain text"),
    "md": Sniffed("md", "text/markdown", "md", "Markdown text"),
    "csv": Sniffed("csv", "text/csv", "csv", "CSV text"),
    "json": Sniffed("json", "application/json", "json", "JSON"),
}
ALLOWED_LABEL = "PDF, DOCX, XLSX, PNG, JPG, TXT, MD, CSV or JSON"
MARKUP_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml")
FRIENDLY = {
    "exe": "a Windows executable",
    "elf": "a Linux executable",
    "zip": "a ZIP archive",
    "doc": "an old-style Word document (DOC)",
    "xls": "an old-style Excel workbook (XLS)",
    "pptx": "a PowerPoint presentation",
    "gif": "a GIF image",
}


def _reject(found: str) -> ValidationError:
    return ValidationError(
        f"This file's content is {found}, which is not allowed. "
        f"Upload a {ALLOWED_LABEL} file (checked by content, not by the file name).",
        code="type_not_allowed",
    )


def _ooxml_kind(path: Path) -> str | None:
    """A real Office file is a ZIP with [Content_Types].xml and the part for its application."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _text_kind(data: bytes, name: str) -> str:
    """Text has no magic bytes: require valid UTF-8 without NULs; JSON must parse."""
    if b"\x00" in data:
        raise _reject("binary data of an unknown type")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _reject("binary data of an unknown type (not UTF-8 text)") from None
    if text.lstrip()[:20].lower().encode().startswith(MARKUP_STARTS):
        raise _reject("an HTML/XML document")
    suffix = Path(name or "").suffix.lower().lstrip(".")
    stripped = text.strip()
    looks_json = stripped[:1] in ("{", "[")
    if suffix == "json" or (looks_json and suffix not in ("txt", "md", "csv")):
        try:
            json.loads(text)
        except ValueError as exc:
            if suffix == "json":
                raise ValidationError(
                    f"This file is named .json but is not valid JSON ({exc.msg}, line {exc.lineno}).",
                    code="bad_json",
                ) from None
            return "txt"
        return "json"
    # Among text kinds the name only picks the label; acceptance was decided by the bytes above.
    return suffix if suffix in ("md", "csv") else "txt"


def sniff_file(*, path: Path, name: str = "") -> Sniffed:
    """Decide what a stored file is from its bytes, against the allow-list; raise a clear error otherwise."""
    with Path(path).open("rb") as handle:
        head = handle.read(8192)
    if not head:
        raise ValidationError("The file is empty.", code="empty")
    guess = filetype.guess(head)
    if head.startswith(b"PK\x03\x04"):
        kind = _ooxml_kind(Path(path))
        if kind:
            return ALLOWED[kind]
        found = guess.extension if guess else "zip"
        raise _reject(FRIENDLY.get(found, f"a {found.upper()} archive"))
    if guess is not None:
        kind = {"jpeg": "jpg"}.get(guess.extension, guess.extension)
        if kind in ("pdf", "png", "jpg"):
            return ALLOWED[kind]
        raise _reject(FRIENDLY.get(guess.extension, f"{guess.mime} ({guess.extension.upper()})"))
    if head.startswith((b"MZ", b"\x7fELF")):
        raise _reject(FRIENDLY["exe" if head.startswith(b"MZ") else "elf"])
    data = Path(path).read_bytes()
    return ALLOWED[_text_kind(data, name)]


def safe_download_name(name: str, sniffed_extension: str) -> str:
    """Keep the user's stem but force the extension that matches the bytes."""
    stem = Path(name or "file").stem or "file"
    cleaned = "".join(ch if ch.isalnum() or ch in "-_. " else "_" for ch in stem).strip() or "file"
    return f"{cleaned[:120]}.{sniffed_extension}"
