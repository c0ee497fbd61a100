"""Chunks on a process pool: the chunk pipeline spread over processes, without Django.

Workers are forked where the platform can, so the catalogue and identity maps they need are
already in their memory: per chunk only its coordinates go out and its result comes back. At
most ``window`` chunks are in flight, so results never pile up while the caller stores them and
memory stays flat whatever the batch's size.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .pipeline import Chunk, ChunkResult, process_chunk

_ENGINE_KWARGS: dict = {}
_PREPARE: Callable[[ChunkResult], Any] | None = None

# (chunk index, result or None, error text, prepare(result) or None)
Outcome = tuple[int, ChunkResult | None, str, Any]


def _init(engine_kwargs: dict, prepare: Callable | None = None) -> None:
    global _ENGINE_KWARGS, _PREPARE
    _ENGINE_KWARGS, _PREPARE = engine_kwargs, prepare


def _work(item: tuple[Chunk, str]) -> Outcome:
    chunk, fmt = item
    try:
        result = process_chunk(chunk, fmt=fmt, **_ENGINE_KWARGS)
        prepared = None
        if _PREPARE is not None and not (result.error and not result.parsed):
            prepared = _PREPARE(result)
            result.rollups = {}  # shipped in ``prepared``; not sent back twice
            result.cloud_events = []
        return chunk.index, result, "", prepared
    except Exception as exc:  # noqa: BLE001 - reported per chunk, as the caller's own errors are
        return chunk.index, None, f"{type(exc).__name__}: {exc}", None


def process_chunks(
    items: Iterable[tuple[Chunk, str]],
    *,
    processes: int,
    window: int = 0,
    prepare: Callable[[ChunkResult], Any] | None = None,
    **engine_kwargs,
) -> Iterator[Outcome]:
    """An Outcome for every (chunk, format), in the order given; ``engine_kwargs`` go to every
    process_chunk call, and ``prepare`` (a picklable callable) turns a readable result into what
    the caller stores, in the process that parsed it (the result then comes back without its
    rollups and CloudTrail events, which ``prepare`` carries). One process or one chunk runs
    here."""
    items = list(items)
    if processes <= 1 or len(items) <= 1:
        _init(engine_kwargs, prepare)
        for item in items:
            yield _work(item)
        return
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else None)
    window = window or processes + 1
    todo = iter(items)
    with ctx.Pool(min(processes, len(items)), _init, (engine_kwargs, prepare)) as pool:
        pending = deque(
            pool.apply_async(_work, (item,)) for _, item in zip(range(window), todo, strict=False)
        )
        while pending:
            outcome = pending.popleft().get()
            if (item := next(todo, None)) is not None:
                pending.append(pool.apply_async(_work, (item,)))
            yield outcome
