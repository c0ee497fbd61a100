"""The files of an ingest batch: format detection, content hashes and the already-counted prefix.

The duplicate key of a file is the sha256 of its decompressed content with its format, so the
same log gzipped or plain counts once. A file whose first bytes are the whole content of a file
already ingested in the same format (a log that grew, or its rotated copy access.log.1 or
access.log.2.gz) is counted from there on: only the new tail. A .zip is unpacked into its members,
each a file of the batch.
"""

import gzip
import hashlib
import re
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from discovery.conf import defer_hash_bytes
from discovery.engine.parsers import FORMATS, detect
from discovery.engine.parsers.archive import ZIP_MAGIC, iter_zip_members, zip_head
from discovery.engine.parsers.gz import GzipGuardError, is_gzip, iter_gzip_blocks
from discovery.models import IngestFile

HEAD_BYTES = 64 * 1024
PREFIX_HEAD_BYTES = 64 * 1024  # the head hash that finds a file's earlier, shorter versions
READ_BYTES = 1024 * 1024
MAX_SMALL_CANDIDATES = 2000
HEADS_LOCK = 0x48454144  # advisory lock class of registrations by head hash ("HEAD")
NO_PREFIX_FORMATS = (
    "cloudtrail",
    "entra_signin",
)  # JSON documents: deduplicated by event, not by prefix


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(READ_BYTES):
            digest.update(block)
    return digest.hexdigest()


def file_head(path: Path) -> bytes:
    """The first bytes as text would be read: gzip is unpacked so detection sees the log lines."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head[:4] == ZIP_MAGIC:  # a .zip of logs: detection sees its first log member
        member = zip_head(path, HEAD_BYTES)
        if not member:
            raise ValidationError("The file looks like a .zip archive but holds no readable log.")
        return member
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as gz:
                return gz.read(HEAD_BYTES)
        except EOFError:
            # A truncated gzip still yields what was decompressed so far.
            decomp = zlib.decompressobj(zlib.MAX_WBITS | 16)
            return decomp.decompress(head)
        except (OSError, zlib.error) as exc:
            raise ValidationError(
                f"The file looks like gzip but cannot be unpacked: {exc}."
            ) from exc
    return head


_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 13, 27))


def looks_binary(head: bytes) -> bool:
    """More than 10% control bytes in the first 4 KB: an image or archive, not a log with a bad line."""
    sample = head[:4096]
    if not sample:
        return False
    return len(sample) - len(sample.translate(None, _CONTROL)) > len(sample) // 10


def format_detect(*, path: Path, requested: str = "", logformat: str = "") -> str:
    """Detect (or check) the format up front so a wrong file gets a clear message, not a failed run.

    A log that is recognised but holds no destination hosts (Zeek conn.log, a Squid useragent
    log, PAN-OS traffic) is refused by name; ``logformat`` is the source's Squid logformat line."""
    if requested:
        if requested not in FORMATS:
            raise ValidationError(
                f"Unknown format {requested!r}. Known: {', '.join(sorted(FORMATS))}."
            )
        return requested
    head = file_head(path)
    if not head.strip():
        raise ValidationError("The file is empty.")
    if looks_binary(head):
        raise ValidationError(
            "This is a binary file, not a text log. Upload a proxy, DNS or CloudTrail log."
        )
    found = detect(head, logformat=logformat)
    if found.format:
        return found.format
    if found.message and not found.message.startswith("Could not recognise"):
        raise ValidationError(found.message)
    raise ValidationError(
        "Could not recognise the log format from the first lines. "
        f"Choose the format explicitly (one of: {', '.join(sorted(FORMATS))})."
    )


def format_guess(*, path: Path, logformat: str = "") -> str:
    """What detection says about the content, '' when unsure: the 'did you mean' of a forced run."""
    try:
        return format_detect(path=path, logformat=logformat)
    except ValidationError:
        return ""


def safe_name(name: str) -> str:
    name = Path(name).name or "upload.log"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:200]


