"""Discovery pages: discovered-AI list, CSV export, app detail, sources admin, identity upload, panel."""

import csv
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.csvio import neutralise as csv_safe
from discovery.models import Finding, IdentityMapping, LogSource
from discovery.panels import system_panel
from discovery.services.triage import finding_sanction
from tests.conftest import PASSWORD
from tests.discovery.conftest import SQUID


@pytest.fixture
def logged_in(client):
    def login(user):
        client.login(username=user.username, password=PASSWORD)
        return client

    return login


def test_discovered_ai_lists_one_row_per_app_with_usage(logged_in, officer, ingest):
    ingest(SQUID)
    page = logged_in(officer).get(reverse("discovery:app-list"))
    assert page.status_code == 200
    rows = {r["app_key"]: r for r in page.context["rows"]}
    assert rows["claude"]["requests"] == 248
    assert rows["claude"]["users"] == 2
    assert rows["deepseek"]["status"] == "unreviewed"
    unknown = [r for r in page.context["rows"] if not r["known"]]
    assert [r["host"] for r in unknown] == ["llm-gw.partner.example.net"]
    assert b"Claude" in page.content and b"Not reviewed" in page.content


def test_discovered_ai_reads_the_catalogue_version_once(logged_in, officer, ingest):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ingest(SQUID)
    client = logged_in(officer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("discovery:app-list"))
    assert "coding_assistant" in page.context["categories"]
    versions = [q for q in queries.captured_queries if '"discovery_catalogversion"' in q["sql"]]
    assert len(versions) == 1


def test_discovered_ai_table_pages_but_the_totals_cover_every_app(logged_in, officer, db):
    import datetime as dt

    from discovery.services.rollups import RollupRow, rollup_upsert

    seen = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    rollup_upsert(
        rows=[
            RollupRow(
                "",
                f"ai{i:02d}.example",
                "u@example.com",
                "",
                dt.date(2026, 11, 2),
                1000 - i,
                0,
                0,
                seen,
                seen,
            )
            for i in range(60)
        ]
    )
    client = logged_in(officer)
    first = client.get(reverse("discovery:app-list"))
    assert [r["host"] for r in first.context["page"]] == [f"ai{i:02d}.example" for i in range(50)]
    assert first.context["totals"]["apps"] == 60
    assert first.context["totals"]["requests"] == sum(1000 - i for i in range(60))
    assert b"Page 1 of 2" in first.content
    second = client.get(reverse("discovery:app-list"), {"page": 2}, HTTP_HX_REQUEST="true")
    assert [r["host"] for r in second.context["page"]] == [f"ai{i}.example" for i in range(50, 60)]
    assert b"ai59.example" in second.content and b"ai00.example" not in second.content


def test_discovered_ai_filters_apply(logged_in, officer, ingest):
    ingest(SQUID)
    client = logged_in(officer)
    coding = client.get(reverse("discovery:app-list"), {"category": "coding_assistant"})
    assert {r["app_key"] for r in coding.context["rows"]} == {"github-copilot"}
    search = client.get(reverse("discovery:app-list"), {"q": "deep"}, HTTP_HX_REQUEST="true")
    assert [r["app_key"] for r in search.context["rows"]] == ["deepseek"]
    assert b"<html" not in search.content  # the HTMX partial only


