"""Renders the pack PDF with WeasyPrint from Django templates and a print stylesheet."""

import logging
import math
import tempfile
import time
from contextlib import ExitStack
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from discovery.selectors import severity_rank
from evidence.charts import usage_bars
from evidence.collect import PackData
from evidence.parallel import Progress, RenderedPart, render_parts, render_processes

log = logging.getLogger(__name__)
COMPACT_ABOVE = 40
# Several system chunks per process, so parts of unequal size still balance across processes.
CHUNKS_PER_PROCESS = 3


def generator_version() -> str:
    try:
        return version("sightline")
    except PackageNotFoundError:
        return "unknown"


def render_pdf(
    data: PackData,
    out_path: Path,
    *,
    pack_no: int | str,
    content_sha256: str,
    key_fingerprint: str,
    created_by: str = "",
    progress: Progress | None = None,
) -> int:
    """Write the pack PDF and return its page count.

    The body (inventory, systems, discovery, audit, evidence index) is split into parts that child
    processes lay out in parallel. The front document (cover and contents) then gets one blank
    page per body page, carrying that page's anchors and bookmarks, so WeasyPrint's
    target-counter, counter(pages) and the PDF outline work over the whole pack. Each body page is
    finally laid under its blank page.
    """
    progress = progress or (lambda pct, note: None)
    context = _context(
        data,
        pack_no=pack_no,
        content_sha256=content_sha256,
        key_fingerprint=key_fingerprint,
        created_by=created_by,
    )
    with tempfile.TemporaryDirectory(dir=out_path.parent, prefix=".pdf-") as tmp:
        started = time.perf_counter()
        parts = render_parts(_body_parts(context), Path(tmp), progress)
        laid_out = time.perf_counter()
        body_pages = [page for part in parts for page in part.pages]
        progress(88, "Numbering pages and writing the contents")
        front = _html_document(
            render_to_string("evidence/pdf/front.html", {**context, "body_pages": body_pages})
        ).render()
        lead = len(front.pages) - len(body_pages)
        front.write_pdf(str(Path(tmp) / "front.pdf"))
        numbered = time.perf_counter()
        _stack(Path(tmp) / "front.pdf", parts, lead, out_path)
    log.info(
        "PDF: %d parts laid out in %.1f s by %d processes; contents and page numbers %.1f s; "
        "stacking %.1f s",
        len(parts),
        laid_out - started,
        render_processes(),
        numbered - laid_out,
        time.perf_counter() - numbered,
    )
    return len(front.pages)


def _context(data: PackData, **pack) -> dict:
    def by_severity(rows):
        return sorted(rows, key=lambda f: (severity_rank(f.severity), -f.last_seen.timestamp()))

    regime_label = "All regimes"
    if data.scope.regime:
        names = [r["name"] for r in data.regimes if r["code"] == data.scope.regime]
        regime_label = names[0] if names and names[0] else data.scope.regime.upper()
    missing = len(data.missing_evidence)
    return {
        **pack,
        "data": data,
        # Big packs flow systems on without a page break each: a third fewer pages to lay out.
        "compact": len(data.systems) > COMPACT_ABOVE,
        "generator_version": generator_version(),
        "regime_label": regime_label,
        "evidence_missing": missing,
        "evidence_included": len(data.evidence) - missing,
        "chart_svg": usage_bars(data.discovery.get("chart", [])),
        "finding_groups": [
            {"title": "Open findings", "rows": by_severity(data.discovery.get("open", []))},
            {"title": "Closed findings", "rows": by_severity(data.discovery.get("closed", []))},
        ],
    }


def _body_parts(context: dict) -> list[str]:
    """The body as HTML documents in reading order; systems in chunks so the parts balance."""

    def part(section: str, **extra) -> str:
        return render_to_string("evidence/pdf/part.html", {**context, **extra, "section": section})

    systems = context["data"].systems
    per_chunk = max(1, math.ceil(len(systems) / (render_processes() * CHUNKS_PER_PROCESS)))
    chunks = [
        part(
            "evidence/pdf/systems.html", chunk=systems[start : start + per_chunk], chunk_start=start
        )
        for start in range(0, max(len(systems), 1), per_chunk)
    ]
    return [
        part("evidence/pdf/inventory.html"),
        *chunks,
        part("evidence/pdf/discovery.html"),
        part("evidence/pdf/audit.html"),
        part("evidence/pdf/evidence_index.html"),
        *(part(extra["template"], extra=extra) for extra in context["data"].extra_sections),
    ]


def _html_document(html: str):
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR))


def _stack(front_pdf: Path, parts: list[RenderedPart], lead: int, out_path: Path) -> None:
    """Lay each body page under its placeholder page, after the `lead` cover and contents pages."""
    import pikepdf

    with ExitStack() as stack:
        pdf = stack.enter_context(pikepdf.open(front_pdf))
        number = lead
        for part in parts:
            # Pages are copied from the part files when the result is saved: keep them open.
            for page in stack.enter_context(pikepdf.open(part.pdf)).pages:
                pdf.pages[number].add_underlay(page)
                number += 1
        pdf.save(out_path)