def is_zip_file(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == ZIP_MAGIC
    except OSError:
        return False


def zip_expand(path: Path, *, display_name: str, sha: str) -> list[tuple[Path, str]]:
    """A .zip's log members written under the storage dir, as (path, 'archive.zip/member')."""
    parent = Path(settings.SIGHTLINE_STORAGE_DIR) / "uploads" / sha[:2] / sha
    parent.mkdir(parents=True, exist_ok=True)
    # a folder of its own per registration: members found to be duplicates are deleted again,
    # and must never be the files an earlier run of the same archive still points at
    folder = Path(tempfile.mkdtemp(prefix="members-", dir=parent))
    out: list[tuple[Path, str]] = []
    try:
        for i, (name, data) in enumerate(iter_zip_members(path)):
            target = folder / f"{i:05d}_{safe_name(name)}"
            target.write_bytes(data)
            out.append((target, f"{display_name}/{name}"[:300]))
    except GzipGuardError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise ValidationError(f"The .zip archive cannot be read: {exc}.") from exc
    if not out:
        folder.rmdir()
        raise ValidationError("The file looks like a .zip archive but holds no readable log.")
    return out


@dataclass
class ContentDigest:
    """Hashes of a file's decompressed content, and of the prefixes asked for."""

    sha256: str
    content_sha256: str
    head_sha256: str
    content_length: int
    prefixes: dict[int, str] = field(default_factory=dict)

    @property
    def pending(self) -> bool:
        """Only the head is hashed yet (head_digest): the whole-content hashes are owed."""
        return not self.content_sha256


def _content_blocks(path: Path) -> Iterator[bytes]:
    if not is_gzip(path):
        with open(path, "rb") as fh:
            while block := fh.read(READ_BYTES):
                yield block
        return
    for _off, data, _consumed in iter_gzip_blocks(path, READ_BYTES):
        yield data


def content_digest(
    path: Path, *, small: list[int] = (), long_for: Callable[[str], list[int]] | None = None
) -> ContentDigest:
    """One pass over the decompressed content, hashing it whole and at the prefix lengths worth
    checking: ``small`` (known files shorter than the head) and ``long_for(head_sha256)``, asked
    once the first PREFIX_HEAD_BYTES are read. A gzip that cannot be unpacked (corrupt, or past
    the bomb guard) is keyed by its raw bytes, and the pipeline reports what is wrong with it."""
    gz = is_gzip(path)
    raw = file_sha256(path) if gz else ""  # a plain file's bytes are its content: one pass
    digest = hashlib.sha256()
    length = 0
    head = bytearray()
    head_sha = ""
    wanted = sorted(n for n in set(small) if n > 0)
    prefixes: dict[int, str] = {}
    try:
        for block in _content_blocks(path):
            view = memoryview(block)
            while view:
                step = len(view)
                if not head_sha:
                    step = min(step, PREFIX_HEAD_BYTES - length)
                if wanted:
                    step = min(step, wanted[0] - length)
                piece = view[:step]
                if not head_sha:
                    head.extend(piece)
                digest.update(piece)
                length += step
                view = view[step:]
                if not head_sha and length == PREFIX_HEAD_BYTES:
                    head_sha = hashlib.sha256(bytes(head)).hexdigest()
                    more = long_for(head_sha) if long_for else []
                    wanted = sorted({n for n in [*wanted, *more] if n > length})
                while wanted and wanted[0] <= length:
                    if wanted[0] == length:
                        prefixes[length] = digest.copy().hexdigest()
                    wanted.pop(0)
    except GzipGuardError:
        return ContentDigest(raw, raw, "", path.stat().st_size)
    if not head_sha:  # shorter than the head: the head is the whole content
        head_sha = hashlib.sha256(bytes(head)).hexdigest()
    prefixes.pop(length, None)  # the whole content is the duplicate check, not a prefix
    content = digest.hexdigest()
    return ContentDigest(raw or content, content, head_sha, length, prefixes)


def _counted(fmt: str):
    return IngestFile.objects.filter(format=fmt, status__in=IngestFile.COUNTED)


def _small_lengths(fmt: str) -> list[int]:
    """The lengths of the counted files of this format shorter than the head."""
    if fmt in NO_PREFIX_FORMATS:
        return []
    return list(
        _counted(fmt)
        .filter(content_length__lt=PREFIX_HEAD_BYTES)
        .exclude(head_sha256="")
        .values_list("content_length", flat=True)
        .distinct()[:MAX_SMALL_CANDIDATES]
    )


def file_digest(path: Path, *, fmt: str) -> ContentDigest:
    """content_digest with the prefix lengths of counted files of this format: every small one
    (shorter than the head, so its head is all of it) and the long ones whose head matches."""
    if fmt in NO_PREFIX_FORMATS:
        if is_gzip(path):
            # events are counted once by their ID whatever holds them, so a gzipped CloudTrail
            # object is keyed by its bytes and not unpacked twice (here and when it is read)
            raw = file_sha256(path)
            return ContentDigest(raw, raw, "", path.stat().st_size)
        return content_digest(path)
    small = _small_lengths(fmt)

    def long_for(head_sha: str) -> list[int]:
        return list(
            _counted(fmt)
            .filter(head_sha256=head_sha, content_length__gte=PREFIX_HEAD_BYTES)
            .values_list("content_length", flat=True)
            .distinct()
        )

    return content_digest(path, small=small, long_for=long_for)


def hash_deferrable(path: Path) -> bool:
    """A large plain file is registered with its head hashed only (head_digest): hashing all of
    it (~0.5 s a GB) is left to the workers, beside its chunks. Needs PostgreSQL, whose lock
    (heads_lock) keeps two registrations with the same head from both skipping it."""
    return (
        connection.vendor == "postgresql"
        and path.stat().st_size >= defer_hash_bytes()
        and not is_gzip(path)
        and not is_zip_file(path)
    )


def head_digest(path: Path, *, fmt: str) -> ContentDigest:
    """The head's hash, the length, and the prefix hashes of the counted files shorter than the
    head; the whole-content hashes are owed (``pending``) until file_hashes_complete."""
    with open(path, "rb") as fh:
        head = fh.read(PREFIX_HEAD_BYTES)
    digest, at, prefixes = hashlib.sha256(), 0, {}
    for n in sorted(set(_small_lengths(fmt))):
        if n <= 0 or n >= len(head):
            continue
        digest.update(head[at:n])
        at = n
        prefixes[n] = digest.copy().hexdigest()
    return ContentDigest(
        "", "", hashlib.sha256(head).hexdigest(), path.stat().st_size, prefixes=prefixes
    )


def heads_lock(keys: Iterable[tuple[str, str]]) -> None:
    """PostgreSQL: one registration at a time per (format, head hash), until the transaction
    ends, taken in one order so two batches never deadlock."""
    with connection.cursor() as cursor:
        for fmt, head in sorted(set(keys)):
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [HEADS_LOCK, f"{fmt}:{head}"]
            )


