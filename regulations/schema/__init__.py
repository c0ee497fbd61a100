"""Regime content schema: pydantic models, due grammar, cross-item checks, and the file loader.

Authors get errors that name the file and the dotted path of each bad key (see regulations/content/README.md).
"""

from regulations.schema.base import (
    ID_KINDS,
    ID_RE,
    PREFILL_KEYS,
    SLUG,
    Confidence,
    ContentError,
)
from regulations.schema.checks import check_version
from regulations.schema.due import DUE_PATTERNS, Due, parse_due, parse_period
from regulations.schema.loader import load_version_file, parse_version, yaml_load
from regulations.schema.models import (
    Cadence,
    ChecklistItem,
    Cited,
    DeadlineSpec,
    EffectiveOverride,
    Obligation,
    Outcome,
    Question,
    RegimeVersion,
    RoleDef,
    Rule,
    Section,
    Source,
    Template,
)

__all__ = [
    "DUE_PATTERNS", "ID_KINDS", "ID_RE", "PREFILL_KEYS", "SLUG", "Cadence", "ChecklistItem", "Cited",
    "Confidence", "ContentError", "DeadlineSpec", "Due", "EffectiveOverride", "Obligation", "Outcome",
    "Question", "RegimeVersion", "RoleDef", "Rule", "Section", "Source", "Template", "check_version",
    "load_version_file", "parse_due", "parse_period", "parse_version", "yaml_load",
]  # fmt: skip
