"""Discovery API: lists share the pages' filters; triage goes through the audited services."""

from django.urls import reverse

from core.models import AuditEntry
from discovery.models import Finding
from tests.conftest import PASSWORD
from tests.discovery.conftest import CLOUDTRAIL, SQUID


def test_api_lists_runs_findings_apps_and_blocklist(client, auditor, ingest):
    run = ingest(SQUID)
    ingest(CLOUDTRAIL)
    client.login(username=auditor.username, password=PASSWORD)
    runs = client.get(reverse("discovery-api-run-list")).json()
    assert runs["count"] == 2
    detail = client.get(reverse("discovery-api-run-detail", kwargs={"pk": run.pk})).json()
    assert detail["lines_read"] == 1887 and detail["skip_counts"] == {"malformed": 2}
    jack = client.get(reverse("discovery-api-finding-list"), {"kind": "llmjacking"}).json()
    assert jack["count"] >= 3
    assert {f["kind"] for f in jack["results"]} == {"llmjacking"}
    apps = client.get(reverse("discovery-api-app-list"), {"q": "claude"}).json()
    assert [a["app_key"] for a in apps["results"]] == ["claude"]
    assert apps["results"][0]["requests"] == 248
    assert client.get(reverse("discovery-api-blocklist")).json()["count"] == 0


def test_api_triage_assign_and_unknown_action(client, officer, officer2, ingest):
    ingest(SQUID)
    finding = Finding.objects.get(app_key="deepseek", kind="unsanctioned_use")
    client.login(username=officer.username, password=PASSWORD)
    url = reverse("discovery-api-finding-triage", kwargs={"pk": finding.pk, "action": "assign"})
    response = client.post(url, {"assignee": officer2.username}, content_type="application/json")
    assert response.status_code == 200 and response.json()["assignee"] == "officer2"
    assert AuditEntry.objects.filter(action="discovery.finding.assign").count() == 1
    nope = reverse("discovery-api-finding-triage", kwargs={"pk": finding.pk, "action": "explode"})
    assert client.post(nope, {}, content_type="application/json").status_code == 404
