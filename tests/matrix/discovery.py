"""Discovery URLs x roles. Writes: officers triage and ingest, admins manage sources, auditors only read."""

import datetime as dt

from tests.matrix.common import API_READ, READ, Row, expect

T0 = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)

WRITE_OFFICER = expect(READ, procurement=403, auditor=403, compliance_officer=302, admin=302)
FORM_OFFICER = expect(READ, procurement=403, auditor=403)
ADMIN_ONLY = expect(READ, compliance_officer=403, procurement=403, auditor=403)
ADMIN_WRITE = expect(ADMIN_ONLY, admin=302)
EXPORT = expect(READ, procurement=403)
API_WRITE = expect(API_READ, procurement=403, auditor=403)


def _finding(users, **extra):
    from discovery.models import DiscoveredApp
    from tests.discovery.factories import FindingFactory

    DiscoveredApp.objects.get_or_create(
        app_key="chatgpt", host="", defaults={"name": "ChatGPT", "first_seen": T0, "last_seen": T0}
    )
    data = {
        "title": "ChatGPT used with no sanctioned AI system",
        "dedupe_key": "unsanctioned_use:chatgpt",
        "app_key": "chatgpt",
        "first_seen": T0,
    } | extra
    finding = FindingFactory(**data)
    return {"pk": finding.pk, "officer": users["compliance_officer"].pk}


def _possible_ai(users):
    from discovery.models import Finding

    return _finding(
        users,
        kind=Finding.Kind.POSSIBLE_AI,
        severity="info",
        title="Possible AI endpoint: llm-gw.example.net (H1)",
        dedupe_key="possible_ai:llm-gw.example.net",
        app_key="",
        host="llm-gw.example.net",
    )


def _run(users, status="queued"):
    from discovery.models import IngestRun

    run = IngestRun.objects.create(
        file_name="access.log",
        path="/nonexistent/access.log",
        sha256=f"{status:0<64}"[:64],
        format="squid",
        status=status,
        size=10,
        bytes_total=10,
    )
    return {"pk": run.pk}


def _source(users):
    from tests.discovery.factories import LogSourceFactory

    return {"pk": LogSourceFactory(name="Proxy").pk}


def _blocked(users):
    from discovery.models import BlocklistEntry

    return {"pk": BlocklistEntry.objects.create(domain="chat.deepseek.com").pk}


def _drift(users):
    from discovery.models import Finding
    from tests.factories import AISystemFactory

    system = AISystemFactory(name="Support bot", sanction_status="sanctioned")
    return _finding(
        users,
        kind=Finding.Kind.DRIFT,
        severity="medium",
        title="Team HR uses Support bot; its record does not list it",
        dedupe_key=f"drift:{system.pk}:teams:hr",
        app_key="",
        system=system,
        evidence={"dimension": "teams", "value": "HR", "proposal": {"teams_using": ["HR"]}},
    )


def _usage(users):
    from tests.discovery.usage_factories import (
        ModelUsageDayFactory,
        OAuthGrantFactory,
        UsageBudgetFactory,
    )

    OAuthGrantFactory(user="ann@example.com")
    ModelUsageDayFactory()
    return {"pk": UsageBudgetFactory().pk}


def pk(ctx):
    return {"pk": ctx["pk"]}


