"""Property tests: no input crashes a parser, and every line is counted as parsed or skipped."""

import gzip
import zlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discovery.engine.matching import Catalog
from discovery.engine.parsers import (
    FORMATS,
    GrantEvent,
    ModelCall,
    Record,
    SkipReason,
    detect_format,
    get_parser,
)
from discovery.engine.parsers.gz import GzipGuardError, iter_gzip_blocks
from discovery.engine.pipeline import chunk_plan, process_chunk

CATALOG = Catalog.from_entries(
    [
        {
            "key": "chatgpt",
            "name": "ChatGPT",
            "hosts": ["chatgpt.com"],
            "suffixes": ["chatgpt.com"],
        },
        {"key": "claude", "name": "Claude", "hosts": ["claude.ai"], "suffixes": ["claude.ai"]},
    ]
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINE_PARTS = st.sampled_from(
    [
        "1715000101.123",
        "  842",
        " 192.0.2.10",
        " TCP_MISS/200",
        " 123",
        " CONNECT",
        " GET",
        " chatgpt.com:443",
        " https://claude.ai/v1/messages?x",
        " alice",
        " -",
        " HIER_DIRECT/x",
        "#Fields: date time c-ip cs-host",
        "#fields\tts\tquery",
        "{",
        "}",
        '"',
        "\t",
        "[",
        "]",
        "query[A] ",
        " from ",
        "dnsmasq[1]: ",
        "client 1.2.3.4#53: query: a IN A + (x)",
        '{"Records":[',
        '"eventSource":"bedrock.amazonaws.com"',
        "\x00",
        "é",
        "\r",
    ]
)
RANDOM_LINES = st.lists(st.lists(LINE_PARTS | st.text(max_size=20), max_size=12).map("".join))


@SETTINGS
@given(fmt=st.sampled_from(FORMATS), lines=RANDOM_LINES)
def test_parsers_never_raise_on_random_lines(fmt, lines):
    parser = get_parser(fmt)
    for line in lines:
        out = parser.safe_parse(line)
        assert isinstance(out, Record | GrantEvent | ModelCall | SkipReason | list)


@SETTINGS
@given(fmt=st.sampled_from(FORMATS), data=st.binary(max_size=3000))
def test_process_chunk_accounts_for_every_line_of_random_bytes(tmp_path_factory, fmt, data):
    path = tmp_path_factory.mktemp("rnd") / "input.log"
    path.write_bytes(data)
    detect_format(data)
    for chunk in chunk_plan(path, target_bytes=256):
        for fast in (True, False):
            res = process_chunk(chunk, fmt=fmt, catalog=CATALOG, fast=fast, sample_bytes=0)
            if fmt != "cloudtrail":
                # a broken gzip stream is one extra skip for the file, not a line
                skipped = sum(v for k, v in res.skipped.items() if not k.startswith("gzip"))
                # header, directive and blank lines are neither parsed, skipped nor prefiltered
                assert res.lines_read == res.parsed + skipped + res.prefiltered + res.header_lines
            assert all(len(v) <= 20 for v in res.skip_samples.values())


@SETTINGS
@given(
    fmt=st.sampled_from(FORMATS), lines=RANDOM_LINES, cut=st.integers(min_value=0, max_value=400)
)
def test_truncated_gzip_is_a_counted_skip_not_a_crash(tmp_path_factory, fmt, lines, cut):
    blob = gzip.compress(("\n".join(lines) + "\n").encode("utf-8", "surrogatepass") * 3)
    path = tmp_path_factory.mktemp("gz") / "input.log.gz"
    path.write_bytes(blob[: max(2, len(blob) - cut)])
    for chunk in chunk_plan(path):
        res = process_chunk(chunk, fmt=fmt, catalog=CATALOG)
        if cut > 8:
            assert res.skipped.get("gzip_error") == 1
            assert "gzip" in res.error


def test_gzip_bomb_is_refused_with_a_clear_reason(tmp_path):
    path = tmp_path / "bomb.log.gz"
    path.write_bytes(gzip.compress(b"0" * (4 * 1024 * 1024)))
    try:
        for _ in iter_gzip_blocks(path, 1 << 16, max_bytes=1024 * 1024):
            pass
    except GzipGuardError as exc:
        assert exc.reason == SkipReason.GZIP_BOMB
        assert "guard" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("bomb not detected")


def test_gzip_bomb_via_ratio_in_process_chunk(tmp_path, monkeypatch):
    from discovery.engine.parsers import gz

    monkeypatch.setattr(gz, "RATIO_GRACE_BYTES", 1024)
    path = tmp_path / "bomb.log.gz"
    path.write_bytes(zlib.compress(b"\n" * (2 * 1024 * 1024), 9, wbits=31))
    res = process_chunk(chunk_plan(path)[0], fmt="squid", catalog=CATALOG)
    assert res.skipped.get("gzip_bomb") == 1
    assert "ratio" in res.error


@SETTINGS
@given(
    hosts=st.lists(
        st.sampled_from(
            [
                "chatgpt.com",
                "x.claude.ai",
                "notclaude.ai",
                "www.example.com",
                "CHATGPT.COM",
                "llm.corp.example",
                "shop.example",
                "api.example.ai",
            ]
        ),
        min_size=1,
        max_size=60,
    ),
    users=st.lists(st.sampled_from(["alice", "bob", "-", "EXAMPLE%5Ccarol"]), min_size=1),
    paths=st.lists(
        st.sampled_from(["/", "/v1/chat/completions", "/img.png", "/api/chat"]), min_size=1
    ),
)
def test_prefilter_gives_the_same_result_as_parsing_every_line(
    tmp_path_factory, hosts, users, paths
):
    lines = []
    for i, h in enumerate(hosts):
        u, p = users[i % len(users)], paths[i % len(paths)]
        lines.append(
            f"{1715000000 + i * 977}.123 5 192.0.2.{i % 7} TCP_MISS/200 {i} GET http://{h}{p} {u} "
            "HIER_DIRECT/198.51.100.1 text/html"
        )
    path = tmp_path_factory.mktemp("pf") / "access.log"
    path.write_text("\n".join(lines) + "\n")
    chunk = chunk_plan(path)[0]
    fast = process_chunk(chunk, fmt="squid", catalog=CATALOG, fast=True, sample_bytes=0)
    full = process_chunk(chunk, fmt="squid", catalog=CATALOG, fast=False)
    assert fast.rollups == full.rollups
    assert fast.matched == full.matched
    assert {k: v.count for k, v in fast.possible_ai.items()} == {
        k: v.count for k, v in full.possible_ai.items()
    }
    assert full.parsed == len(lines)
