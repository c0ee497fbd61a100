"""Multi-literal prefilter over raw blocks: which lines can possibly matter.

Hyperscan scans at memory speed; pyahocorasick is the fallback when it is not installed. Both
are case-insensitive: a line is a candidate when it contains any catalogue host/suffix or any
heuristic token (matching.HEURISTIC_TOKENS), or starts a directive line (#Fields, #fields).
"""

from __future__ import annotations

import re

import ahocorasick

from ..matching import HEURISTIC_TOKENS, Catalog

try:  # pragma: no cover - import guard
    import hyperscan
except ImportError:  # pragma: no cover
    hyperscan = None

CLOUD_TOKENS = ("bedrock", "getcalleridentity", "iam.amazonaws.com")

_ENGINES: dict[tuple[int, bool], object] = {}


def _tokens(catalog: Catalog, cloud: bool) -> list[str]:
    if cloud:
        return list(CLOUD_TOKENS)
    return minimal_tokens(set(catalog.prefilter_tokens()) | set(HEURISTIC_TOKENS))


def minimal_tokens(tokens: set[str]) -> list[str]:
    """Drop every token that contains a shorter kept token: the set of lines that contain
    some token is unchanged, but each line reports fewer hits (e.g. 'chat' covers chatgpt.com)."""
    kept: list[str] = []
    for t in sorted({t.lower() for t in tokens if t}, key=len):
        if not any(k in t for k in kept):
            kept.append(t)
    return sorted(kept)


class _HsEngine:
    def __init__(self, tokens: list[str] | tuple[bytes, ...], caseless: bool = True) -> None:
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        exprs = [re.escape(t if isinstance(t, bytes) else t.encode()) for t in tokens]
        db.compile(
            expressions=exprs,
            ids=list(range(len(exprs))),
            elements=len(exprs),
            flags=[hyperscan.HS_FLAG_CASELESS if caseless else 0] * len(exprs),
        )
        self.db = db
        self.scratch = hyperscan.Scratch(db)

    def ends(self, block: bytes) -> list[int]:
        hits: list[int] = []
        append = hits.append

        def on_match(_id: int, _frm: int, to: int, _flags: int, _ctx: object) -> None:
            append(to)

        self.db.scan(block, match_event_handler=on_match, scratch=self.scratch)
        return hits


class _AcEngine:
    def __init__(self, tokens: list[str]) -> None:
        a = ahocorasick.Automaton()
        for t in tokens:
            a.add_word(t.lower(), len(t))
        a.make_automaton()
        self.a = a

    def ends(self, block: bytes) -> list[int]:
        text = block.decode("latin-1").lower()
        return [end + 1 for end, _ in self.a.iter(text)]


def _engine(catalog: Catalog, cloud: bool) -> object:
    key = (id(catalog), cloud)
    eng = _ENGINES.get(key)
    if eng is None:
        toks = _tokens(catalog, cloud)
        eng = _HsEngine(toks) if hyperscan is not None else _AcEngine(toks)
        if len(_ENGINES) > 16:
            _ENGINES.clear()
        _ENGINES[key] = eng
    return eng


_LITERALS: dict[tuple[bytes, ...], _HsEngine] = {}


def literal_ends(buf: bytes, tokens: tuple[bytes, ...]) -> list[int] | None:
    """End offsets of case-sensitive literal tokens, or None without Hyperscan."""
    if hyperscan is None:
        return None
    eng = _LITERALS.get(tokens)
    if eng is None:
        eng = _LITERALS[tokens] = _HsEngine(tokens, caseless=False)
    return eng.ends(buf)


def candidate_spans(
    block: bytes, catalog: Catalog, *, cloud: bool = False, headers: tuple[bytes, ...] = ()
) -> list[tuple[int, int]]:
    """(start, end) of each candidate line in ``block`` (end excludes the newline), in order."""
    ends = _engine(catalog, cloud).ends(block)
    if headers:
        ends.extend(_header_positions(block, headers))
        ends.sort()
    spans: list[tuple[int, int]] = []
    last_end = -1
    rfind, find = block.rfind, block.find
    size = len(block)
    for pos in ends:
        if pos <= last_end:
            continue
        s = rfind(b"\n", 0, pos) + 1
        e = find(b"\n", pos)
        if e == -1:
            e = size
        if s <= last_end:  # same line as the previous hit (hit ended exactly at a newline)
            continue
        spans.append((s, e))
        last_end = e
    return spans


def _header_positions(block: bytes, markers: tuple[bytes, ...] = (b"#",)) -> list[int]:
    """Positions inside every line that starts with a header marker (#, a CSV header ...)."""
    out = []
    for m in {b"#", b"ts\tuid\t", *markers}:
        if block.startswith(m):
            out.append(1)
        pos = block.find(b"\n" + m)
        while pos != -1:
            out.append(pos + 2)
            pos = block.find(b"\n" + m, pos + 2)
    return out
