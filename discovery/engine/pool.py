"""Chunks on a process pool: the chunk pipeline spread over processes, without Django.

Workers are forked where the platform can, so the catalogue and identity maps they need are
already in their memory: per chunk only its coordinates go out and its result comes back. At
most ``window`` chunks are in flight, so results never pile up while the caller stores them and
memory stays flat whatever the batch's size.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Iterable, Iterator

from .pipeline import Chunk, ChunkResult, process_chunk

_ENGINE_KWARGS: dict = {}

Outcome = tuple[int, ChunkResult | None, str]


def _init(engine_kwargs: dict) -> None:
    global _ENGINE_KWARGS
    _ENGINE_KWARGS = engine_kwargs


def _work(item: tuple[Chunk, str]) -> Outcome:
    chunk, fmt = item
    try:
        return chunk.index, process_chunk(chunk, fmt=fmt, **_ENGINE_KWARGS), ""
    except Exception as exc:  # noqa: BLE001 - reported per chunk, as the caller's own errors are
        return chunk.index, None, f"{type(exc).__name__}: {exc}"


def process_chunks(
    items: Iterable[tuple[Chunk, str]], *, processes: int, window: int = 0, **engine_kwargs
) -> Iterator[Outcome]:
    """(chunk index, result or None, error text) for every (chunk, format), in the order given;
    ``engine_kwargs`` go to every process_chunk call. One process or one chunk runs here."""
    items = list(items)
    if processes <= 1 or len(items) <= 1:
        _init(engine_kwargs)
        for item in items:
            yield _work(item)
        return
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else None)
    window = window or processes + 1
    todo = iter(items)
    with ctx.Pool(min(processes, len(items)), _init, (engine_kwargs,)) as pool:
        pending = deque(
            pool.apply_async(_work, (item,)) for _, item in zip(range(window), todo, strict=False)
        )
        while pending:
            outcome = pending.popleft().get()
            if (item := next(todo, None)) is not None:
                pending.append(pool.apply_async(_work, (item,)))
            yield outcome
