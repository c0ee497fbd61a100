"""Discovery app; the pure pipeline lives in parsers/, matching.py, pipeline.py, llmjacking/."""

from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"


def catalog_files() -> list[Path]:
    """Catalogue YAML versions, oldest first (file stem = version, e.g. 2026-11)."""
    return sorted(CATALOG_DIR.glob("*.yaml"))
