"""Format variants beyond the golden files: tsv=T Zeek, Zscaler feed strings, lookup-events."""

import json

from discovery.engine.parsers import Record, SkipReason, detect_format, get_parser


def test_zeek_tsv_t_single_header_row():
    p = get_parser("zeek_ssl")
    head = "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tserver_name"
    assert p.safe_parse(head) == SkipReason.DIRECTIVE
    rec = p.safe_parse("1715000103.5\tC1\t192.0.2.10\t50512\t198.51.100.21\t443\tAPI.Anthropic.com")
    assert (
        isinstance(rec, Record)
        and rec.host == "api.anthropic.com"
        and rec.client_ip == "192.0.2.10"
    )
    assert (
        detect_format((head + "\n1715000103.5\tC1\t192.0.2.10\t1\t2\t443\tx\n").encode())
        == "zeek_ssl"
    )


def test_zscaler_feed_string_sets_the_column_order():
    feed = r"%d{epochtime},%s{cip},%s{login},%s{url},%s{action}\n"
    p = get_parser("zscaler_csv", options={"feed": feed})
    rec = p.safe_parse('1715000101,192.0.2.10,"alice@example.com",claude.ai/new?x=1,Blocked')
    assert isinstance(rec, Record)
    assert (rec.host, rec.path, rec.user, rec.action) == (
        "claude.ai",
        "/new",
        "alice@example.com",
        "blocked",
    )
    assert p.safe_parse("1715000101,192.0.2.10") == SkipReason.FIELD_COUNT


def test_cloudtrail_lookup_events_output_is_decoded_twice():
    inner = {
        "eventVersion": "1.10",
        "eventSource": "bedrock.amazonaws.com",
        "eventName": "InvokeModel",
        "eventTime": "2024-05-06T10:15:01Z",
        "eventID": "x1",
        "userIdentity": {"arn": "arn:aws:iam::1:user/u"},
    }
    line = json.dumps({"Events": [{"CloudTrailEvent": json.dumps(inner)}]})
    out = get_parser("cloudtrail").safe_parse(line)
    assert [e.event_id for e in out] == ["x1"]
    assert detect_format(line.encode() + b"\n") == "cloudtrail"


def test_bind_syslog_line_takes_the_year_from_the_file_date():
    p = get_parser("bind9", options={"ref_date": "2025-01-02"})
    rec = p.safe_parse(
        "Dec 31 23:59:59 ns1 named[812]: client 192.0.2.11#40122: query: chatgpt.com IN A + (192.0.2.53)"
    )
    assert isinstance(rec, Record) and rec.dt.year == 2024
    jan = p.safe_parse(
        "Jan  2 00:00:01 ns1 named[812]: client 192.0.2.11#40122: query: chatgpt.com IN A + (192.0.2.53)"
    )
    assert jan.dt.year == 2025


def test_a_json_document_larger_than_a_chunk_stays_one_chunk(tmp_path):
    import json

    from discovery.engine.pipeline import chunk_plan

    doc = tmp_path / "events.json"
    doc.write_text(json.dumps([{"eventID": str(i), "pad": "x" * 50} for i in range(500)], indent=2))
    lines = tmp_path / "events.jsonl"
    lines.write_text("".join(json.dumps({"eventID": str(i)}) + "\n" for i in range(2000)))
    assert len(chunk_plan(doc, target_bytes=4096)) == 1
    assert len(chunk_plan(lines, target_bytes=4096)) > 1