def test_csv_export_neutralises_formulas(logged_in, officer, ingest, catalog):
    from discovery.models import DiscoveredApp

    ingest(SQUID)
    # Confirmed by an officer, so the unknown host has a discovered-app row (and a name).
    DiscoveredApp.objects.update_or_create(
        app_key="", host="llm-gw.partner.example.net", defaults={"name": "=HYPERLINK(1)"}
    )
    response = logged_in(officer).get(reverse("discovery:app-export"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["app", "host", "vendor"]
    names = [r[0] for r in rows[1:]]
    assert "Claude" in names
    assert "'=HYPERLINK(1)" in names
    assert csv_safe("+1") == "'+1" and csv_safe("@x") == "'@x" and csv_safe("-2") == "'-2"
    assert csv_safe("ok") == "ok"


def test_app_detail_has_chart_data_and_top_users(logged_in, officer, ingest):
    ingest(SQUID)
    page = logged_in(officer).get(reverse("discovery:app-detail", kwargs={"subject": "claude"}))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="usage-data"' in body and "usage_chart.js" in body and "chart.umd.min.js" in body
    match = re.search(r'<script id="usage-data" type="application/json">(.*?)</script>', body)
    data = json.loads(match.group(1))
    assert sum(data["requests"]) == 248 and len(data["labels"]) == 12
    assert page.context["top_users"][0]["identity"] in {"bob", "frank"}
    # No inline scripts (CSP): every <script> either has src= or is JSON data.
    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag or 'type="application/json"' in tag


def test_unknown_host_detail_and_missing_app(logged_in, officer, ingest):
    ingest(SQUID)
    client = logged_in(officer)
    ok = client.get(
        reverse("discovery:app-detail", kwargs={"subject": "host:llm-gw.partner.example.net"})
    )
    assert ok.status_code == 200
    assert (
        client.get(reverse("discovery:app-detail", kwargs={"subject": "nope"})).status_code == 404
    )


def test_findings_queue_shows_open_by_default(logged_in, officer, ingest):
    ingest(SQUID)
    client = logged_in(officer)
    page = client.get(reverse("discovery:finding-list"))
    assert page.status_code == 200
    assert page.context["page"].paginator.count == Finding.objects.filter(state="open").count() > 5
    assert b"Sanction" in page.content and b"Block" in page.content
    finding = Finding.objects.filter(kind="possible_ai").get()
    detail = client.get(reverse("discovery:finding-detail", kwargs={"pk": finding.pk}))
    assert b"/v1/chat/completions" in detail.content


def test_findings_queue_loads_the_dismiss_link_and_assign_forms_only_when_opened(
    logged_in, officer, ingest
):
    ingest(SQUID)
    client = logged_in(officer)
    finding = Finding.objects.filter(state="open", app_key="claude").first()
    forms_url = reverse("discovery:finding-triage-forms", kwargs={"pk": finding.pk})
    page = client.get(reverse("discovery:finding-list")).content.decode()
    assert f'hx-get="{forms_url}" hx-trigger="toggle once"' in page
    assert 'name="assignee"' not in page and 'name="reason"' not in page
    forms = client.get(forms_url).content.decode()
    assert f'hx-target="#finding-{finding.pk}"' in forms
    assert 'name="reason"' in forms and 'name="system_name"' in forms
    assert f'<option value="{officer.pk}" >{officer.username}</option>' in forms


def test_findings_queue_row_links_point_at_the_finding(logged_in, officer, ingest):
    ingest(SQUID)
    page = logged_in(officer).get(reverse("discovery:finding-list")).content.decode()
    finding = Finding.objects.filter(state="open", app_key="claude").first()
    for name in ("finding-detail", "finding-sanction", "finding-block"):
        assert f'"{reverse(f"discovery:{name}", kwargs={"pk": finding.pk})}"' in page


def test_triage_forms_of_a_decided_finding_offer_no_forms(logged_in, officer, ingest):
    ingest(SQUID)
    finding = Finding.objects.filter(state="open", app_key="claude").first()
    finding_sanction(finding=finding, actor=officer)
    url = reverse("discovery:finding-triage-forms", kwargs={"pk": finding.pk})
    body = logged_in(officer).get(url).content.decode()
    assert "Decided" in body and "<form" not in body


def test_procurement_sees_findings_without_buttons(logged_in, procurement, ingest):
    ingest(SQUID)
    page = logged_in(procurement).get(reverse("discovery:finding-list"))
    assert page.status_code == 200
    assert b"Read only" in page.content and b">Sanction<" not in page.content


def test_admin_adds_a_source_and_uploads_identity_csv(logged_in, admin_user, db):
    client = logged_in(admin_user)
    created = client.post(
        reverse("discovery:source-create"),
        {"name": "Branch proxy", "kind": "proxy", "format": "squid", "pseudonymise": "on"},
    )
    assert created.status_code == 302
    source = LogSource.objects.get(name="Branch proxy")
    assert source.pseudonymise and not source.use_identity_mapping
    bad = client.post(
        reverse("discovery:source-create"), {"name": "X", "kind": "proxy", "format": "nope"}
    )
    assert bad.status_code == 200 and b"Unknown format" in bad.content
    csv_text = (
        "kind,identifier,person,team,valid_from,valid_to,source\n"
        "ip,192.0.2.10,alice@example.com,Finance,2026-01-01T00:00:00Z,,dhcp\n"
        "laptop,x,y,z,,,\n"
        "ip,192.0.2.11,bob@example.com,Finance,not-a-date,,dhcp\n"
    )
    upload = client.post(
        reverse("discovery:identity-upload"),
        {"file": SimpleUploadedFile("map.csv", csv_text.encode())},
        follow=True,
    )
    assert upload.status_code == 200
    assert IdentityMapping.objects.count() == 1
    text = upload.content.decode()
    assert "1 added" in text and "2 skipped" in text and "row 3" in text and "row 4" in text
    again = client.post(
        reverse("discovery:identity-upload"),
        {"file": SimpleUploadedFile("map.csv", csv_text.encode())},
        follow=True,
    )
    assert IdentityMapping.objects.count() == 1 and "1 already known" in again.content.decode()


def test_identity_upload_rejects_a_binary_file(logged_in, admin_user, db):
    response = logged_in(admin_user).post(
        reverse("discovery:identity-upload"),
        {"file": SimpleUploadedFile("map.csv", bytes(range(256)))},
    )
    assert response.status_code == 200 and b"binary file" in response.content


def test_system_panel_shows_discovered_usage_and_findings(rf, officer, ingest):
    ingest(SQUID)
    finding = Finding.objects.get(app_key="claude", kind="unsanctioned_use")
    system = finding_sanction(finding=finding, actor=officer)
    panel = system_panel(request=rf.get("/"), system=system)
    assert panel["usage"]["requests"] == 248
    assert finding in panel["findings"]
    from django.template.loader import render_to_string

    html = render_to_string("discovery/partials/system_panel.html", panel)
    assert "248" in html and "Discovered use" in html


def test_system_panel_is_absent_for_systems_discovery_never_saw(rf, db):
    from tests.factories import AISystemFactory

    assert system_panel(request=rf.get("/"), system=AISystemFactory()) is None
