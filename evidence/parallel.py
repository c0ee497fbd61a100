"""Lays out the parts of a pack PDF in child processes (`evidence.pdf_parts`), balanced by size."""

import json
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

Progress = Callable[[int, str], None]
POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 20


@dataclass
class RenderedPart:
    pdf: Path
    pages: list[dict]  # per page: {"anchors": [...], "bookmarks": [[level, label], ...]}


def render_processes() -> int:
    return max(1, int(settings.SIGHTLINE_PACK_RENDER_PROCESSES))


def balance(costs: list[int], slots: int) -> list[list[int]]:
    """Longest part first onto the least-loaded process, so all processes finish at about once."""
    loads: list[tuple[int, list[int]]] = [(0, []) for _ in range(min(slots, len(costs)))]
    for index in sorted(range(len(costs)), key=lambda i: costs[i], reverse=True):
        slot = min(range(len(loads)), key=lambda s: loads[s][0])
        total, indexes = loads[slot]
        loads[slot] = (total + costs[index], [*indexes, index])
    return [sorted(indexes) for _, indexes in loads]


def render_parts(parts: list[str], work: Path, progress: Progress) -> list[RenderedPart]:
    """Render every HTML part to PDF; raises RuntimeError naming the failure if a child fails."""
    paths = []
    for index, html in enumerate(parts):
        stem = work / f"part-{index:03d}"
        stem.with_suffix(".html").write_text(html, encoding="utf-8")
        paths.append({key: str(stem.with_suffix(f".{key}")) for key in ("html", "pdf", "pages")})
    with ExitStack() as stack:
        children = []
        for number, indexes in enumerate(
            balance([len(html) for html in parts], render_processes())
        ):
            job = work / f"job-{number}.json"
            job.write_text(
                json.dumps(
                    {"base_url": str(settings.BASE_DIR), "parts": [paths[i] for i in indexes]}
                )
            )
            log = stack.enter_context(open(work / f"job-{number}.log", "wb"))
            child = subprocess.Popen(
                [sys.executable, "-m", "evidence.pdf_parts", str(job)],
                cwd=settings.BASE_DIR,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
            stack.callback(_stop, child)
            children.append((child, log.name))
        _wait(children, [Path(p["pages"]) for p in paths], progress)
    return [RenderedPart(Path(p["pdf"]), json.loads(Path(p["pages"]).read_text())) for p in paths]


def _wait(children: list, done_files: list[Path], progress: Progress) -> None:
    """Reports each finished part, and at least every HEARTBEAT_SECONDS while a long part lays out."""
    reported, last = -1, time.monotonic()
    while True:
        for child, log_name in children:
            if child.poll() not in (None, 0):
                lines = Path(log_name).read_text(errors="replace").strip().splitlines()
                raise RuntimeError(
                    f"PDF layout failed (exit {child.returncode}): "
                    + (lines[-1] if lines else "no error output")
                )
        done = sum(path.exists() for path in done_files)
        if done != reported or time.monotonic() - last >= HEARTBEAT_SECONDS:
            last = time.monotonic()
            progress(
                75 + 13 * done // len(done_files),
                f"Laying out the PDF ({done}/{len(done_files)} parts)",
            )
            reported = done
        if all(child.returncode == 0 for child, _ in children):
            return
        time.sleep(POLL_SECONDS)


def _stop(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.kill()
        child.wait()
