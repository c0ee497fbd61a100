"""Pure ingest pipeline: plan line-aligned chunks, process one chunk into rollups (no Django).

Speed: a chunk is read in large blocks; a multi-literal prefilter (Hyperscan, else
Aho-Corasick) over the catalogue hosts and heuristic tokens finds candidate lines, and only
those are parsed fully. Other lines are counted as read and `prefiltered`: by construction they
can neither match the catalogue nor trip a heuristic. The first `sample_bytes` of every chunk
are parsed fully anyway so a wrong or broken format still shows up as counted skips.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import mmap
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson

from .matching import Catalog, heuristics
from .parsers import get_parser
from .parsers.archive import MAX_DOCUMENT_BYTES, document_lines, is_zip, iter_zip_members
from .parsers.cloudtrail import CloudTrailLineParser, parse_records_blob
from .parsers.gz import GzipGuardError, is_gzip, iter_gzip_blocks
from .parsers.prefilter import candidate_spans
from .parsers.records import (
    INVOKE_EVENTS,
    CloudEvent,
    GrantEvent,
    ModelCall,
    Record,
    SkipCounter,
    SkipReason,
    normalise_user,
)
from .parsers.timeparse import day_iso

BLOCK_BYTES = 8 * 1024 * 1024
DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024
SAMPLE_BYTES = 64 * 1024
MAX_LINE_BYTES = 64 * 1024
HEURISTIC_SAMPLES = 5
BEDROCK_APP_KEY = "amazon-bedrock"


@dataclass(frozen=True, slots=True)
class Chunk:
    """A line-aligned byte range of one file; a gzip file is always one whole chunk.

    ``skip`` drops that many decompressed bytes first: the part of a gzip file (a rotated log)
    that an earlier file already counted."""

    path: str
    start: int
    end: int
    index: int
    skip: int = 0


@dataclass(slots=True)
class RollupAgg:
    """Usage of one (app or host, identity, day); times kept as epoch floats, exposed as UTC."""

    requests: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    first: float = 0.0
    last: float = 0.0

    @property
    def first_ts(self) -> datetime:
        """First request time (aware UTC)."""
        return datetime.fromtimestamp(self.first, tz=UTC)

    @property
    def last_ts(self) -> datetime:
        """Last request time (aware UTC)."""
        return datetime.fromtimestamp(self.last, tz=UTC)

    def merge(self, other: RollupAgg) -> None:
        """Fold in another aggregate of the same key."""
        self.requests += other.requests
        self.bytes_up += other.bytes_up
        self.bytes_down += other.bytes_down
        self.first = min(self.first, other.first)
        self.last = max(self.last, other.last)


@dataclass(slots=True)
class HeuristicAgg:
    """Evidence for one (unknown host, heuristic code) review item."""

    count: int = 0
    users: set = field(default_factory=set)
    first_ts: datetime | None = None
    last_ts: datetime | None = None
    sample_lines: list = field(default_factory=list)

    def merge(self, other: HeuristicAgg) -> None:
        """Fold in another aggregate of the same key."""
        self.count += other.count
        self.users |= other.users
        if other.first_ts and (self.first_ts is None or other.first_ts < self.first_ts):
            self.first_ts = other.first_ts
        if other.last_ts and (self.last_ts is None or other.last_ts > self.last_ts):
            self.last_ts = other.last_ts
        room = HEURISTIC_SAMPLES - len(self.sample_lines)
        if room > 0:
            self.sample_lines.extend(other.sample_lines[:room])


@dataclass(slots=True)
class ChunkResult:
    """Everything one chunk contributes; merge() combines results of many chunks."""

    lines_read: int = 0
    parsed: int = 0
    matched: int = 0
    prefiltered: int = 0  # not inspected: the prefilter ruled the line out
    header_lines: int = 0  # directive, header and blank lines: neither parsed nor skipped
    skipped: dict = field(default_factory=dict)
    skip_samples: dict = field(default_factory=dict)
    rollups: dict = field(default_factory=dict)
    possible_ai: dict = field(default_factory=dict)
    cloud_events: list = field(default_factory=list)
    # OAuth grants/revokes (GrantEvent, user already resolved) and model usage keyed
    # (source, app_key, identity, team, key_alias, model, region, service, day_iso) →
    # [requests, input_tokens, output_tokens, cost, first_ts, last_ts]
    grants: list = field(default_factory=list)
    model_usage: dict = field(default_factory=dict)
    # the calls with a request id (also summed in model_usage), so a call that an earlier file
    # counted can be taken out again: [*usage key, request_id, input, output, cost, ts]
    model_calls: list = field(default_factory=list)
    bytes_done: int = 0
    error: str = ""

    def merge(self, other: ChunkResult) -> None:
        """Add another chunk's result (skip samples capped at 20 per reason)."""
        self.lines_read += other.lines_read
        self.parsed += other.parsed
        self.matched += other.matched
        self.prefiltered += other.prefiltered
        self.header_lines += other.header_lines
        self.bytes_done += other.bytes_done
        sc = SkipCounter()
        sc.counts, sc.samples = self.skipped, self.skip_samples
        oc = SkipCounter()
        oc.counts, oc.samples = other.skipped, other.skip_samples
        sc.merge(oc)
        for k, agg in other.rollups.items():
            mine = self.rollups.get(k)
            if mine is None:
                self.rollups[k] = agg
            else:
                mine.merge(agg)
        for k, agg in other.possible_ai.items():
            mine = self.possible_ai.get(k)
            if mine is None:
                self.possible_ai[k] = agg
            else:
                mine.merge(agg)
        self.cloud_events.extend(other.cloud_events)
        self.grants.extend(other.grants)
        usage_merge(self.model_usage, other.model_usage)
        self.model_calls.extend(other.model_calls)
        if other.error and not self.error:
            self.error = other.error


