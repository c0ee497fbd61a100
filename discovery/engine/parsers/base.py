"""Parser base class: one line of text in, a Record or a SkipReason out."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime

from .records import Record, SkipReason


class LineParser:
    """Stateless by default; header-driven formats keep their current column map as state."""

    name: str = ""
    source_type: str = "proxy"
    header_prefixes: tuple[str, ...] = ()  # lines starting so are directives that update state
    prefilter_safe: bool = True  # False when a matching line need not contain a catalogue host

    def __init__(self, *, options: dict | None = None) -> None:
        self.options = dict(options or {})
        ref = self.options.get("ref_date")
        if isinstance(ref, str):
            ref = date.fromisoformat(ref)
        self.ref_date: date = ref or datetime.now(tz=UTC).date()

    def parse(self, line: str) -> Record | SkipReason:
        """Parse one line (without the newline)."""
        raise NotImplementedError

    def safe_parse(self, line: str) -> Record | SkipReason:
        """Parse and turn any parser error into a MALFORMED skip, so no line can crash a run."""
        if not line or line.isspace():
            return SkipReason.BLANK
        try:
            return self.parse(line)
        except (
            ValueError,
            KeyError,
            IndexError,
            TypeError,
            AttributeError,
            OverflowError,
            UnicodeError,
            csv.Error,
        ):
            return SkipReason.MALFORMED


def header_row(fields: list[str], vals: list[str]) -> dict[str, str] | SkipReason:
    """A CSV data row as {column: value} under the header row read last; a skip before any
    header or when the row has another number of values."""
    if not fields:
        return SkipReason.NO_HEADER
    if len(vals) != len(fields):
        return SkipReason.FIELD_COUNT
    return dict(zip(fields, vals, strict=True))
