"""The pack manifest (every file with sha256 and size) and the verifier that checks a ZIP against it."""

import base64
import hashlib
import json
import logging
import struct
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from evidence import signing

MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
FORMAT = "sightline-evidence-pack/1"
# Generous for real packs (hundreds of evidence files), far below what a bomb expands to.
MAX_TOTAL_UNCOMPRESSED = 4 * 1024**3
MAX_ENTRIES = 20_000
MAX_RATIO = 200
RATIO_FLOOR = 1024**2  # small, highly repetitive files (CSV padding) may compress well
MAX_MANIFEST_BYTES = 64 * 1024**2
CHUNK = 1024 * 1024
# The ZIP comment carries an Ed25519 signature over the whole file as written without it.
FILE_SIGNATURE_PREFIX = b"sightline-pack-file-signature/1 ed25519 "
FILE_SIGNATURE_CONTEXT = b"sightline-pack-file/1\n"
EOCD = b"PK\x05\x06"
EOCD_SIZE = 22

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileEntry:
    path: str
    sha256: str
    size: int

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "size": self.size}


def content_digest(entries: list[FileEntry], *, exclude: set[str] = frozenset()) -> str:
    """One hash over the sorted file list; printed on the PDF cover, which cannot contain its own hash."""
    lines = [
        f"{e.sha256}  {e.size}  {e.path}\n"
        for e in sorted(entries, key=lambda e: e.path)
        if e.path not in exclude
    ]
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def manifest_bytes(*, entries: list[FileEntry], pack: dict[str, Any], pdf_name: str) -> bytes:
    """Canonical JSON (sorted keys, fixed indent), so the same pack always yields the same bytes."""
    document = {
        "format": FORMAT,
        "pack": pack,
        "public_key_fingerprint": signing.fingerprint(signing.public_key()),
        "pdf": pdf_name,
        "content_sha256": content_digest(entries, exclude={pdf_name}),
        "content_sha256_note": "sha256 over lines '<sha256>  <size>  <path>\\n' of every file except the PDF, sorted by path",
        "files": [e.as_dict() for e in sorted(entries, key=lambda e: e.path)],
        "signature": {"file": SIGNATURE_NAME, "algorithm": "Ed25519", "covers": MANIFEST_NAME},
    }
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


@dataclass
class VerificationReport:
    """What a verifier tells a regulator: overall verdict plus exactly which files differ."""

    ok: bool = False
    is_zip: bool = True
    signature_ok: bool = False
    file_signature_ok: bool = False
    file_problems: list[str] = field(default_factory=list)
    manifest_ok: bool = False
    content_digest_ok: bool = False
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    checked: int = 0
    pack: dict[str, Any] = field(default_factory=dict)
    manifest_sha256: str = ""
    content_sha256: str = ""
    key_fingerprint: str = ""

    def problems(self) -> list[str]:
        out = list(self.file_problems) + list(self.errors)
        out += [f"changed: {p}" for p in self.changed]
        out += [f"added (not in manifest): {p}" for p in self.added]
        out += [f"removed (listed in manifest, missing from ZIP): {p}" for p in self.removed]
        return out


