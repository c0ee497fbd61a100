"""chunk_plan / process_chunk: line-aligned chunks, rollups, identity, CloudTrail trees."""

import gzip
import shutil
from pathlib import Path

from discovery import catalog_files
from discovery.engine import llmjacking
from discovery.engine.matching import Catalog
from discovery.engine.pipeline import ChunkResult, chunk_plan, process_chunk, pseudonymise

FIX = Path(__file__).resolve().parents[1] / "fixtures"
CAT = Catalog.from_yaml(catalog_files()[-1])


def squid_lines(n):
    hosts = ["chatgpt.com", "www.example.com", "claude.ai", "cdn.example.net", "api.openai.com"]
    users = ["alice", "bob", "-"]
    return [
        f"{1715000000 + i * 61}.{i % 1000:03d}   12 192.0.2.{i % 5} TCP_MISS/200 {100 + i} GET "
        f"https://{hosts[i % 5]}/p{i} {users[i % 3]} HIER_DIRECT/198.51.100.1 text/html"
        for i in range(n)
    ]


def run_all(path, fmt, **kw):
    total = ChunkResult()
    for chunk in chunk_plan(path, target_bytes=kw.pop("target_bytes", 1 << 20)):
        total.merge(process_chunk(chunk, fmt=fmt, catalog=CAT, **kw))
    return total


def test_chunk_plan_is_line_aligned_and_covers_the_file(tmp_path):
    path = tmp_path / "access.log"
    data = ("\n".join(squid_lines(500)) + "\n").encode()
    path.write_bytes(data)
    chunks = chunk_plan(path, target_bytes=4000)
    assert len(chunks) > 5
    assert chunks[0].start == 0 and chunks[-1].end == len(data)
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert a.end == b.start and data[a.end - 1 : a.end] == b"\n"
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_gzip_file_is_one_chunk(tmp_path):
    path = tmp_path / "access.log.gz"
    path.write_bytes(gzip.compress(("\n".join(squid_lines(300)) + "\n").encode()))
    assert len(chunk_plan(path, target_bytes=100)) == 1


def test_many_chunks_give_the_same_rollups_as_one(tmp_path):
    path = tmp_path / "access.log"
    path.write_text("\n".join(squid_lines(2000)) + "\n")
    one = run_all(path, "squid", target_bytes=1 << 30)
    many = run_all(path, "squid", target_bytes=5000)
    assert one.lines_read == many.lines_read == 2000
    assert one.matched == many.matched == 1200  # chatgpt, claude and api.openai: 3 of every 5
    assert one.rollups == many.rollups
    assert len(one.rollups) < 100  # aggregated, never one row per line
    apps = {k[0] for k in one.rollups}
    assert apps == {"chatgpt", "claude", "openai-api-platform"}
    assert sum(r.requests for r in one.rollups.values()) == 1200


def test_w3c_header_carries_over_into_later_chunks(tmp_path):
    src = (FIX / "w3c_elff" / "proxysg.log").read_text().splitlines()
    head, rows = src[:4], src[4:7]
    path = tmp_path / "big.log"
    path.write_text("\n".join(head + rows * 300) + "\n")
    res = run_all(path, "w3c_elff", target_bytes=3000, fast=False)
    assert res.skipped.get("no_header") is None
    assert res.matched == 900


def test_identity_map_and_pseudonymisation(tmp_path):
    path = tmp_path / "access.log"
    path.write_text("\n".join(squid_lines(30)) + "\n")
    idmap = {"192.0.2.2": "carol@example.com", "alice": "alice@example.com"}
    res = run_all(path, "squid", identity_map=idmap)
    idents = {k[1] for k in res.rollups}
    assert "alice@example.com" in idents and "carol@example.com" in idents and "bob" in idents
    key = b"k" * 32
    pseudo = run_all(path, "squid", identity_map=idmap, pseudonymise_key=key)
    pidents = {k[1] for k in pseudo.rollups}
    assert len(pidents) == len(idents)  # distinct people still countable
    assert pseudonymise("alice@example.com", key) in pidents
    assert not any("alice" in i for i in pidents)


def test_allowlisted_host_is_not_flagged_as_possible_ai(tmp_path):
    line = (
        "1715000000.000 5 192.0.2.9 TCP_MISS/200 10 POST http://llm.corp.example/v1/chat/completions"
        " - HIER_DIRECT/x application/json"
    )
    path = tmp_path / "a.log"
    path.write_text(line + "\n")
    assert run_all(path, "squid").possible_ai
    res = run_all(path, "squid", allowlist={"llm.corp.example"})
    assert not res.possible_ai and not res.rollups


