"""Helpers shared by the discovery views."""

from django.core.exceptions import ValidationError


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


CSV_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ TAB or CR gets a leading quote."""
    text = "" if value is None else str(value)
    if text.startswith(CSV_DANGEROUS):
        return "'" + text
    return text
