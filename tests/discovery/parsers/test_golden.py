"""Golden-file test per format: tests/fixtures/<format>/<file> against <file>.expected.json."""

import json

import pytest

from discovery.engine.parsers import FORMATS, detect_format
from discovery.engine.parsers.reader import read_head

from .golden import OPTIONS, actual, expected_path, inputs

CASES = inputs()


def test_every_format_has_a_fixture():
    assert {fmt for fmt, _ in CASES} == set(FORMATS)


@pytest.mark.parametrize(("fmt", "path"), CASES, ids=[f"{f}/{p.name}" for f, p in CASES])
def test_records_match_golden_file(fmt, path):
    expected = json.loads(expected_path(path).read_text())
    assert actual(fmt, path) == expected


@pytest.mark.parametrize(("fmt", "path"), CASES, ids=[f"{f}/{p.name}" for f, p in CASES])
def test_format_is_detected_from_the_head(fmt, path):
    logformat = OPTIONS.get(fmt, {}).get("logformat", "")
    assert detect_format(read_head(path), logformat=logformat) == fmt


def test_detect_returns_none_for_prose_and_binary():
    assert detect_format(b"Dear diary,\nnothing to see here\n") is None
    assert detect_format(bytes(range(256)) * 4) is None
    assert detect_format(b"") is None
    assert detect_format(b"\x1f\x8b\x08\x00garbage") is None
