"""Real export shapes through the ingest service: a .zip of CloudTrail arrays is one run, vendor
formats are detected without --format, and logs without hostnames are refused by name."""

import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from discovery.models import IngestRun
from discovery.services import ingest_run_create

ROOT = Path(__file__).parent / "real_shapes"


def _copy(tmp_path: Path, rel: str) -> Path:
    dest = tmp_path / Path(rel).name
    shutil.copyfile(ROOT / rel, dest)
    return dest


def test_zip_of_cloudtrail_arrays_is_detected_and_counted_in_one_run(ingest, tmp_path):
    run = ingest(_copy(tmp_path, "cloudtrail/events.zip"))
    assert run.status == IngestRun.Status.DONE and run.format == "cloudtrail"
    assert IngestRun.objects.count() == 1
    assert (run.lines_read, run.lines_parsed, run.lines_skipped) == (3, 3, 0)
    assert run.lines_matched == 2  # InvokeModel and Converse that succeeded


@pytest.mark.parametrize(
    ("rel", "fmt", "matched"),
    [
        ("cloudflare/gateway_http.json", "cloudflare_gateway_http", 3),
        ("umbrella/dns.csv", "umbrella_dns", 3),
        ("panos/url_filtering.log", "panos_url", 2),
        ("fortigate/webfilter.log", "fortigate", 3),
        ("netskope/web_transactions.csv", "netskope", 3),
        ("windows_dns/dns_debug.log", "windows_dns", 3),
        ("entra/signins_portal.json", "entra_signin", 3),
        ("zeek/ssl.json", "zeek_ssl", 2),
    ],
)
def test_vendor_exports_are_detected_without_a_format(ingest, tmp_path, rel, fmt, matched):
    run = ingest(_copy(tmp_path, rel))
    assert run.status == IngestRun.Status.DONE and run.format == fmt
    assert run.lines_matched == matched


@pytest.mark.parametrize(
    ("rel", "message"),
    [
        ("zeek/conn.log", "Zeek conn.log: not a source of hostnames"),
        ("zeek/weird.json", "Zeek weird.log: not a source of hostnames"),
        ("squid/useragent.log", "Squid useragent log: no destination host"),
        ("panos/traffic_only.log", "PAN-OS traffic log: no URLs"),
    ],
)
def test_logs_without_hostnames_are_refused_by_name(db, tmp_path, rel, message):
    with pytest.raises(ValidationError, match=message):
        ingest_run_create(path=_copy(tmp_path, rel), actor="test")
    assert not IngestRun.objects.exists()


def test_run_page_labels_parsed_skipped_not_inspected_and_header_lines(
    client, officer, ingest, tmp_path
):
    from django.urls import reverse

    from tests.conftest import PASSWORD

    tsv = ingest(_copy(tmp_path, "zeek/ssl.log"))
    js = ingest(_copy(tmp_path, "zeek/ssl.json"))
    assert (tsv.lines_read, tsv.lines_header, js.lines_read, js.lines_header) == (13, 9, 4, 0)
    for run in (tsv, js):
        assert (run.lines_parsed, run.lines_skipped, run.lines_prefiltered) == (3, 1, 0)
    client.login(username=officer.username, password=PASSWORD)
    page = client.get(reverse("discovery:run-detail", kwargs={"pk": tsv.pk}))
    body = page.content.decode()
    for label in ("Parsed", "Skipped (by reason)", "Not inspected", "Header lines"):
        assert label in body
    assert '<strong id="run-header-lines">9</strong>' in body
    assert "missing_host" in body
    api = client.get(reverse("discovery-api-run-detail", kwargs={"pk": tsv.pk})).json()
    assert (api["lines_parsed"], api["lines_skipped"]) == (3, 1)
    assert (api["lines_prefiltered"], api["lines_header"]) == (0, 9)


def test_a_source_with_a_squid_logformat_reads_its_custom_access_log(db, ingest, tmp_path):
    from discovery.services.sources import log_source_create

    line = (
        "logformat sightline %ts.%03tu %6tr %>a %Ss/%03>Hs %<st %>st %rm %ru %[un %Sh/%<a %mt "
        '"%{User-Agent}>h"'
    )
    source = log_source_create(
        actor="test", data={"name": "proxy-1", "kind": "proxy", "squid_logformat": line}
    )
    run = ingest(_copy(tmp_path, "squid/custom_logformat.log"), source=source)
    assert run.format == "squid_logformat"
    assert (run.lines_parsed, run.skip_counts, run.lines_matched) == (4, {"malformed": 1}, 3)
    with pytest.raises(ValidationError, match="no destination"):
        log_source_create(
            actor="test",
            data={
                "name": "proxy-2",
                "kind": "proxy",
                "squid_logformat": '%>a [%tl] "%{User-Agent}>h"',
            },
        )
