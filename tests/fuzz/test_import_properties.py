"""Property tests over the import paths: inventory CSV/XLSX and the regime YAML loader.

Discovery's log parsers already have property tests (tests/discovery/parsers/test_properties.py);
these extend the same idea to the other files a user can hand us.
"""

import copy
import io
from pathlib import Path

import pandas as pd
import pytest
import yaml
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as ILLEGAL

from core.models import AuditEntry
from inventory.models import AISystem
from inventory.transfer import COLUMNS, import_systems
from regulations.schema import ContentError, load_version_file

PROPS = settings(
    max_examples=int(__import__("os").environ.get("FUZZ_MAX_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["=1+1", "@x", "yes", "no", "in_use", "deployer", "CO,EU", "", "999999"]),
)


@PROPS
@given(
    columns=st.lists(st.sampled_from([*COLUMNS, "bogus"]), min_size=1, max_size=6, unique=True),
    rows=st.lists(st.lists(CELL, min_size=6, max_size=6), max_size=5),
    fmt=st.sampled_from(["csv", "xlsx"]),
)
@pytest.mark.django_db
def test_inventory_import_never_crashes_and_is_all_or_nothing(officer_once, columns, rows, fmt):
    if fmt == "xlsx":  # a workbook cannot hold control characters at all
        rows = [[ILLEGAL.sub("", c) for c in r] for r in rows]
    frame = pd.DataFrame([r[: len(columns)] for r in rows], columns=columns)
    buf = io.BytesIO()
    if fmt == "csv":
        frame.to_csv(buf, index=False)
    else:
        frame.to_excel(buf, index=False, engine="openpyxl")
    systems, audits = AISystem.objects.count(), AuditEntry.objects.count()
    result = import_systems(actor=officer_once, content=buf.getvalue(), filename=f"x.{fmt}")
    if result.ok:
        assert AISystem.objects.count() == systems + result.created
        assert result.created + result.updated == len(rows)
        assert AuditEntry.objects.count() > audits
    else:
        assert AISystem.objects.count() == systems
        assert AuditEntry.objects.count() == audits
        assert result.file_errors or all(r.messages for r in result.row_errors)


@PROPS
@given(data=st.binary(max_size=2000))
@pytest.mark.django_db
def test_inventory_import_of_random_bytes_never_crashes(officer_once, data):
    systems = AISystem.objects.count()
    result = import_systems(actor=officer_once, content=data, filename="random.csv")
    assert result.ok or result.file_errors or result.row_errors
    if not result.ok:
        assert AISystem.objects.count() == systems


CONTENT = Path(django_settings.BASE_DIR) / "regulations" / "content"
SAMPLE = sorted(CONTENT.glob("*/*.yaml"))[0]
BASE_DOC = yaml.safe_load(SAMPLE.read_text())


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node[:3]):
            yield from _paths(value, (*prefix, i))


PATHS = [p for p in _paths(BASE_DOC) if p]
JUNK = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.booleans(),
)


@PROPS
@given(edits=st.lists(st.tuples(st.sampled_from(PATHS), st.booleans(), JUNK), max_size=4))
def test_content_loader_gives_a_content_error_or_a_version(tmp_path_factory, edits):
    doc = copy.deepcopy(BASE_DOC)
    for path, delete, value in edits:
        parent = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            if delete:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    folder = tmp_path_factory.mktemp("content") / SAMPLE.parent.name
    folder.mkdir()
    target = folder / SAMPLE.name
    target.write_text(yaml.safe_dump(doc, sort_keys=False))
    try:
        version = load_version_file(target)
    except ContentError as exc:
        assert SAMPLE.name in str(exc)
    else:
        assert version.version == SAMPLE.stem


@PROPS
@given(data=st.binary(max_size=500))
def test_content_loader_turns_garbage_bytes_into_a_content_error(tmp_path_factory, data):
    target = tmp_path_factory.mktemp("garbage") / "x.yaml"
    target.write_bytes(data)
    with pytest.raises(ContentError) as info:
        load_version_file(target)
    assert "x.yaml" in str(info.value)


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\x00\x00\x00",
        b"regime: co\n" + b"x" * (10 * 1024 * 1024),
        "r\u00e9gime: co\n".encode("latin-1"),
    ],
    ids=["empty", "nul", "10MB-line", "non-utf8"],
)
def test_content_loader_hostile_files_give_a_content_error(tmp_path, payload):
    target = tmp_path / "v1.yaml"
    target.write_bytes(payload)
    with pytest.raises(ContentError):
        load_version_file(target)
