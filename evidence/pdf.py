"""Renders the pack PDF with WeasyPrint from Django templates and a print stylesheet."""

import logging
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from evidence.charts import usage_bars
from evidence.collect import PackData
from evidence.models import RegimeCode

COMPACT_ABOVE = 40
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


def generator_version() -> str:
    try:
        return version("sightline")
    except PackageNotFoundError:
        return "unknown"


def render_html(
    data: PackData,
    *,
    pack_no: int | str,
    content_sha256: str,
    key_fingerprint: str,
    created_by: str = "",
) -> str:
    def by_severity(rows):
        return sorted(
            rows, key=lambda f: (SEVERITY_RANK.get(f.severity, 9), -f.last_seen.timestamp())
        )

    regime_label = (
        dict(RegimeCode.choices).get(data.scope.regime, data.scope.regime.upper())
        if data.scope.regime
        else "All regimes"
    )
    missing = len(data.missing_evidence)
    context = {
        "data": data,
        # Big packs flow systems on without a page break each: a third fewer pages to lay out.
        "compact": len(data.systems) > COMPACT_ABOVE,
        "pack_no": pack_no,
        "content_sha256": content_sha256,
        "key_fingerprint": key_fingerprint,
        "created_by": created_by,
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
    return render_to_string("evidence/pdf/pack.html", context)


def render_pdf(html: str, out_path: Path) -> int:
    """Write the PDF and return its page count (the TOC needs a full layout anyway)."""
    from weasyprint import HTML

    # WeasyPrint logs every page at INFO; a 300-page pack would flood the worker log.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    document.write_pdf(str(out_path))
    return len(document.pages)
