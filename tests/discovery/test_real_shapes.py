"""The real-shapes corpus: every export shape of issue 13 is detected (or refused by name) and
counted the way its expected.yaml entry says. Counts: parsed, skipped by reason, not inspected
(the prefilter ruled the line out) and header lines, which are none of the other three."""

from pathlib import Path

import pytest
import yaml

from discovery import catalog_files
from discovery.engine.matching import Catalog
from discovery.engine.parsers import FORMATS, detect
from discovery.engine.parsers.reader import read_head
from discovery.engine.pipeline import ChunkResult, chunk_plan, process_chunk

ROOT = Path(__file__).parent / "real_shapes"
EXPECTED = yaml.safe_load((ROOT / "expected.yaml").read_text(encoding="utf-8"))["files"]
CATALOG = Catalog.from_yaml(catalog_files()[-1])
IDS = [
    f"{e['file']}" + (f"-as-{e['force_format']}" if e.get("force_format") else "") for e in EXPECTED
]


def _run(path: Path, fmt: str, options: dict | None, **kw) -> ChunkResult:
    total = ChunkResult()
    for chunk in chunk_plan(path):
        total.merge(process_chunk(chunk, fmt=fmt, catalog=CATALOG, options=options, **kw))
    return total


def _apps(res: ChunkResult) -> list[str]:
    """Catalogue apps matched: by host, by OAuth client (grants) or as the model provider."""
    apps = {key for key, _ident, _day in res.rollups if not key.startswith("host:")}
    apps |= {CATALOG.oauth_app(g.client_id, g.app_name) for g in res.grants}
    apps |= {key[1] for key in res.model_usage}
    return sorted(apps - {""})


def _line_skips(res: ChunkResult) -> int:
    """Skipped lines; a broken gzip stream is one skip for the file, not a line."""
    return sum(n for reason, n in res.skipped.items() if not reason.startswith("gzip"))


def _counts(res: ChunkResult) -> dict:
    return {
        "lines_read": res.lines_read,
        "parsed": res.parsed,
        "skipped": dict(res.skipped),
        "not_inspected": res.prefiltered,
        "header_lines": res.header_lines,
    }


def test_every_corpus_file_has_an_expectation_with_a_source():
    files = {p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*") if p.is_file()}
    files -= {"expected.yaml", "README.md"}
    assert files == {e["file"] for e in EXPECTED}
    assert all(e.get("source") for e in EXPECTED)


def test_every_new_format_of_the_issue_is_in_the_corpus():
    detected = {e.get("format") for e in EXPECTED}
    for fmt in (
        "cloudtrail",
        "zeek_dns",
        "zeek_http",
        "zeek_ssl",
        "squid",
        "combined",
        "squid_referrer",
        "squid_logformat",
        "cloudflare_gateway_dns",
        "cloudflare_gateway_http",
        "umbrella_dns",
        "panos_url",
        "fortigate",
        "netskope",
        "windows_dns",
        "entra_signin",
        "gws_token",
        "entra_audit",
        "litellm",
        "bedrock_invocation",
        "otel_genai",
    ):
        assert fmt in detected and fmt in FORMATS, fmt


@pytest.mark.parametrize("entry", EXPECTED, ids=IDS)
def test_detection_names_the_format_or_refuses_by_name(entry):
    if entry.get("force_format"):
        pytest.skip("format forced by the user")
    path = ROOT / entry["file"]
    logformat = (entry.get("options") or {}).get("logformat", "")
    found = detect(read_head(path), logformat=logformat)
    assert found.format == entry["format"], found.message
    if entry["format"] is None:
        assert entry["refused"] in found.message


@pytest.mark.parametrize("entry", [e for e in EXPECTED if "counts" in e], ids=lambda e: e["file"])
def test_counts_skips_and_matched_apps(entry):
    path = ROOT / entry["file"]
    fmt = entry.get("force_format") or entry["format"]
    res = _run(path, fmt, entry.get("options"))
    assert _counts(res) == entry["counts"]
    assert res.lines_read == res.parsed + _line_skips(res) + res.prefiltered + res.header_lines
    assert _apps(res) == sorted(entry["apps"])


@pytest.mark.parametrize(
    "entry", [e for e in EXPECTED if "prefilter_not_inspected" in e], ids=lambda e: e["file"]
)
def test_prefilter_rules_out_lines_but_never_a_match(entry):
    path = ROOT / entry["file"]
    res = _run(path, entry["format"], entry.get("options"), sample_bytes=0)
    assert res.prefiltered == entry["prefilter_not_inspected"]
    assert res.lines_read == res.parsed + _line_skips(res) + res.prefiltered + res.header_lines
    assert _apps(res) == sorted(entry["apps"])


def test_the_same_events_give_the_same_counts_in_every_cloudtrail_shape():
    shapes = [
        "records_pretty.json", "events_per_line.jsonl", "events_array.json",
        "lookup_events.json", "athena_results.jsonl", "lake_query_results.json",
    ]  # fmt: skip
    seen = set()
    for name in shapes:
        res = _run(ROOT / "cloudtrail" / name, "cloudtrail", None)
        events = sorted(
            (e.event_id, e.event_name, e.error_code, e.region) for e in res.cloud_events
        )
        seen.add(tuple(events))
        assert res.matched == 1, name
    assert len(seen) == 1
    assert len(next(iter(seen))) == 2  # the two Bedrock events; the S3 event is not kept


def test_zeek_tsv_and_json_copies_of_the_same_data_count_alike():
    for kind in ("dns", "http", "ssl"):
        tsv = _run(ROOT / "zeek" / f"{kind}.log", f"zeek_{kind}", None)
        js = _run(ROOT / "zeek" / f"{kind}.json", f"zeek_{kind}", None)
        assert (tsv.parsed, tsv.skipped, tsv.matched) == (js.parsed, js.skipped, js.matched)
        assert tsv.lines_read - tsv.header_lines == js.lines_read


@pytest.mark.parametrize("entry", [e for e in EXPECTED if "grants" in e], ids=lambda e: e["file"])
def test_grant_events_name_the_action_app_and_user(entry):
    res = _run(ROOT / entry["file"], entry["format"], None)
    assert [[g.action, g.app_name, g.user] for g in res.grants] == entry["grants"]


@pytest.mark.parametrize("entry", [e for e in EXPECTED if "usage" in e], ids=lambda e: e["file"])
def test_model_usage_sums_requests_tokens_and_cost(entry):
    res = _run(ROOT / entry["file"], entry["format"], None)
    rows = list(res.model_usage.values())
    got = {
        "requests": sum(r[0] for r in rows),
        "input_tokens": sum(r[1] for r in rows),
        "output_tokens": sum(r[2] for r in rows),
        "cost": round(sum(r[3] for r in rows), 6),
    }
    assert got == entry["usage"]
