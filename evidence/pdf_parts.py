"""Child process that lays out parts of a pack PDF, so a large pack uses every core.

    python -m evidence.pdf_parts JOB.json

The job lists parts, each {"html", "pdf", "pages"} paths. For each part this writes the PDF, then
`pages`: per page, the anchors (element ids) and bookmarks found on it, which the parent needs for
the table of contents and the outline. It imports WeasyPrint only, not Django, to start quickly.
"""

import json
import logging
import sys
from pathlib import Path


def render_part(html_path: Path, pdf_path: Path, base_url: str) -> list[dict]:
    from weasyprint import HTML

    document = HTML(filename=str(html_path), base_url=base_url, encoding="utf-8").render()
    document.write_pdf(str(pdf_path))
    return [
        {
            "anchors": list(page.anchors),
            "bookmarks": [[level, label] for level, label, *_ in page.bookmarks],
        }
        for page in document.pages
    ]


def main(argv: list[str]) -> int:
    # WeasyPrint logs every layout step at INFO; only real problems should reach the log.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    job = json.loads(Path(argv[1]).read_text())
    for part in job["parts"]:
        pages = render_part(Path(part["html"]), Path(part["pdf"]), job["base_url"])
        done = Path(part["pages"])
        # Written last and atomically: the parent counts these files for its progress bar.
        done.with_suffix(".tmp").write_text(json.dumps(pages))
        done.with_suffix(".tmp").replace(done)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