def unsafe_name(name: str) -> bool:
    """Absolute paths, drive letters, backslashes and `..` let an archive write outside its folder."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or ":" in name.split("/")[0]:
        return True
    return any(part == ".." for part in PurePosixPath(name).parts)


def _check_bomb(infos: list[zipfile.ZipInfo], report: VerificationReport) -> bool:
    if len(infos) > MAX_ENTRIES:
        report.errors.append(f"archive has {len(infos)} entries (limit {MAX_ENTRIES})")
        return False
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        report.errors.append(
            f"archive expands to {total} bytes (limit {MAX_TOTAL_UNCOMPRESSED}): refusing a possible zip bomb"
        )
        return False
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            report.errors.append(
                f"{info.filename}: compression ratio {info.file_size // max(info.compress_size, 1)}:1 "
                f"exceeds {MAX_RATIO}:1: refusing a possible zip bomb"
            )
            return False
    return True


def _hash_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, int]:
    """Stream one member; stop past its declared size so a lying header cannot expand forever."""
    digest, size = hashlib.sha256(), 0
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            size += len(chunk)
            if size > info.file_size:
                raise zipfile.BadZipFile(f"{info.filename}: larger than its header says")
            digest.update(chunk)
    return digest.hexdigest(), size


def _digest_without_comment(fh: BinaryIO, end: int) -> bytes:
    """sha256 of the first `end` bytes followed by a zero comment length (the file as sealed)."""
    digest = hashlib.sha256()
    fh.seek(0)
    left = end
    while left > 0:
        chunk = fh.read(min(CHUNK, left))
        if not chunk:
            raise EOFError("file shorter than expected")
        digest.update(chunk)
        left -= len(chunk)
    digest.update(b"\x00\x00")
    return digest.digest()


def file_signature_message(fh: BinaryIO, end: int) -> bytes:
    return FILE_SIGNATURE_CONTEXT + _digest_without_comment(fh, end)


def seal_zip(path: Path) -> None:
    """Sign the finished ZIP's bytes and write the signature as its comment (which was empty)."""
    with open(path, "r+b") as fh:
        size = fh.seek(0, 2)
        fh.seek(size - EOCD_SIZE)
        eocd = fh.read(EOCD_SIZE)
        if eocd[:4] != EOCD or eocd[20:22] != b"\x00\x00":
            raise ValueError(f"{path}: not a freshly written ZIP without a comment")
        signature = signing.sign(file_signature_message(fh, size - 2))
        comment = FILE_SIGNATURE_PREFIX + base64.b64encode(signature)
        fh.seek(size - 2)
        fh.write(struct.pack("<H", len(comment)) + comment)


def _check_file_signature(fh: BinaryIO, key: Ed25519PublicKey, report: VerificationReport) -> None:
    """The end record must close the file, its comment must be our signature, and it must verify."""
    size = fh.seek(0, 2)
    tail_start = max(0, size - EOCD_SIZE - 0xFFFF)
    fh.seek(tail_start)
    tail = fh.read()
    at = tail.rfind(EOCD)
    while at != -1:
        (comment_len,) = struct.unpack("<H", tail[at + 20 : at + 22] or b"\x00\x00")
        if at + EOCD_SIZE + comment_len == len(tail):
            break
        at = tail.rfind(EOCD, 0, at)
    if at == -1 or len(tail) < at + EOCD_SIZE:
        report.file_problems.append(
            "whole-file signature: the ZIP's end record does not close the file "
            "(bytes were appended, or the file is truncated)"
        )
        return
    comment = tail[at + EOCD_SIZE :]
    if not comment.startswith(FILE_SIGNATURE_PREFIX):
        report.file_problems.append(
            "whole-file signature: missing (the ZIP comment was changed or removed, or the pack "
            "was built before whole-file signing)"
        )
        return
    try:
        signature = base64.b64decode(comment[len(FILE_SIGNATURE_PREFIX) :], validate=True)
    except ValueError:
        signature = b""
    message = file_signature_message(fh, tail_start + at + 20)
    report.file_signature_ok = signing.verify_signature(message, signature, key)
    if not report.file_signature_ok:
        report.file_problems.append(
            "whole-file signature: does not match the file's bytes (bytes were prepended or "
            "changed outside the listed files, or another key signed it)"
        )


def verify_pack(
    zip_path: str | Path | BinaryIO, *, public_key: Ed25519PublicKey | None = None
) -> VerificationReport:
    """Check the manifest signature, then every file's hash; name each changed, added or removed file."""
    report = VerificationReport()
    try:
        key = public_key or signing.public_key()
        report.key_fingerprint = signing.fingerprint(key)
    except signing.SigningKeyMissing as exc:
        report.errors.append(str(exc))
        return report
    if isinstance(zip_path, (str, Path)):
        with open(zip_path, "rb") as fh:
            return _verify_file(fh, key, report)
    return _verify_file(zip_path, key, report)