def same_head(*, fmt: str, head_sha256: str) -> list[IngestFile]:
    """The counted files of this format that begin with the same head."""
    if not head_sha256:
        return []
    return list(_counted(fmt).filter(head_sha256=head_sha256))


def _registered_sha256(path: Path, *, length: int, head_sha256: str) -> str:
    """The sha256 of a file's first ``length`` bytes: the content as it was registered, even if
    the log has grown since. A file that is shorter or begins differently now (rotated or
    replaced) cannot give it."""
    digest = hashlib.sha256()
    head = bytearray()
    left = length
    with open(path, "rb") as fh:
        while left > 0 and (block := fh.read(min(READ_BYTES, left))):
            if len(head) < PREFIX_HEAD_BYTES:
                head.extend(block[: PREFIX_HEAD_BYTES - len(head)])
            digest.update(block)
            left -= len(block)
    if left:
        raise ValidationError(f"{path.name} is shorter than when it was registered.")
    if hashlib.sha256(bytes(head)).hexdigest() != head_sha256:
        raise ValidationError(f"{path.name} has changed since it was registered.")
    return digest.hexdigest()


def file_hashes_complete(files: Iterable[IngestFile], *, refuse: bool = True) -> list[IngestFile]:
    """Computes the owed whole-content hashes of these files (plain files: the bytes are the
    content); a file whose hash another process computed meanwhile is left as it is. A file
    that can no longer be read as registered (gone, cut short, rotated or replaced) is refused,
    not counted, with the reason: those are returned, for their runs to fail. With
    ``refuse=False`` (its rows may be written already) ValidationError is raised instead."""
    lost = []
    for f in files:
        if f.content_sha256:
            continue
        try:
            sha = _registered_sha256(
                Path(f.path), length=f.content_length, head_sha256=f.head_sha256
            )
        except (OSError, ValidationError) as exc:
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            if not refuse:
                raise ValidationError(f"{f.file_name}: {reason}") from exc
            f.status = IngestFile.Status.REFUSED
            f.message = (
                f"Not counted: {reason} Its content was still being hashed, so it is unknown; "
                "ingest the file again from where it is now."
            )[:2000]
            IngestFile.objects.filter(pk=f.pk).update(status=f.status, message=f.message)
            lost.append(f)
            continue
        IngestFile.objects.filter(pk=f.pk, content_sha256="").update(sha256=sha, content_sha256=sha)
        f.sha256 = f.content_sha256 = sha
    return lost


def prefix_match(digest: ContentDigest, *, fmt: str) -> IngestFile | None:
    """The longest counted file of this format whose whole content begins this one."""
    if not digest.prefixes:
        return None
    matches = (
        _counted(fmt)
        .filter(content_sha256__in=list(digest.prefixes.values()))
        .exclude(content_length__gte=digest.content_length)
        .order_by("-content_length", "pk")
    )
    for known in matches:
        if digest.prefixes.get(known.content_length) == known.content_sha256:
            return known
    return None