def test_cloudtrail_tree_skips_digests_and_feeds_the_rules(tmp_path):
    tree = tmp_path / "ct"
    ignore = shutil.ignore_patterns("*.expected.json")
    shutil.copytree(FIX / "cloudtrail" / "AWSLogs", tree / "AWSLogs", ignore=ignore)
    chunks = chunk_plan(tree)
    assert len(chunks) == 1 and "CloudTrail-Digest" not in chunks[0].path
    res = run_all(tree, "cloudtrail")
    assert res.lines_read == 9  # all events counted, relevant ones decoded
    assert len(res.cloud_events) == 8
    assert res.rollups and {k[0] for k in res.rollups} == {"amazon-bedrock"}
    rules = {d.rule_id for d in llmjacking.detect(res.cloud_events, allowlist=set(), history=None)}
    assert {"L1", "L4", "L6", "L10"} <= rules


def test_cloudtrail_fast_path_equals_full_parse(tmp_path):
    gz = next((FIX / "cloudtrail" / "AWSLogs").rglob("*_CloudTrail_*.json.gz"))
    from discovery.engine.parsers.cloudtrail import parse_records_blob
    from discovery.engine.parsers.records import SkipCounter

    data = gzip.decompress(gz.read_bytes())
    n1, fast = parse_records_blob(data, ref="x", skips=SkipCounter())
    n2, full = parse_records_blob(data, ref="x", skips=SkipCounter(), fast=False)
    assert n1 == n2 == 9
    strip = lambda evs: [(e.event_id, e.event_name, e.error_code) for e in evs]  # noqa: E731
    assert strip(fast) == strip(full)


def test_wrong_format_gives_counted_skips_not_errors():
    res = run_all(FIX / "bind9" / "query.log", "squid")
    assert res.parsed == 0 and sum(res.skipped.values()) == res.lines_read
    assert res.skip_samples["malformed"]


def test_cloudtrail_records_in_any_key_order_and_empty_files(tmp_path):
    from discovery.engine.parsers.cloudtrail import parse_records_blob
    from discovery.engine.parsers.records import SkipCounter

    ev = (
        b'{"eventSource":"bedrock.amazonaws.com","eventVersion":"1.10","eventName":"InvokeModel",'
        b'"eventTime":"2024-05-06T10:00:00Z","eventID":"a","userIdentity":{"arn":"arn:x"}}'
    )
    other = b'{"eventVersion":"1.10","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"b"}'
    skips = SkipCounter()
    n, events = parse_records_blob(
        b'{"Records":[' + ev + b"," + other + b"]}", ref="f", skips=skips
    )
    assert n == 2 and [e.event_id for e in events] == ["a"] and not skips.counts
    n, events = parse_records_blob(b'{"Records":[]}', ref="f", skips=skips)
    assert (n, events, skips.counts) == (0, [], {})
    (tmp_path / "x.json.gz").write_bytes(gzip.compress(b'{"Records":[' + other + b"]}"))
    res = run_all(tmp_path, "cloudtrail")
    assert res.lines_read == 1 and res.parsed == 1 and not res.cloud_events


def test_zeek_header_carries_over_and_a_mid_file_header_wins(tmp_path):
    src = (FIX / "zeek_dns" / "dns.log").read_text().splitlines()
    head = [ln for ln in src if ln.startswith("#") and not ln.startswith("#close")]
    row = next(ln for ln in src if "claude.ai" in ln)
    # second block: same columns in another order (query first), as after a Zeek restart
    fields = head[6].split("\t")[1:]
    order = [fields.index("query")] + [i for i in range(len(fields)) if fields[i] != "query"]
    head2 = [*head[:6], "#fields\t" + "\t".join(fields[i] for i in order), head[7]]
    vals = row.split("\t")
    row2 = "\t".join(vals[i] for i in order).replace("claude.ai", "chatgpt.com")
    path = tmp_path / "dns.log"
    path.write_text("\n".join(head + [row] * 400 + head2 + [row2] * 400) + "\n")
    one = run_all(path, "zeek_dns", target_bytes=1 << 30, fast=False)
    many = run_all(path, "zeek_dns", target_bytes=4000, fast=False)
    assert one.rollups == many.rollups
    assert {k[0]: v.requests for k, v in one.rollups.items()} == {"claude": 400, "chatgpt": 400}
    assert not many.skipped.get("field_count") and not many.skipped.get("no_header")