def _verify_file(
    fh: BinaryIO, key: Ed25519PublicKey, report: VerificationReport
) -> VerificationReport:
    """Whatever the bytes are, the answer is a report: damage is a finding, never an exception."""
    try:
        _check_file_signature(fh, key, report)
    except Exception as exc:  # a damaged file may fail anywhere; it is reported, not raised
        log.info("pack file signature unreadable: %r", exc)
        report.file_problems.append(f"whole-file signature: unreadable ({type(exc).__name__})")
    try:
        fh.seek(0)
        zf = zipfile.ZipFile(fh)
    except Exception as exc:
        report.is_zip = False
        report.errors.append(f"not a ZIP archive ({exc})")
        return report
    with zf:
        try:
            _verify_open_zip(zf, key, report)
        except Exception as exc:  # bad deflate (zlib.error), truncation, wrong directory...
            log.info("pack archive damaged: %r", exc)
            report.errors.append(f"archive is damaged: {type(exc).__name__}: {exc}")
    report.ok = (
        report.file_signature_ok
        and report.signature_ok
        and report.manifest_ok
        and report.content_digest_ok
        and not (report.changed or report.added or report.removed or report.errors)
    )
    return report


def _verify_open_zip(
    zf: zipfile.ZipFile, key: Ed25519PublicKey, report: VerificationReport
) -> None:
    infos = [i for i in zf.infolist() if not i.is_dir()]
    bad = [i.filename for i in infos if unsafe_name(i.filename)]
    if bad:
        report.errors.append(f"unsafe path(s) in archive: {', '.join(bad[:10])}")
        return
    if not _check_bomb(infos, report):
        return
    dupes = sorted(n for n, c in Counter(i.filename for i in infos).items() if c > 1)
    if dupes:
        report.errors.append(f"duplicate entries in archive: {', '.join(dupes[:10])}")
        return
    by_name = {i.filename: i for i in infos}
    if MANIFEST_NAME not in by_name:
        report.errors.append(f"{MANIFEST_NAME} is missing")
        return
    if SIGNATURE_NAME not in by_name:
        report.errors.append(f"{SIGNATURE_NAME} is missing")
        return
    if by_name[MANIFEST_NAME].file_size > MAX_MANIFEST_BYTES:
        report.errors.append(f"{MANIFEST_NAME} is implausibly large")
        return
    manifest_raw = zf.read(MANIFEST_NAME)
    signature = zf.read(SIGNATURE_NAME)[:1024]
    report.manifest_sha256 = hashlib.sha256(manifest_raw).hexdigest()
    report.signature_ok = signing.verify_signature(manifest_raw, signature, key)
    if not report.signature_ok:
        report.errors.append(
            f"{MANIFEST_NAME}: the signature in {SIGNATURE_NAME} does not match "
            f"(manifest altered, or signed by another key than {report.key_fingerprint})"
        )
    try:
        document = json.loads(manifest_raw)
        entries = [
            FileEntry(str(f["path"]), str(f["sha256"]), int(f["size"])) for f in document["files"]
        ]
    except (ValueError, KeyError, TypeError) as exc:
        report.errors.append(f"{MANIFEST_NAME} is not a valid manifest ({exc})")
        return
    report.manifest_ok = document.get("format") == FORMAT
    if not report.manifest_ok:
        report.errors.append(f"{MANIFEST_NAME}: unknown format {document.get('format')!r}")
    report.pack = document.get("pack") or {}
    report.content_sha256 = str(document.get("content_sha256", ""))
    recomputed = content_digest(entries, exclude={str(document.get("pdf", ""))})
    report.content_digest_ok = recomputed == report.content_sha256
    if not report.content_digest_ok:
        report.errors.append(f"{MANIFEST_NAME}: content_sha256 does not match its file list")
    listed = {e.path: e for e in entries}
    present = set(by_name) - {MANIFEST_NAME, SIGNATURE_NAME}
    report.removed = sorted(set(listed) - present)
    report.added = sorted(present - set(listed))
    for path in sorted(present & set(listed)):
        sha, size = _hash_member(zf, by_name[path])
        report.checked += 1
        if sha != listed[path].sha256 or size != listed[path].size:
            report.changed.append(path)
