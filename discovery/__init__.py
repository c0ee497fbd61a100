"""Discovery app; the Django-free engine (parsers, matching, chunk pipeline, LLMjacking) is in engine/."""

from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"


def catalog_files() -> list[Path]:
    """Catalogue YAML versions, oldest first (file stem = version, e.g. 2026-11); other data
    files in the folder (oauth_scopes.yaml) are not catalogue versions."""
    return sorted(p for p in CATALOG_DIR.glob("*.yaml") if p.stem[:1].isdigit())
