"""Discovery app; the Django-free engine (parsers, matching, chunk pipeline, LLMjacking) is in engine/."""

from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"


def catalog_files() -> list[Path]:
    """Catalogue YAML versions, oldest first (file stem = version, e.g. 2026-11)."""
    return sorted(CATALOG_DIR.glob("*.yaml"))
