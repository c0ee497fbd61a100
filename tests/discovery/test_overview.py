"""Discovery overview, per-app usage with gaps, risk scores and bulk triage."""

import datetime as dt
import json
import re

import pytest
from django.db.models import Count, Sum
from django.urls import reverse

from core.models import AuditEntry
from discovery.models import AppUsageTotal, Finding, UsageRollup
from discovery.risk import MAX_SCORE, app_risk_score
from discovery.services.rollups import RollupRow, rollup_upsert
from discovery.services.triage import finding_sanction
from tests.discovery.conftest import SQUID, ZEEK

APP_PAGE_QUERIES = 18  # session, user and permissions included; OAuth grants and gateway usage


def _json(body: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', body)
    return json.loads(match.group(1))


def _add(app_key: str, day: dt.date, requests: int, identity: str = "zoe", team: str = "") -> None:
    seen = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
    rollup_upsert(rows=[RollupRow(app_key, "", identity, team, day, requests, 0, 0, seen, seen)])


@pytest.fixture
def squid(ingest):
    ingest(SQUID)
    ingest(ZEEK)


def test_risk_score_adds_catalogue_factors():
    bad = app_risk_score(
        category="chat_assistant",
        risk={
            "trains_on_customer_data": True,
            "enterprise_sso": None,
            "certifications": [],
            "data_residency": "Data stored on servers in the PRC",
        },
    )
    good = app_risk_score(
        category="llm_api",
        risk={
            "trains_on_customer_data": False,
            "enterprise_sso": "SAML SSO",
            "certifications": ["SOC 2 Type 2"],
            "data_residency": "Yes (EU)",
        },
    )
    unknown = app_risk_score(category=None, risk=None, known=False)
    assert bad.level == "high" and good.level == "low" and unknown.level == "medium"
    assert bad.score == sum(f.points for f in bad.factors) <= MAX_SCORE == 100
    points = {f.key: f.points for f in bad.factors}
    assert points["trains_on_customer_data"] == 30 and points["data_residency"] == 20
    assert {f.key: f.points for f in good.factors}["trains_on_customer_data"] == 0
    assert all(f.finding == "Not in the catalogue" for f in unknown.factors[:-1])
    # Not knowing costs less than a known bad answer.
    assert unknown.factors[0].points < points["trains_on_customer_data"]


def test_overview_fills_every_day_and_matches_the_rollups(client, officer, squid):
    client.force_login(officer)
    page = client.get(reverse("discovery:overview"), {"days": 30})
    assert page.status_code == 200
    period = page.context["period"]
    last = UsageRollup.objects.order_by("-day").first().day
    assert period.day_to == last and period.length == 30
    traffic = page.context["traffic"]
    assert len(traffic["labels"]) == 30 and traffic["labels"][-1] == last.isoformat()
    in_period = UsageRollup.objects.filter(day__gte=period.day_from, day__lte=last)
    assert sum(traffic["totals"]) == in_period.aggregate(n=Sum("requests"))["n"]
    first = UsageRollup.objects.order_by("day").first().day
    zero_days = [lab for lab, n in zip(traffic["labels"], traffic["totals"], strict=True) if not n]
    assert zero_days and all(d < first.isoformat() for d in zero_days)
    body = page.content.decode()
    chart = _json(body, "traffic-data")
    assert chart["labels"] == traffic["labels"]
    table = re.search(r'<table id="traffic-table">(.*?)</table>', body, re.S).group(1)
    assert table.count('<th scope="row">') == 30
    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag or 'type="application/json"' in tag


def test_overview_stacks_by_category_with_the_same_total(client, officer, squid):
    client.force_login(officer)
    by_app = client.get(reverse("discovery:overview"), {"stack": "app"}).context["traffic"]
    by_cat = client.get(reverse("discovery:overview"), {"stack": "category"}).context["traffic"]
    assert by_app["totals"] == by_cat["totals"]
    labels = {ds["label"] for ds in by_cat["datasets"]}
    assert "Coding assistant" in labels or "Chat assistant" in labels
    assert "Claude" not in labels


def test_overview_top_apps_users_teams_and_new_apps(client, officer, squid):
    client.force_login(officer)
    ctx = client.get(reverse("discovery:overview"), {"days": 90}).context
    requests = [r["period_requests"] for r in ctx["top_apps"]]
    assert requests == sorted(requests, reverse=True) and requests[0] > 0
    claude = next(r for r in ctx["top_apps"] if r["app_key"] == "claude")
    assert claude["period_requests"] == AppUsageTotal.objects.get(app_key="claude").requests
    expected_users = (
        UsageRollup.objects.exclude(identity="")
        .values("identity")
        .annotate(n=Sum("requests"))
        .order_by("-n")
        .first()
    )
    assert ctx["top_users"][0]["requests"] == expected_users["n"]
    assert all(t["team"] for t in ctx["top_teams"])
    new_since = ctx["new_since"]
    expected_new = {
        t.app_key or t.host for t in AppUsageTotal.objects.all() if t.first_seen.date() >= new_since
    }
    assert {r["app_key"] or r["host"] for r in ctx["new_apps"]} == expected_new
    assert all(r["risk_score"].factors for r in ctx["risky_apps"])


def test_overview_share_moves_when_an_app_is_sanctioned(client, officer, squid):
    client.force_login(officer)
    before = {g["label"]: g for g in client.get(reverse("discovery:overview")).context["share"]}
    finding = Finding.objects.filter(app_key="deepseek").order_by("pk").first()
    finding_sanction(finding=finding, actor=officer)
    after = {g["label"]: g for g in client.get(reverse("discovery:overview")).context["share"]}
    moved = AppUsageTotal.objects.get(app_key="deepseek").requests
    assert after["Sanctioned"]["requests"] == before["Sanctioned"]["requests"] + moved
    assert after["Unsanctioned"]["requests"] == before["Unsanctioned"]["requests"] - moved
    assert sum(g["percent"] for g in after.values()) in (99, 100, 101)


def test_overview_reads_in_pinned_queries(client, officer, squid, django_assert_num_queries):
    client.force_login(officer)
    client.get(reverse("discovery:overview"))  # the catalogue is cached per process
    with django_assert_num_queries(17):  # the OAuth apps: one query when nothing was granted
        client.get(reverse("discovery:overview"))
    # More apps, users and days do not add queries.
    for i in range(20):
        _add("chatgpt", dt.date(2026, 11, 1) + dt.timedelta(days=i), 5, identity=f"u{i}")
    with django_assert_num_queries(17):
        page = client.get(reverse("discovery:overview"), {"days": 90, "stack": "category"})
    assert page.status_code == 200


def test_app_page_shows_days_without_traffic_as_zero(client, officer, squid):
    client.force_login(officer)
    last = UsageRollup.objects.filter(app_key="claude").order_by("-day").first().day
    gap_end = last + dt.timedelta(days=5)
    _add("claude", gap_end, 7)
    page = client.get(reverse("discovery:app-detail", kwargs={"subject": "claude"}))
    data = _json(page.content.decode(), "usage-data")
    i = data["labels"].index(last.isoformat())
    assert data["labels"][i : i + 6] == [
        (last + dt.timedelta(days=k)).isoformat() for k in range(6)
    ]
    assert data["requests"][i + 1 : i + 5] == [0, 0, 0, 0] and data["requests"][i + 5] == 7
    assert page.context["days_with_traffic"] == len(data["labels"]) - 4
    body = page.content.decode()
    assert body.count('<th scope="row">') == len(data["labels"])
    assert "Risk score" in body and "Trains on customer data" in body


def test_app_page_says_unknown_for_unlogged_upload_volume(client, officer, squid):
    client.force_login(officer)
    assert UsageRollup.objects.filter(app_key="claude").aggregate(n=Sum("bytes_up"))["n"] == 0
    body = client.get(reverse("discovery:app-detail", kwargs={"subject": "claude"})).content
    assert b"<dt>Uploaded</dt><dd>unknown</dd>" in body
    assert b"0 bytes" not in body


def test_bulk_dismiss_goes_through_the_service_with_one_audit_entry_each(client, officer, squid):
    client.force_login(officer)
    open_ = list(Finding.objects.filter(state=Finding.State.OPEN).order_by("pk")[:2])
    url = reverse("discovery:finding-bulk-triage")
    response = client.post(
        url,
        {
            "finding": [f.pk for f in open_],
            "action": "dismiss",
            "reason": "Lab traffic",
            "next": "/discovery/overview/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/discovery/overview/"
    states = set(
        Finding.objects.filter(pk__in=[f.pk for f in open_]).values_list("state", flat=True)
    )
    assert states == {Finding.State.DISMISSED}
    audited = AuditEntry.objects.filter(action="discovery.finding.dismiss")
    assert sorted(int(e.target_id) for e in audited) == sorted(f.pk for f in open_)


def test_bulk_dismiss_without_reason_changes_nothing(client, officer, squid):
    client.force_login(officer)
    finding = Finding.objects.filter(state=Finding.State.OPEN).first()
    response = client.post(
        reverse("discovery:finding-bulk-triage"),
        {"finding": [finding.pk], "action": "dismiss", "reason": " "},
        follow=True,
    )
    assert b"Give a reason" in response.content
    finding.refresh_from_db()
    assert finding.state == Finding.State.OPEN


def test_bulk_sanction_counts_findings_closed_by_the_same_decision(client, officer, squid):
    client.force_login(officer)
    app_key = (
        Finding.objects.filter(state=Finding.State.OPEN)
        .exclude(app_key="")
        .values("app_key")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("app_key")
        .values_list("app_key", flat=True)
        .first()
    )
    if app_key is None:  # make a second open finding about one app
        first = Finding.objects.filter(state=Finding.State.OPEN).exclude(app_key="").first()
        app_key = first.app_key
        Finding.objects.create(
            kind=Finding.Kind.NEW_APP,
            severity="info",
            title=f"New app {app_key}",
            dedupe_key=f"test:{app_key}",
            app_key=app_key,
            first_seen=first.first_seen,
            last_seen=first.last_seen,
        )
    ids = list(
        Finding.objects.filter(app_key=app_key, state=Finding.State.OPEN).values_list(
            "pk", flat=True
        )
    )
    response = client.post(
        reverse("discovery:finding-bulk-triage"),
        {"finding": ids, "action": "sanction", "next": f"/discovery/apps/{app_key}/"},
        follow=True,
    )
    text = response.content.decode()
    assert "Sanction: 1 finding" in text and f"{len(ids) - 1} already closed" in text
    assert not Finding.objects.filter(pk__in=ids, state__in=Finding.OPEN_STATES).exists()
    assert AuditEntry.objects.filter(action="discovery.finding.sanction").count() == 1


def test_bulk_assign_and_the_auditor_cannot(client, officer, officer2, auditor, squid):
    finding = Finding.objects.filter(state=Finding.State.OPEN).first()
    client.force_login(auditor)
    url = reverse("discovery:finding-bulk-triage")
    payload = {"finding": [finding.pk], "action": "assign", "assignee": officer2.pk}
    assert client.post(url, payload).status_code == 403
    client.force_login(officer)
    client.post(url, payload)
    finding.refresh_from_db()
    assert finding.state == Finding.State.ASSIGNED and finding.assignee == officer2
    assert AuditEntry.objects.filter(action="discovery.finding.assign").count() == 1


def test_bulk_ignores_an_offsite_next(client, officer, squid):
    client.force_login(officer)
    finding = Finding.objects.filter(state=Finding.State.OPEN).first()
    response = client.post(
        reverse("discovery:finding-bulk-triage"),
        {"finding": [finding.pk], "action": "block", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("discovery:finding-list")


def test_app_page_reads_in_pinned_queries(client, officer, squid, django_assert_num_queries):
    client.force_login(officer)
    url = reverse("discovery:app-detail", kwargs={"subject": "claude"})
    client.get(url)
    with django_assert_num_queries(APP_PAGE_QUERIES):
        client.get(url)
    # More findings, users and days do not add queries.
    first = Finding.objects.filter(app_key="claude").first()
    for i in range(15):
        Finding.objects.create(
            kind=Finding.Kind.USAGE_SPIKE,
            severity="low",
            title=f"Spike {i}",
            dedupe_key=f"spike:claude:{i}",
            app_key="claude",
            first_seen=first.first_seen,
            last_seen=first.last_seen,
        )
        _add("claude", dt.date(2026, 10, 1) + dt.timedelta(days=i), 3, identity=f"p{i}")
    with django_assert_num_queries(APP_PAGE_QUERIES):
        page = client.get(url)
    assert len(page.context["findings"]) >= 16
