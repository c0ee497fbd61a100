"""Ids typed by users: only ASCII digits a bigint can hold count ('²'.isdigit() is True, int() fails)."""

MAX_ID = 2**63 - 1  # a bigint; a larger number overflows the database's integer binding


def parse_id(value) -> int | None:
    """The id in `value`, or None when it is not one (so a filter can ignore it, never crash)."""
    text = str(value if value is not None else "").strip()
    if text.isascii() and text.isdigit() and int(text) <= MAX_ID:
        return int(text)
    return None
