"""The pack PDF's body is laid out by child processes: balancing, page facts and failures."""

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence.parallel import _wait, balance, render_parts


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=40), st.integers(1, 6))
def test_balance_assigns_every_part_once_and_stays_near_even(costs, slots):
    groups = balance(costs, slots)
    assert sorted(i for group in groups for i in group) == list(range(len(costs)))
    assert len(groups) == min(slots, len(costs))
    if costs:
        loads = [sum(costs[i] for i in group) for group in groups]
        # Longest-first greedy: no process ends more than one part behind the even share.
        assert max(loads) <= sum(costs) / len(groups) + max(costs)


def test_children_report_each_pages_anchors_and_bookmarks(tmp_path, settings):
    settings.SIGHTLINE_PACK_RENDER_PROCESSES = 2
    first = "<h1 id='one'>One</h1><p style='break-before: page' id='later'>next page</p>"
    second = "<h2 id='two'>Two</h2>"
    notes = []
    parts = render_parts([first, second], tmp_path, lambda pct, note: notes.append(note))
    assert [len(part.pages) for part in parts] == [2, 1]
    assert parts[0].pages[0] == {"anchors": ["one"], "bookmarks": [[1, "One"]]}
    assert parts[0].pages[1]["anchors"] == ["later"]
    assert parts[1].pages[0]["bookmarks"] == [[2, "Two"]]
    assert all(part.pdf.read_bytes().startswith(b"%PDF") for part in parts)
    assert notes[-1] == "Laying out the PDF (2/2 parts)"


def test_a_failing_child_is_an_error_naming_its_last_words(tmp_path):
    log = tmp_path / "job.log"
    with open(log, "wb") as err:
        child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; print('fonts are gone', file=sys.stderr); sys.exit(3)",
            ],
            stderr=err,
        )
        with pytest.raises(RuntimeError, match=r"exit 3\): fonts are gone"):
            _wait([(child, str(log))], [tmp_path / "never.json"], lambda pct, note: None)
