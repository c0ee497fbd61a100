"""Uploaded CSV and XLSX tables read as a stream with caps on cell size and row count.

A workbook is a zip: 400 KB can unpack to a 400 MB cell. Each XML part is therefore scanned with
expat in small chunks first (cells over the cap, too many rows, DTDs are refused as soon as they are
seen, with memory bounded by the chunk size); only then does openpyxl read it, in read-only mode.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from xml.parsers import expat

MAX_CELL_CHARS = 32 * 1024
READ_CHUNK = 64 * 1024
MAX_PART_BYTES = 256 * 1024 * 1024  # declared uncompressed size of one workbook part
EXCERPT_CHARS = 40
_SCANNED = re.compile(r"^xl/(sharedStrings\.xml|worksheets/[^/]+\.xml)$")


class TableError(ValueError):
    """The file as a whole cannot be imported; the message is short and safe to show."""


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """At most `limit` characters of a user's value, for error messages."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


def _too_large(where: str, limit: int) -> TableError:
    return TableError(f"{where} holds a cell longer than {limit // 1024} KB; nothing was imported.")


def _too_many(max_rows: int) -> TableError:
    return TableError(f"At most {max_rows} rows per import.")


class _PartScan:
    """Expat callbacks for one XML part: text length per cell, rows holding a value, no DTD."""

    def __init__(self, *, name: str, cell_tag: str, max_cell: int, max_rows: int | None) -> None:
        self.name, self.cell_tag = name, cell_tag
        self.max_cell, self.max_rows = max_cell, max_rows
        self.in_cell = False
        self.length = 0
        self.rows = 0
        self.row_has_value = False

    def start(self, tag: str, _attrs) -> None:
        local = tag.rsplit(":", 1)[-1]
        if local == self.cell_tag:
            self.in_cell, self.length = True, 0
        elif local == "row":
            self.row_has_value = False

    def end(self, tag: str) -> None:
        local = tag.rsplit(":", 1)[-1]
        if local == self.cell_tag:
            self.in_cell = False
            if self.length:
                self.row_has_value = True
        elif local == "row" and self.max_rows is not None and self.row_has_value:
            self.rows += 1
            if self.rows > self.max_rows + 1:  # the header row is not a data row
                raise _too_many(self.max_rows)

    def text(self, data: str) -> None:
        if self.in_cell:
            self.length += len(data)
            if self.length > self.max_cell:
                raise _too_large("The workbook", self.max_cell)

    def doctype(self, *_args) -> None:
        raise TableError(f"The workbook part {self.name} declares a DTD, which is not allowed.")


def _scan_workbook(zf: zipfile.ZipFile, *, max_cell: int, max_rows: int) -> None:
    for info in zf.infolist():
        if info.file_size > MAX_PART_BYTES:
            raise TableError(
                f"The workbook part {excerpt(info.filename)} unpacks to "
                f"{info.file_size // (1024 * 1024):,} MB; nothing was imported."
            )
    for info in zf.infolist():
        if not _SCANNED.match(info.filename):
            continue
        sheet = info.filename.startswith("xl/worksheets/")
        scan = _PartScan(
            name=info.filename,
            cell_tag="c" if sheet else "si",
            max_cell=max_cell,
            max_rows=max_rows if sheet else None,
        )
        parser = expat.ParserCreate()
        parser.StartElementHandler = scan.start
        parser.EndElementHandler = scan.end
        parser.CharacterDataHandler = scan.text
        parser.StartDoctypeDeclHandler = scan.doctype
        parser.EntityDeclHandler = scan.doctype
        with zf.open(info) as fh:
            while chunk := fh.read(READ_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)


def _text(value: object) -> str:
    """A workbook value as the text a person typed (1.0 -> '1', dates without a midnight time)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(content: bytes, *, max_cell: int, max_rows: int) -> Iterator[list[str]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            _scan_workbook(zf, max_cell=max_cell, max_rows=max_rows)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, expat.ExpatError, EOFError, OSError) as exc:
        raise TableError(f"Could not read the file as XLSX: {excerpt(exc, 120)}") from exc
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for malformed workbooks
        raise TableError(f"Could not read the file as XLSX: {excerpt(exc, 120)}") from exc
    try:
        if not workbook.worksheets:
            raise TableError("The workbook has no sheet.")
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_text(v) for v in row]
    finally:
        workbook.close()


def _csv_rows(content: bytes, *, max_cell: int) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError("Could not read the file as CSV: it must be UTF-8 text.") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from reader  # csv's own field limit (128 KB) bounds a row before our cell check
    except csv.Error as exc:
        raise TableError(f"Could not read the file as CSV: line {reader.line_num}: {exc}") from exc


def read_table(
    content: bytes, filename: str, *, max_rows: int, max_cell: int = MAX_CELL_CHARS
) -> tuple[list[str], list[dict[str, str]]]:
    """Header and data rows as text; blank rows skipped; raises TableError past either cap."""
    is_xlsx = content[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx")
    rows = (
        _xlsx_rows(content, max_cell=max_cell, max_rows=max_rows)
        if is_xlsx
        else _csv_rows(content, max_cell=max_cell)
    )
    header: list[str] | None = None
    records: list[dict[str, str]] = []
    for number, row in enumerate(rows, start=1):
        if header is None:
            if any(len(h) > max_cell for h in row):
                raise _too_large("The header row", max_cell)
            header = [str(h).strip() or f"Unnamed: {i}" for i, h in enumerate(row)]
            while header and header[-1].startswith("Unnamed: "):
                header.pop()
            twice = sorted({h for h in header if header.count(h) > 1})
            if twice:
                raise TableError(f"Column {excerpt(twice[0])} appears more than once.")
            continue
        if not any(v.strip() for v in row):
            continue
        if len(records) >= max_rows:
            raise _too_many(max_rows)
        extra = [v for v in row[len(header) :] if v.strip()]
        if extra:
            raise TableError(f"Row {number} has more cells than the header row.")
        for i, value in enumerate(row[: len(header)]):
            if len(value) > max_cell:
                raise TableError(
                    f"The cell in row {number}, column {excerpt(header[i])} is longer than "
                    f"{max_cell // 1024} KB ({len(value):,} characters); nothing was imported."
                )
        records.append({h: (row[i] if i < len(row) else "") for i, h in enumerate(header)})
    if header is None:
        raise TableError("The file is empty: it needs a header row.")
    return header, records
