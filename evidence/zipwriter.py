"""Streams files into the pack ZIP one chunk at a time, hashing as it writes, then seals it with a signed manifest."""

import hashlib
import io
import time
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

from evidence import signing
from evidence.manifest import (
    CHUNK,
    MANIFEST_NAME,
    SIGNATURE_NAME,
    FileEntry,
    content_digest,
    manifest_bytes,
    seal_zip,
    unsafe_name,
)

# Already-compressed formats gain nothing from deflate; storing them keeps big packs fast.
STORED_SUFFIXES = {".pdf", ".zip", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".docx", ".xlsx", ".pptx", ".gz", ".mp4"}  # fmt: skip


class PackWriter:
    """Write-only ZIP with a running list of (path, sha256, size); never holds a whole file in memory."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.entries: list[FileEntry] = []
        self._names: set[str] = set()
        self._stamp = time.gmtime()[:6]
        self._zip = zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, compresslevel=6)

    def _check_name(self, name: str) -> None:
        if unsafe_name(name) or name in (MANIFEST_NAME, SIGNATURE_NAME):
            raise ValueError(f"refusing archive path {name!r}")
        if name in self._names:
            raise ValueError(f"duplicate archive path {name!r}")
        self._names.add(name)

    def unique_name(self, name: str) -> str:
        """Two evidence files may share a display name; keep both, readable, with a numeric suffix."""
        if name not in self._names:
            return name
        stem, dot, suffix = name.rpartition(".")
        if not dot or "/" in suffix:
            stem, suffix, dot = name, "", ""
        n = 2
        while f"{stem} ({n}){dot}{suffix}" in self._names:
            n += 1
        return f"{stem} ({n}){dot}{suffix}"

    def add_stream(self, name: str, source: BinaryIO, *, store: bool = False) -> FileEntry:
        self._check_name(name)
        compress = (
            zipfile.ZIP_STORED
            if store or Path(name).suffix.lower() in STORED_SUFFIXES
            else zipfile.ZIP_DEFLATED
        )
        info = zipfile.ZipInfo(name, date_time=self._stamp)
        info.compress_type = compress
        info.external_attr = 0o644 << 16
        digest, size = hashlib.sha256(), 0
        with self._zip.open(info, "w", force_zip64=True) as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        entry = FileEntry(name, digest.hexdigest(), size)
        self.entries.append(entry)
        return entry

    def add_file(self, name: str, path: Path) -> FileEntry:
        with open(path, "rb") as fh:
            return self.add_stream(name, fh)

    def add_bytes(self, name: str, data: bytes) -> FileEntry:
        return self.add_stream(name, io.BytesIO(data))

    def content_sha256(self, *, exclude: set[str] = frozenset()) -> str:
        return content_digest(self.entries, exclude=exclude)

    def finish(self, *, pack: dict[str, Any], pdf_name: str) -> tuple[bytes, bytes]:
        """Write manifest.json and its detached Ed25519 signature, then sign the whole file."""
        manifest = manifest_bytes(entries=self.entries, pack=pack, pdf_name=pdf_name)
        signature = signing.sign(manifest)
        for name, data in ((MANIFEST_NAME, manifest), (SIGNATURE_NAME, signature)):
            info = zipfile.ZipInfo(name, date_time=self._stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            self._zip.writestr(info, data)
        self._zip.close()
        seal_zip(self.path)
        return manifest, signature

    def abort(self) -> None:
        self._zip.close()
        self.path.unlink(missing_ok=True)
