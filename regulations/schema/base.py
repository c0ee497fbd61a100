"""Shared constants and the error type of the content schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

Confidence = Literal["H", "M", "L"]
SLUG = r"[a-z0-9][a-z0-9_-]*"
REGIME_RE = re.compile(r"^[a-z][a-z0-9-]{1,7}$")
VERSION_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ID_KINDS = ("rule", "obligation", "deadline", "template", "section", "question", "checklist")
ID_RE = re.compile(
    rf"^(?P<regime>[a-z][a-z0-9-]*)\.(?P<version>[a-z0-9][a-z0-9-]*)\.(?P<kind>[a-z]+)\.(?P<slug>{SLUG})$"
)
URL_RE = r"^https?://\S+$"

# Keys a template question may prefill from: AISystem.facts() keys and AISystem field names.
PREFILL_KEYS = {
    "name", "description", "team", "owner", "vendor", "models_used", "model_type", "lifecycle",
    "sanction_status", "origin", "provenance", "roles", "jurisdictions", "domains",
    "decision_role", "human_review", "capabilities", "consumer_facing", "interacts_with_persons",
    "data_categories", "profiling", "basic_software", "art6_3_claim", "training_flops",
    "first_seen", "last_seen", "tags", "subjects_in", "personal_data", "sensitive_data",
    "training_ops",
}  # fmt: skip


class ContentError(Exception):
    """A content file is invalid; the message names the file and the dotted path of each bad key."""

    def __init__(self, path: Path | str, problems: list[tuple[str, str]]):
        self.path = str(path)
        self.problems = problems
        super().__init__(
            "\n".join(
                f"{self.path}: {loc}: {msg}" if loc else f"{self.path}: {msg}"
                for loc, msg in problems
            )
        )
