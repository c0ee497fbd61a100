"""Requests per app two ways, to check an ingest against the pure pipeline's ground truth."""

from pathlib import Path

from django.db.models import Sum

from discovery.engine.pipeline import chunk_plan, process_chunk
from discovery.models import UsageRollup
from discovery.selectors import matching_catalog


def pipeline_requests(path: Path, fmt: str) -> dict[str, int]:
    """Ground truth straight from the pure pipeline over the whole file in one chunk."""
    [chunk] = chunk_plan(path, target_bytes=1 << 40)
    result = process_chunk(chunk, fmt=fmt, catalog=matching_catalog())
    totals: dict[str, int] = {}
    for (subject, _ident, _day), agg in result.rollups.items():
        totals[subject] = totals.get(subject, 0) + agg.requests
    return totals


def rollup_requests() -> dict[str, int]:
    """What the stored rollups say, keyed the same way."""
    rows = UsageRollup.objects.values("app_key", "host").annotate(n=Sum("requests"))
    return {(r["app_key"] or "host:" + r["host"]): r["n"] for r in rows}