def usage_merge(into: dict, other: dict) -> None:
    """Adds model-usage counters of the same key; first and last times widen."""
    for k, v in other.items():
        mine = into.get(k)
        if mine is None:
            into[k] = list(v)
        else:
            mine[0] += v[0]
            mine[1] += v[1]
            mine[2] += v[2]
            mine[3] += v[3]
            mine[4] = min(mine[4], v[4])
            mine[5] = max(mine[5], v[5])


def grant_pack(ev: GrantEvent) -> list:
    """A GrantEvent as the JSON row a chunk stores: ts, source, action, app name, client id,
    user, scopes, event id."""
    return [
        ev.ts,
        ev.source,
        ev.action,
        ev.app_name[:200],
        ev.client_id[:200],
        ev.user[:200],
        list(ev.scopes),
        ev.event_id,
    ]


def usage_pack(model_usage: dict) -> list[list]:
    """Model usage as JSON rows: the 9 key fields, then requests, tokens in and out, cost, first
    and last epoch seconds."""
    return [[*k, *v] for k, v in model_usage.items()]


def calls_pack(calls: list[list]) -> str:
    """A chunk's identified calls as one compact text (zlib JSON rows, base64)."""
    if not calls:
        return ""
    return base64.b64encode(zlib.compress(orjson.dumps(calls), 1)).decode("ascii")


def calls_unpack(text: str) -> list[list]:
    return orjson.loads(zlib.decompress(base64.b64decode(text))) if text else []


def usage_subtract(usage: dict, calls: list[list]) -> None:
    """Takes calls counted before out of the usage they were summed into; a key left with no
    request goes. (A repeated call has its original's time, so first/last stay right.)"""
    for c in calls:
        row = usage.get(tuple(c[:9]))
        if row is None:
            continue
        row[0] -= 1
        row[1] -= c[10]
        row[2] -= c[11]
        row[3] -= c[12]
        if row[0] <= 0:
            del usage[tuple(c[:9])]


def usage_unpack_into(into: dict, rows: list[list]) -> None:
    """Adds stored usage rows to a batch's usage keyed by the 9 key fields."""
    usage_merge(into, {tuple(r[:9]): r[9:15] for r in rows})


