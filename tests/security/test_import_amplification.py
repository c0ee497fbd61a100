"""Inventory import reads spreadsheets as a stream with caps, so a small file that unpacks to a huge
cell or millions of rows is refused quickly, with bounded memory and a short error report."""

import io
import resource
import time
import tracemalloc
import zipfile

import pytest
from django.urls import reverse

from core.models import AuditEntry
from inventory.models import AISystem
from inventory.transfer import MAX_CELL_CHARS, MAX_IMPORT_ROWS, import_systems
from tests.conftest import PASSWORD

HUGE = 400 * 1024 * 1024  # one 400 MB cell
CT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="AI systems" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def workbook(sheet_parts, shared_parts=None) -> bytes:
    """An XLSX written member by member from string pieces, so gigantic parts never sit in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in [
            ("[Content_Types].xml", CT),
            ("_rels/.rels", RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WB_RELS),
        ]:
            zf.writestr(name, text)
        for name, parts in [
            ("xl/worksheets/sheet1.xml", sheet_parts),
            ("xl/sharedStrings.xml", shared_parts or [f"<sst {NS}></sst>"]),
        ]:
            with zf.open(name, "w", force_zip64=True) as fh:
                for part in parts:
                    fh.write(part.encode() if isinstance(part, str) else part)
    return buffer.getvalue()


def repeated(piece: bytes, total: int):
    block = piece * (1024 * 1024 // len(piece))
    for _ in range(total // len(block)):
        yield block


HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'


def shared_cell(size: int) -> bytes:
    return workbook(
        [f"<worksheet {NS}><sheetData>{HEADER_ROW}"
         '<row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData></worksheet>'],
        [f'<sst {NS} count="1" uniqueCount="1"><si><t>', *repeated(b"A", size), "</t></si></sst>"],
    )  # fmt: skip


def inline_cell(size: int) -> bytes:
    return workbook(
        [f'<worksheet {NS}><sheetData>{HEADER_ROW}<row r="2"><c r="A2" t="inlineStr"><is><t>',
         *repeated(b"B", size), "</t></is></c></row></sheetData></worksheet>"]
    )  # fmt: skip


@pytest.fixture(scope="module")
def huge_shared_cell() -> bytes:
    return shared_cell(HUGE)


@pytest.fixture(scope="module")
def huge_inline_cell() -> bytes:
    return inline_cell(HUGE)


def refused_within_bounds(officer, content: bytes) -> tuple[list[str], float, int, int]:
    before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    tracemalloc.start()
    started = time.perf_counter()
    result = import_systems(actor=officer, content=content, filename="bomb.xlsx")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_rss) * 1024
    assert not result.ok
    return (
        result.file_errors + [m for r in result.row_errors for m in r.messages],
        elapsed,
        peak,
        grown,
    )


@pytest.mark.parametrize("bomb", ["huge_shared_cell", "huge_inline_cell"])
def test_a_400_mb_cell_in_a_small_workbook_is_refused_quickly(officer, bomb, request):
    content = request.getfixturevalue(bomb)
    assert len(content) < 1024 * 1024  # deflate squeezes 400 MB of one letter to ~400 KB
    messages, elapsed, peak, grown = refused_within_bounds(officer, content)
    assert any("unpacks to 400 MB" in m or "32 KB" in m for m in messages), messages
    assert elapsed < 5, elapsed
    assert peak < 64 * 1024 * 1024, peak
    assert grown < 200 * 1024 * 1024, grown
    assert sum(len(m) for m in messages) < 1000
    assert not AISystem.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.parametrize("make", [shared_cell, inline_cell])
def test_a_long_cell_is_stopped_while_streaming(officer, make):
    """100 MB stays under the declared-size guard: the streaming scan must stop it at 32 KB."""
    messages, elapsed, peak, grown = refused_within_bounds(officer, make(100 * 1024 * 1024))
    assert any(f"{MAX_CELL_CHARS // 1024} KB" in m for m in messages), messages
    assert elapsed < 2, elapsed
    assert peak < 16 * 1024 * 1024, peak
    assert grown < 100 * 1024 * 1024, grown


def test_the_import_page_answers_a_bomb_with_a_small_page(client, officer, huge_inline_cell):
    client.login(username=officer.username, password=PASSWORD)
    upload = io.BytesIO(huge_inline_cell)
    upload.name = "bomb.xlsx"
    response = client.post(reverse("inventory:system-import"), {"file": upload})
    assert response.status_code == 200
    assert len(response.content) < 64 * 1024
    assert b"BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" not in response.content


def test_a_million_rows_are_refused_before_they_are_parsed(officer):
    rows = (f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>s{i}</t></is></c></row>'
            for i in range(2, 1_000_002))  # fmt: skip
    content = workbook(
        [f"<worksheet {NS}><sheetData>{HEADER_ROW}", *rows, "</sheetData></worksheet>"]
    )
    messages, elapsed, peak, _ = refused_within_bounds(officer, content)
    assert any(f"At most {MAX_IMPORT_ROWS}" in m for m in messages), messages
    assert elapsed < 5, elapsed
    assert peak < 64 * 1024 * 1024, peak


def test_csv_rows_beyond_the_cap_are_refused(officer):
    content = ("name\n" + "".join(f"s{i}\n" for i in range(MAX_IMPORT_ROWS + 1))).encode()
    result = import_systems(actor=officer, content=content, filename="many.csv")
    assert any(f"At most {MAX_IMPORT_ROWS}" in e for e in result.file_errors), result.file_errors


def test_a_csv_cell_over_the_cap_is_refused_with_a_short_excerpt(officer):
    content = b"name,team\nok," + b"T" * (MAX_CELL_CHARS + 10) + b"\n"
    result = import_systems(actor=officer, content=content, filename="wide.csv")
    assert not result.ok
    text = " ".join(result.file_errors)
    assert "row 2" in text and "team" in text and f"{MAX_CELL_CHARS // 1024} KB" in text
    assert len(text) < 400


def test_bad_values_are_echoed_only_as_a_short_excerpt(officer):
    long = "V" * 20_000
    content = f"name,vendor,owner,consumer_facing\n{long},{long},{long},{long}\n".encode()
    result = import_systems(actor=officer, content=content, filename="echo.csv")
    assert not result.ok
    report = " ".join(m for r in result.row_errors for m in r.messages) + result.row_errors[0].name
    assert "V" * 200 not in report
    assert len(report) < 2000


def test_a_workbook_with_a_dtd_is_refused(officer):
    content = workbook(
        ['<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
         f"<worksheet {NS}><sheetData>{HEADER_ROW}</sheetData></worksheet>"]
    )  # fmt: skip
    result = import_systems(actor=officer, content=content, filename="dtd.xlsx")
    assert not result.ok and result.file_errors


def test_an_ordinary_workbook_still_imports(officer):
    content = workbook(
        [f"<worksheet {NS}><sheetData>"
         '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
         '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>'
         '<row r="2"><c r="A2" t="inlineStr"><is><t>Résumé ranker</t></is></c>'
         '<c r="B2" t="inlineStr"><is><t>in_use</t></is></c>'
         '<c r="C2" t="inlineStr"><is><t>ml_classifier</t></is></c><c r="D2"><v>1e+20</v></c></row>'
         "</sheetData></worksheet>"],
        [f'<sst {NS} count="4" uniqueCount="4"><si><t>name</t></si><si><t>lifecycle</t></si>'
         "<si><t>model_type</t></si><si><t>training_flops</t></si></sst>"],
    )  # fmt: skip
    result = import_systems(actor=officer, content=content, filename="ok.xlsx")
    assert result.ok, (result.file_errors, result.row_errors)
    system = AISystem.objects.get()
    assert system.name == "Résumé ranker" and system.training_flops == 1e20
