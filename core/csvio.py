"""The one CSV writer: every CSV the product writes goes through it, so no cell opens as a formula."""

import csv
import io
import tempfile
from collections.abc import Iterable, Sequence
from typing import IO, Any

# Spreadsheets evaluate a cell that starts with one of these (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SPOOL_BYTES = 4 * 1024 * 1024


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """The inverse on import, so an exported file reads back to the text that was stored."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


class SafeWriter:
    """csv.writer with every cell neutralised and None written as an empty cell."""

    def __init__(self, stream: IO[str], **fmtparams: Any) -> None:
        self._writer = csv.writer(stream, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(["" if v is None else neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: IO[str], **fmtparams: Any) -> SafeWriter:
    return SafeWriter(stream, **fmtparams)


def csv_bytes(
    header: Sequence[str], rows: Iterable[Iterable[Any]], *, bom: bool = False, **fmtparams: Any
) -> bytes:
    """A whole CSV in memory, for downloads that are built before the response is sent."""
    text = io.StringIO(newline="")
    writer = csv_writer(text, **fmtparams)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig" if bom else "utf-8")


def csv_spool(
    header: Sequence[str], rows: Iterable[Iterable[Any]]
) -> tempfile.SpooledTemporaryFile:
    """Small CSVs stay in memory, large ones go to disk instead of growing the heap; caller closes."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b")  # noqa: SIM115
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    writer = csv_writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    text.flush()
    text.detach()
    spool.seek(0)
    return spool