# Planning ---------------------------------------------------------------------------------
def iter_input_files(path: str | Path) -> Iterator[Path]:
    """Files under a path, recursively and sorted; CloudTrail-Digest objects are skipped."""
    p = Path(path)
    if p.is_file():
        yield p
        return
    for root, dirs, files in os.walk(p):
        dirs[:] = sorted(d for d in dirs if d != "CloudTrail-Digest" and not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or "CloudTrail-Digest" in name:
                continue
            yield Path(root) / name


def chunk_plan(
    path: str | Path, *, target_bytes: int = DEFAULT_CHUNK_BYTES, offset: int = 0
) -> list[Chunk]:
    """Line-aligned byte ranges of about ``target_bytes``; a gzip file (or dir entry) is one chunk.

    ``offset`` (one file only) is where counting starts: the bytes before it were counted already
    (a log that grew); for a gzip file it is a decompressed offset, carried as ``Chunk.skip``."""
    chunks: list[Chunk] = []
    target_bytes = max(int(target_bytes), 1)
    for f in iter_input_files(path):
        size = f.stat().st_size
        if size == 0:
            continue
        if is_gzip(f) or is_zip(f):
            chunks.append(Chunk(str(f), 0, size, len(chunks), skip=offset))
            continue
        if offset >= size:
            continue
        if size - offset <= target_bytes or (not offset and _is_document_file(f)):
            chunks.append(Chunk(str(f), offset, size, len(chunks)))
            continue
        with open(f, "rb") as fh:
            start = offset
            while start < size:
                cut = start + target_bytes
                if cut >= size:
                    end = size
                else:
                    fh.seek(cut)
                    while True:
                        piece = fh.read(65536)
                        if not piece:
                            end = size
                            break
                        nl = piece.find(b"\n")
                        if nl != -1:
                            end = fh.tell() - len(piece) + nl + 1
                            break
                chunks.append(Chunk(str(f), start, end, len(chunks)))
                start = end
    return chunks


# Reading ----------------------------------------------------------------------------------
def _iter_plain_blocks(chunk: Chunk, block: int) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) blocks of the range, each ending on a newline (except possibly the last).

    A block is read whole and cut at its last newline; the file position is moved back to the
    cut, so each byte is copied once."""
    with open(chunk.path, "rb") as fh:
        pos = chunk.start
        fh.seek(pos)
        want = block
        while pos < chunk.end:
            data = fh.read(min(want, chunk.end - pos))
            if not data:
                break
            if pos + len(data) < chunk.end:
                nl = data.rfind(b"\n")
                if nl == -1:  # a line longer than the block: read more of it
                    fh.seek(pos)
                    want *= 2
                    continue
                if nl + 1 < len(data):
                    fh.seek(pos + nl + 1)
                    data = data[: nl + 1]
            yield pos, data
            pos += len(data)
            want = block


def _find_header(chunk: Chunk, markers: tuple[bytes, ...]) -> list[bytes]:
    """Directive lines that precede a mid-file chunk (so #Fields carries over to chunk 2..n).

    The latest #Fields/#fields line before the chunk is found with mmap.rfind (C speed), and the
    directive lines just above it (Zeek's #separator, #path, #unset_field ...) come with it."""
    if chunk.start == 0 or not markers:
        return []
    with open(chunk.path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        best = -1
        for m in markers:
            p = mm.rfind(b"\n" + m, 0, chunk.start)
            if p != -1:
                best = max(best, p + 1)
            elif mm[: len(m)] == m:
                best = max(best, 0)
        if best == -1:
            return []
        lo = max(0, best - 8192)
        end = mm.find(b"\n", best, chunk.start)
        region = mm[lo : chunk.start if end == -1 else end]
    lines = region.split(b"\n")
    if lo > 0:
        lines = lines[1:]  # first piece may be a partial line
    # the directive block that ends with the header line: contiguous '#' lines
    block: list[bytes] = []
    for ln in reversed(lines):
        if not ln.startswith(b"#"):
            break
        block.append(ln)
    return list(reversed(block))


# Identity ---------------------------------------------------------------------------------
IdentityWindows = list[tuple[float, float, str]]  # (valid from, valid to, person), epoch seconds


class IdentityResolver:
    """Raw user/IP → identity key: normalised user, mapped via identity_map, optionally HMACed.

    A map value is a person, or a list of (valid from, valid to, person) windows: an address
    leased to several people over time resolves to whoever held it at the event's time."""

    def __init__(
        self, identity_map: dict[str, str | IdentityWindows] | None, key: bytes | None
    ) -> None:
        self.map: dict[str, str] = {}
        self.windows: dict[str, IdentityWindows] = {}
        for k, v in (identity_map or {}).items():
            if isinstance(v, str):
                self.map[k.lower()] = v
            else:
                self.windows[k.lower()] = sorted(v)
        self.key = key
        self._cache: dict[tuple[str, str], str] = {}

    def _at(self, key: str, ts: float | None) -> str | None:
        """The person holding ``key`` at ``ts``: the latest window that contains it."""
        found = None
        for start, end, person in self.windows[key]:
            if ts is None or start <= ts <= end:
                found = person
        return found

    def __call__(self, user: str, ip: str, ts: float | None = None) -> str:
        ck = (user, ip)
        hit = self._cache.get(ck)
        if hit is not None:
            return hit
        u = normalise_user(user)
        lookup = u or (ip.lower() if ip else "")
        if lookup in self.windows:
            person = self._at(lookup, ts)
            ident = person or self.map.get(lookup) or (u if u else f"ip:{ip}")
            return pseudonymise(ident, self.key) if self.key else ident
        if u:
            ident = self.map.get(u, u)
        elif ip:
            ident = self.map.get(ip.lower()) or f"ip:{ip}"
        else:
            ident = "unknown"
        if self.key:
            ident = pseudonymise(ident, self.key)
        if len(self._cache) < 500_000:
            self._cache[ck] = ident
        return ident


def pseudonymise(value: str, key: bytes) -> str:
    """Keyed HMAC-SHA256 pseudonym, truncated and prefixed (a plain hash is reversible)."""
    kind = "ip" if value.startswith("ip:") else "u"
    digest = hmac.new(key, value.lower().encode(), hashlib.sha256).hexdigest()[:20]
    return f"{kind}~{digest}"


# Processing -------------------------------------------------------------------------------
class _Acc:
    """Mutable per-chunk state kept in locals-friendly lists for the hot loop."""

    def __init__(self, catalog: Catalog, ident: IdentityResolver, allowlist: set[str]) -> None:
        self.catalog = catalog
        self.ident = ident
        self.allow = {a.lower() for a in allowlist}
        self.rollups: dict[tuple[str, str, str], list] = {}
        self.possible: dict[tuple[str, str], HeuristicAgg] = {}
        self.grants: list[GrantEvent] = []
        self.usage: dict[tuple, list] = {}
        self.calls: list[list] = []
        self.skips = SkipCounter()
        self.parsed = 0
        self.matched = 0

    def add(self, rec: Record, line: str) -> None:
        self.parsed += 1
        host = rec.host
        cat = self.catalog
        key = None
        if host in cat.path_rules:  # P-flag rule beats the host's own app (huggingface.co/chat)
            key = cat.match_path(host, rec.path)
        if key is None:
            key = cat.match(host)
        ts = rec.ts
        if key is None:
            if host in self.allow:
                return
            codes = heuristics(host, rec.path, rec.method, rec.user_agent, rec.mime)
            if not codes:
                return
            ident = self.ident(rec.user, rec.client_ip, rec.ts)
            dt = datetime.fromtimestamp(ts, tz=UTC)
            for code in codes:
                agg = self.possible.get((host, code))
                if agg is None:
                    agg = self.possible[(host, code)] = HeuristicAgg(first_ts=dt, last_ts=dt)
                agg.count += 1
                agg.users.add(ident)
                if dt < agg.first_ts:
                    agg.first_ts = dt
                if dt > agg.last_ts:
                    agg.last_ts = dt
                if len(agg.sample_lines) < HEURISTIC_SAMPLES:
                    agg.sample_lines.append(line[:500])
            rkey = "host:" + host
        else:
            self.matched += 1
            rkey = key
            ident = self.ident(rec.user, rec.client_ip, rec.ts)
        k = (rkey, ident, day_iso(int(ts) // 86400))
        r = self.rollups.get(k)
        if r is None:
            self.rollups[k] = [1, rec.bytes_up, rec.bytes_down, ts, ts]
        else:
            r[0] += 1
            r[1] += rec.bytes_up
            r[2] += rec.bytes_down
            if ts < r[3]:
                r[3] = ts
            elif ts > r[4]:
                r[4] = ts

    def add_grant(self, ev: GrantEvent) -> None:
        """An OAuth grant or revoke: the user resolved like any other, the app kept by name."""
        self.parsed += 1
        if self.catalog.oauth_app(ev.client_id, ev.app_name):
            self.matched += 1
        ev.user = self.ident(ev.user, "", ev.ts) if ev.user else ""
        self.grants.append(ev)

    def add_call(self, call: ModelCall) -> None:
        """A gateway, invocation-log or trace model call, summed per app × identity × team ×
        key × model × region × service × day."""
        self.parsed += 1
        if call.source == "bedrock_invocation":
            app = BEDROCK_APP_KEY
        else:
            app = self.catalog.model_app(
                model=call.model, provider=call.provider, host=call.provider_host
            )
        if app:
            self.matched += 1
        ident = self.ident(call.principal, "", call.ts) if call.principal else ""
        ts = call.ts
        k = (
            call.source,
            app,
            ident,
            call.team[:120],
            call.key_alias[:200],
            call.model[:200],
            call.region[:40],
            call.service[:200],
            day_iso(int(ts) // 86400),
        )
        if call.request_id:
            rid = f"{call.source}:{call.request_id}"
            self.calls.append([*k, rid, call.input_tokens, call.output_tokens, call.cost, ts])
        r = self.usage.get(k)
        if r is None:
            self.usage[k] = [1, call.input_tokens, call.output_tokens, call.cost, ts, ts]
        else:
            r[0] += 1
            r[1] += call.input_tokens
            r[2] += call.output_tokens
            r[3] += call.cost
            r[4] = min(r[4], ts)
            r[5] = max(r[5], ts)

    def add_any(self, rec: object, line: str) -> bool:
        """Adds a record of any kind; False for a skip reason."""
        cls = rec.__class__
        if cls is Record:
            self.add(rec, line)
        elif cls is GrantEvent:
            self.add_grant(rec)
        elif cls is ModelCall:
            self.add_call(rec)
        else:
            return False
        return True

    def add_cloud(self, ev: CloudEvent) -> None:
        self.parsed += 1
        if ev.event_name in INVOKE_EVENTS and not ev.error_code:
            self.matched += 1
            ident = self.ident(ev.principal, "", ev.ts)
            ts = ev.ts
            k = (BEDROCK_APP_KEY, ident, day_iso(int(ts) // 86400))
            r = self.rollups.get(k)
            if r is None:
                self.rollups[k] = [1, 0, 0, ts, ts]
            else:
                r[0] += 1
                r[3] = min(r[3], ts)
                r[4] = max(r[4], ts)

    def result(self, res: ChunkResult) -> ChunkResult:
        res.parsed += self.parsed
        res.matched += self.matched
        res.skipped = self.skips.counts
        res.skip_samples = self.skips.samples
        res.possible_ai = self.possible
        res.rollups = {k: RollupAgg(*v) for k, v in self.rollups.items()}
        res.grants = self.grants
        res.model_usage = self.usage
        res.model_calls = self.calls
        return res


def cloud_rollups(
    events: list[CloudEvent],
    *,
    identity_map: dict[str, str | IdentityWindows] | None = None,
    pseudonymise_key: bytes | None = None,
) -> tuple[dict, int]:
    """(rollups, matched) of CloudTrail events alone, as process_chunk counts them: used when
    some of a chunk's events were already counted elsewhere and only the rest may count."""
    acc = _Acc(Catalog([]), IdentityResolver(identity_map, pseudonymise_key), set())
    for ev in events:
        acc.add_cloud(ev)
    return {k: RollupAgg(*v) for k, v in acc.rollups.items()}, acc.matched


def process_chunk(
    chunk: Chunk,
    *,
    fmt: str,
    catalog: Catalog,
    identity_map: dict[str, str | IdentityWindows] | None = None,
    pseudonymise_key: bytes | None = None,
    allowlist: set[str] | frozenset = frozenset(),
    options: dict | None = None,
    fast: bool = True,
    sample_bytes: int = SAMPLE_BYTES,
) -> ChunkResult:
    """Parse, match and roll up one chunk. Never raises for bad input: problems become counted
    skips (or ``error`` for unreadable files)."""
    acc = _Acc(catalog, IdentityResolver(identity_map, pseudonymise_key), set(allowlist))
    res = ChunkResult()
    try:
        gz = is_gzip(Path(chunk.path))
        if fmt == "cloudtrail":
            _process_cloudtrail(chunk, gz, acc, res)
        else:
            _process_lines(chunk, gz, fmt, acc, res, options, fast, sample_bytes)
    except GzipGuardError as exc:
        acc.skips.add(exc.reason, f"{chunk.path}: {exc}")
        res.error = str(exc)
    except OSError as exc:
        res.error = f"cannot read {chunk.path}: {exc}"
    return acc.result(res)


def _blocks(chunk: Chunk, gz: bool, res: ChunkResult) -> Iterator[tuple[int, bytes]]:
    """Line-aligned blocks of the chunk; a .zip yields its members one after another, and a
    whole JSON document (array, Graph `value`, Azure `records`) is rewritten as JSON lines."""
    if chunk.start == 0 and is_zip(chunk.path):
        off = 0
        for _name, data in iter_zip_members(chunk.path):
            data = document_lines(data) or data
            if data and not data.endswith(b"\n"):
                data += b"\n"
            yield off, data
            off += len(data)
        res.bytes_done = chunk.end - chunk.start
        return
    raw = _blocks_raw(chunk, gz, res)
    if chunk.start != 0 or chunk.skip:
        yield from raw
        return
    first = next(raw, None)
    if first is None:
        return
    off, data = first
    head = data[:4096]
    one_line = len(data) < MAX_DOCUMENT_BYTES and data.strip().count(b"\n") == 0
    if head.lstrip()[:1] in (b"[", b"{") and (one_line or not _is_json_lines(head)):
        buf = data + b"".join(d for _o, d in raw)
        if len(buf) <= MAX_DOCUMENT_BYTES:
            doc = document_lines(buf)
            yield 0, doc if doc is not None else buf
            return
        yield 0, buf
        return
    yield off, data
    yield from raw


def _is_document_file(path: Path) -> bool:
    """A whole JSON document (array or pretty-printed object) up to MAX_DOCUMENT_BYTES: it is
    read in one chunk, since a cut document cannot be decoded."""
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            return False
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return head.lstrip()[:1] in (b"[", b"{") and not _is_json_lines(head)


def _is_json_lines(head: bytes) -> bool:
    """A head whose first line is one whole JSON object: JSON lines, not a document."""
    first = head.lstrip().split(b"\n", 1)[0].rstrip()
    return first[:1] == b"{" and first.endswith(b"}")


def _process_lines(
    chunk: Chunk,
    gz: bool,
    fmt: str,
    acc: _Acc,
    res: ChunkResult,
    options: dict | None,
    fast: bool,
    sample_bytes: int,
) -> None:
    opts = dict(options or {})
    if "ref_date" not in opts:
        with contextlib.suppress(OSError):
            opts["ref_date"] = datetime.fromtimestamp(os.path.getmtime(chunk.path), tz=UTC).date()
    parser = get_parser(fmt, options=opts)
    markers = tuple(p.encode() for p in parser.header_prefixes)
    for hline in _find_header(chunk, (b"#Fields:", b"#fields") if markers else ()):
        parser.safe_parse(hline.decode("utf-8", "replace"))
    header_row = _csv_header_row(chunk, markers)
    if header_row:  # a CSV header row (LiteLLM, Netskope) carries over to chunk 2..n
        parser.safe_parse(header_row)
    skips = acc.skips
    safe_parse, add = parser.safe_parse, acc.add
    cloud = isinstance(parser, CloudTrailLineParser)
    ref = chunk.path
    sampled = 0
    for off, block in _blocks(chunk, gz, res):
        n = block.count(b"\n")
        if block and not block.endswith(b"\n"):
            n += 1
        res.lines_read += n
        if not fast or not parser.prefilter_safe:
            spans = _all_spans(block)
        else:
            spans = candidate_spans(block, acc.catalog, cloud=cloud, headers=markers)
            if sampled < sample_bytes:  # parse the chunk's head fully: format problems show
                cut = block.find(b"\n", sample_bytes - sampled)
                cut = len(block) if cut == -1 else cut + 1
                head = _all_spans(block[:cut])
                spans = head + [sp for sp in spans if sp[0] >= cut]
                sampled += cut
            res.prefiltered += n - len(spans)
        for s, e in spans:
            raw = block[s:e]
            if len(raw) > MAX_LINE_BYTES:
                skips.add(SkipReason.TOO_LONG, raw[:200])
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                line = raw.decode("latin-1")
                if b"\x00" in raw:
                    skips.add(SkipReason.NOT_UTF8, raw)
                    continue
            line = line.rstrip("\r")
            rec = safe_parse(line)
            if rec.__class__ is Record:  # records are transient here: no raw_ref needed
                add(rec, line)
            elif rec is SkipReason.DIRECTIVE or rec is SkipReason.BLANK:
                res.header_lines += 1
            elif rec.__class__ is GrantEvent or rec.__class__ is ModelCall:
                acc.add_any(rec, line)
            elif isinstance(rec, list) and not cloud:  # one line holding several records
                got = sum(1 for r in rec if acc.add_any(r, line))
                if got:
                    acc.parsed -= got - 1
                else:
                    skips.add(next(iter(rec), SkipReason.MALFORMED), line)
            elif isinstance(rec, list):  # CloudTrail one-event-per-line
                acc.parsed += sum(1 for ev in rec if ev is None)
                for ev in rec:
                    if ev is not None:
                        ev.raw_ref = f"{ref}:{off + s}"
                        acc.add_cloud(ev)
                        res.cloud_events.append(ev)
            else:
                skips.add(rec, line)


def _csv_header_row(chunk: Chunk, markers: tuple[bytes, ...]) -> str:
    """The file's first line when a mid-file chunk's format names its columns in a header row
    (not a '#' directive); '' otherwise."""
    rows = tuple(m for m in markers if not m.startswith(b"#"))
    if chunk.start == 0 or not rows:
        return ""
    with open(chunk.path, "rb") as fh:
        first = fh.readline(MAX_LINE_BYTES).rstrip(b"\r\n")
    return first.decode("utf-8", "replace") if first.startswith(rows) else ""


def _all_spans(block: bytes) -> list[tuple[int, int]]:
    spans = []
    start = 0
    find = block.find
    size = len(block)
    while start < size:
        nl = find(b"\n", start)
        if nl == -1:
            spans.append((start, size))
            break
        spans.append((start, nl))
        start = nl + 1
    return spans


def _process_cloudtrail(chunk: Chunk, gz: bool, acc: _Acc, res: ChunkResult) -> None:
    """A CloudTrail object: a Records document (fast path), a JSON array of events, a
    lookup-events or Lake result document, or JSON lines; a .zip holds any of these."""
    if chunk.start == 0 and is_zip(chunk.path):
        for name, data in iter_zip_members(chunk.path):
            _process_cloudtrail_buf(data, f"{chunk.path}!{name}", acc, res)
        res.bytes_done = chunk.end - chunk.start
        return
    parts = [data for _off, data in _blocks_raw(chunk, gz, res)]
    buf = b"".join(parts)
    del parts
    _process_cloudtrail_buf(buf, chunk.path, acc, res)


def _blocks_raw(chunk: Chunk, gz: bool, res: ChunkResult) -> Iterator[tuple[int, bytes]]:
    if gz:
        skip = chunk.skip
        for off, data, consumed in iter_gzip_blocks(chunk.path, BLOCK_BYTES):
            res.bytes_done = consumed
            if off + len(data) <= skip:
                continue  # counted already, as part of an earlier file
            if off < skip:
                data, off = data[skip - off :], skip
            yield off, data
    else:
        for off, data in _iter_plain_blocks(chunk, BLOCK_BYTES):
            res.bytes_done = off + len(data) - chunk.start
            yield off, data


def _process_cloudtrail_buf(buf: bytes, ref: str, acc: _Acc, res: ChunkResult) -> None:
    head = buf[:64].lstrip()
    if head.startswith((b'{"Records"', b"{\n", b"{ ", b"{\r", b"[")):
        stats: dict = {}
        before = acc.skips.total
        n, events = parse_records_blob(buf, ref=ref, skips=acc.skips, stats=stats)
        if n or events:
            # the fast path decodes candidate events only; the others count as parsed events
            # (stats["inspected"] says how many were decoded)
            res.lines_read += n
            acc.parsed += n - (acc.skips.total - before) - len(events)
            for ev in events:
                acc.add_cloud(ev)
            res.cloud_events.extend(events)
            return
        res.lines_read += 1
        return
    parser = CloudTrailLineParser()
    for s, e in _all_spans(buf):
        line = buf[s:e].decode("utf-8", "replace").rstrip("\r")
        res.lines_read += 1
        if not line.strip():
            res.header_lines += 1
            continue
        rec = parser.safe_parse(line)
        if isinstance(rec, list):
            acc.parsed += sum(1 for ev in rec if ev is None)
            for ev in rec:
                if ev is not None:
                    ev.raw_ref = f"{ref}:{s}"
                    acc.add_cloud(ev)
                    res.cloud_events.append(ev)
        else:
            acc.skips.add(rec, line)