ROWS = [
    Row("discovery:app-list", READ),
    Row("discovery:overview", READ, setup=_finding),
    Row("discovery:overview", READ, query="?days=7&stack=category"),
    Row("discovery:app-list", READ, query="?q=chat&status=unreviewed"),
    Row("discovery:app-export", EXPORT),
    Row("discovery:app-detail", READ, setup=_finding, kwargs={"subject": "chatgpt"}),
    Row("discovery:finding-list", READ, setup=_finding),
    Row(
        "discovery:finding-bulk-triage",
        WRITE_OFFICER,
        method="post",
        setup=_finding,
        data=lambda ctx: {"finding": [ctx["pk"]], "action": "assign", "assignee": ctx["officer"]},
    ),
    Row("discovery:finding-detail", READ, setup=_finding, kwargs=pk),
    Row("discovery:finding-triage-forms", FORM_OFFICER, setup=_finding, kwargs=pk),
    Row(
        "discovery:finding-sanction",
        WRITE_OFFICER,
        method="post",
        setup=_finding,
        kwargs=pk,
        data={},
    ),
    Row("discovery:finding-block", FORM_OFFICER, setup=_finding, kwargs=pk),
    Row(
        "discovery:finding-block", WRITE_OFFICER, method="post", setup=_finding, kwargs=pk, data={}
    ),
    Row(
        "discovery:finding-confirm",
        WRITE_OFFICER,
        method="post",
        setup=_possible_ai,
        kwargs=pk,
        data={},
    ),
    Row(
        "discovery:finding-dismiss",
        WRITE_OFFICER,
        method="post",
        setup=_finding,
        kwargs=pk,
        data={"reason": "Approved pilot"},
    ),
    Row(
        "discovery:finding-assign",
        WRITE_OFFICER,
        method="post",
        setup=_finding,
        kwargs=pk,
        data=lambda ctx: {"assignee": ctx["officer"]},
    ),
    Row("discovery:app-detail", READ, setup=_usage, kwargs={"subject": "openai-api-platform"}),
    Row("discovery:finding-detail", READ, setup=_drift, kwargs=pk),
    Row("discovery:drift-accept", WRITE_OFFICER, method="post", setup=_drift, kwargs=pk, data={}),
    Row("discovery:drift-reject", WRITE_OFFICER, method="post", setup=_drift, kwargs=pk, data={}),
    Row("discovery:budget-list", READ, setup=_usage),
    Row("discovery:budget-form", FORM_OFFICER, setup=_usage, query="?edit=1"),
    Row("discovery:budget-form", FORM_OFFICER, method="post", data={"scope": "team"}),
    Row("discovery:budget-import", WRITE_OFFICER, method="post", data={}),
    Row("discovery:run-list", READ),
    Row("discovery:run-upload", FORM_OFFICER),
    Row("discovery:run-upload", FORM_OFFICER, method="post", data={"format": ""}),
    Row("discovery:run-detail", READ, setup=_run, kwargs=pk),
    Row("discovery:run-progress", READ, setup=_run, kwargs=pk),
    Row(
        "discovery:run-retry",
        WRITE_OFFICER,
        method="post",
        kwargs=pk,
        data={},
        setup=lambda users: _run(users, status="failed"),
    ),
    Row("discovery:source-list", ADMIN_ONLY),
    Row(
        "discovery:source-create",
        ADMIN_WRITE,
        method="post",
        data={"name": "Branch DNS", "kind": "dns", "format": "bind9"},
    ),
    Row("discovery:source-toggle", ADMIN_WRITE, method="post", setup=_source, kwargs=pk, data={}),
    Row("discovery:identity-upload", ADMIN_ONLY, method="post", data={}),
    Row("discovery:blocklist", READ, setup=_blocked),
    Row("discovery:blocklist-export", READ, setup=_blocked, kwargs={"fmt": "squid"}),
    Row("discovery:blocklist-export", READ, kwargs={"fmt": "rpz"}),
    Row("discovery:blocklist-oauth-export", READ, setup=_usage),
    Row(
        "discovery:blocklist-remove",
        WRITE_OFFICER,
        method="post",
        setup=_blocked,
        kwargs=pk,
        data={},
    ),
    Row("discovery-api-run-list", API_READ),
    Row("discovery-api-run-detail", API_READ, setup=_run, kwargs=pk),
    Row("discovery-api-finding-list", API_READ, setup=_finding),
    Row("discovery-api-finding-detail", API_READ, setup=_finding, kwargs=pk),
    Row(
        "discovery-api-finding-triage",
        API_WRITE,
        method="post",
        setup=_finding,
        kwargs=lambda ctx: {"pk": ctx["pk"], "action": "dismiss"},
        data={"reason": "Known pilot"},
    ),
    Row("discovery-api-app-list", API_READ),
    Row("discovery-api-blocklist", API_READ, setup=_blocked),
    Row("discovery-api-oauth-grant-list", API_READ, setup=_usage),
    Row("discovery-api-model-usage-list", API_READ, setup=_usage),
    Row("discovery-api-budget-list", API_READ, setup=_usage, query="?month=2026-11"),
]
