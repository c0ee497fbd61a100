"""Governance-programme URLs x roles. Every role holds the Requester right; a requester sees only
their own requests (another's is a 404), officers decide, auditors read every request."""

import datetime as dt

from tests.matrix.common import API_READ, READ, Row, expect

T0 = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)

REQUEST_READ = expect(READ, requester=200)
REQUEST_DONE = expect(
    REQUEST_READ, compliance_officer=302, procurement=302, auditor=302, admin=302, requester=302
)
OWN_ONLY = expect(REQUEST_READ, procurement=404)  # the requester's own; readers with view rights
OTHERS = expect(REQUEST_READ, procurement=404, requester=404)  # an officer's request
TRIAGE = expect(
    READ, procurement=403, auditor=403, compliance_officer=302, admin=302, requester=403
)
ANSWER = expect(
    READ, compliance_officer=403, auditor=403, admin=403, procurement=404, requester=302
)

REQUEST_FORM = {
    "tool_name": "Matrix AI",
    "purpose": "Summarise meeting notes",
    "decision_role": "none",
}


def _request(users, owner="requester", **extra):
    from programme.models import AIUseRequest

    item = AIUseRequest.objects.create(
        requester=users[owner],
        created_by=users[owner],
        tool_name="Claude",
        purpose="Drafts",
        **extra,
    )
    return {"pk": item.pk}


def own_request(users):
    return _request(users)


def officer_request(users):
    return _request(users, owner="compliance_officer")


def invited_request(users):
    from programme.models import AIUseRequest

    return _request(users, status=AIUseRequest.Status.INVITED)


def finding(users):
    from tests.discovery.factories import FindingFactory

    f = FindingFactory(
        title="Claude used with no sanctioned AI system",
        dedupe_key="unsanctioned_use:claude",
        app_key="claude",
        principal=users["requester"].username,
        first_seen=T0,
        last_seen=T0,
    )
    return {"pk": f.pk}


pk = lambda ctx: {"pk": ctx["pk"]}  # noqa: E731

ROWS = [
    Row("programme:request-list", REQUEST_READ),
    Row("programme:request-list", REQUEST_READ, setup=own_request, query="?status=submitted&q=cl"),
    Row("programme:request-create", REQUEST_READ),
    Row("programme:request-create", REQUEST_DONE, method="post", data=REQUEST_FORM),
    Row("programme:tool-search", REQUEST_READ, query="?tool_name=chat"),
    Row("programme:request-detail", OWN_ONLY, setup=own_request, kwargs=pk),
    Row("programme:request-detail", OTHERS, setup=officer_request, kwargs=pk),
    Row(
        "programme:request-complete",
        ANSWER,
        method="post",
        setup=invited_request,
        kwargs=pk,
        data=REQUEST_FORM,
    ),
    Row(
        "programme:request-decide",
        TRIAGE,
        method="post",
        setup=own_request,
        kwargs=pk,
        data={"decision": "rejected", "reason": "Use the approved assistant instead."},
    ),
    Row("programme:finding-invite", TRIAGE, method="post", setup=finding, kwargs=pk, data={}),
]

# --- Risk register: every reader reads, officers write; a requester gets nothing. -------------

WRITE_FORM = expect(READ, procurement=403, auditor=403)
WRITE_DONE = expect(WRITE_FORM, compliance_officer=302, admin=302)


def _content():
    from programme.content_loader import load_programme_content

    load_programme_content()


def risk(users):
    from programme.models import Risk
    from programme.risk_services import risk_control_map
    from programme.selectors import control_library, risk_categories

    _content()
    item = Risk.objects.create(
        title="Matrix risk", category=risk_categories().first(), likelihood=3, impact=3
    )
    mapping = risk_control_map(
        actor=users["admin"], risk=item, control=control_library().get(code="owasp-llm.LLM01")
    )
    return {"pk": item.pk, "mapping": mapping.pk, "category": item.category_id}


def evidence(users):
    from programme.models import ControlEvidence

    ctx = risk(users)
    item = ControlEvidence.objects.create(
        mapping_id=ctx["mapping"], sha256="0" * 64, file_name="gone.pdf", size=1
    )
    return {"pk": item.pk}


def risk_form(ctx):
    return {
        "title": "Matrix risk 2", "category": ctx["category"], "likelihood": 2, "impact": 4,
        "treatment": "mitigate", "status": "open",
    }  # fmt: skip


ROWS += [
    Row("programme:risk-list", READ),
    Row("programme:risk-list", READ, query="?status=open&scope=organisation&q=x"),
    Row("programme:risk-create", WRITE_FORM, setup=lambda users: _content()),
    Row("programme:risk-create", WRITE_DONE, method="post", setup=risk, data=risk_form),
    Row("programme:risk-detail", READ, setup=risk, kwargs=pk),
    Row("programme:risk-edit", WRITE_FORM, setup=risk, kwargs=pk),
    Row("programme:risk-edit", WRITE_DONE, method="post", setup=risk, kwargs=pk, data=risk_form),
    Row(
        "programme:risk-control-add",
        WRITE_DONE,
        method="post",
        setup=risk,
        kwargs=pk,
        data={"control": "", "status": "planned"},
    ),
    Row(
        "programme:risk-control-edit",
        WRITE_DONE,
        method="post",
        setup=risk,
        kwargs=lambda ctx: {"pk": ctx["mapping"]},
        data={"status": "implemented", "note": "done"},
    ),
    Row(
        "programme:control-evidence",
        expect(
            READ, **dict.fromkeys(("compliance_officer", "procurement", "auditor", "admin"), 404)
        ),
        setup=evidence,
        kwargs=pk,
    ),  # fmt: skip
    Row("programme:control-list", READ, setup=lambda users: _content()),
]

# --- AI literacy: every reader reads the coverage; officers add modules and import completions.


def training_module(users):
    from programme.models import TrainingModule

    TrainingModule.objects.create(title="AI basics")
    return {}


ROWS += [
    Row("programme:literacy", READ, setup=training_module),
    Row("programme:module-create", WRITE_FORM),
    Row(
        "programme:module-create",
        WRITE_DONE,
        method="post",
        data={"title": "Prompting safely", "version": "1", "refresh_months": 12},
    ),
    Row(
        "programme:assignment-create",
        WRITE_DONE,
        method="post",
        setup=training_module,
        data={"person": "ann@example.com"},  # no module: a message, nothing assigned
    ),
    Row(
        "programme:completion-import",
        WRITE_DONE,
        method="post",
        setup=training_module,
        data={},  # no file: a message and back to the page, nothing imported
    ),
]

# --- Rights requests: readers read the log; officers log, answer and extend. ------------------


def rights_request(users):
    from django.utils import timezone

    from programme.rights import rights_request_create, rights_rules

    _content()
    rule = rights_rules().get(code="ccpa.access")
    item = rights_request_create(
        actor=users["admin"],
        data={"rule": rule, "reference": "M-1", "received_on": timezone.localdate()},
    )
    return {"pk": item.pk, "rule": rule.pk}


ROWS += [
    Row("programme:rights-list", READ),
    Row("programme:rights-list", READ, setup=rights_request, query="?state=due&q=M"),
    Row("programme:rights-create", WRITE_FORM, setup=lambda users: _content()),
    Row(
        "programme:rights-create",
        WRITE_DONE,
        method="post",
        setup=rights_request,
        data=lambda ctx: {
            "rule": ctx["rule"],
            "reference": "M-2",
            "received_on": "2026-01-05",
            "identity": "pending",
        },
    ),
    Row("programme:rights-detail", READ, setup=rights_request, kwargs=pk),
    Row(
        "programme:rights-answer",
        WRITE_DONE,
        method="post",
        setup=rights_request,
        kwargs=pk,
        data={"identity": "verified"},
    ),
    Row(
        "programme:rights-extend",
        WRITE_DONE,
        method="post",
        setup=rights_request,
        kwargs=pk,
        data={"reason": "Archived records"},
    ),
]

# --- Notices, obligations and answer links: readers read, officers link. ----------------------


def classified_lender(users):
    from regulations.services.classification import classification_run
    from tests.assessments.factories import load_real_content
    from tests.factories import AISystemFactory

    _content()
    load_real_content("co")
    system = AISystemFactory(
        jurisdictions=["CO"], domains=["lending_financial"], data_categories=["financial"]
    )
    classification_run(system=system)
    return {"pk": system.pk}


def assessment(users):
    from assessments.services import assessment_start
    from tests.assessments import factories

    _content()
    system = factories.classified_system()
    item = assessment_start(
        actor=users["compliance_officer"], system=system, template=factories.fria()
    )
    return {"pk": item.pk}


def answer_link(users):
    from assessments.models import Assessment
    from programme.links import answer_link_create
    from programme.selectors import control_library

    ctx = assessment(users)
    link = answer_link_create(
        actor=users["admin"],
        assessment=Assessment.objects.get(pk=ctx["pk"]),
        question_id="a.frequency",
        control=control_library().first(),
    )
    return {"pk": link.pk}


ROWS += [
    Row("programme:system-notices", READ, setup=classified_lender, kwargs=pk),
    Row(
        "programme:notice-download",
        READ,
        setup=classified_lender,
        kwargs=lambda ctx: {"pk": ctx["pk"], "code": "co.pre-use", "fmt": "md"},
    ),
    Row("programme:system-obligations", READ, setup=classified_lender, kwargs=pk),
    Row(
        "programme:answer-link-add",
        WRITE_DONE,
        method="post",
        setup=assessment,
        kwargs=pk,
        data={"question_id": "a.frequency"},  # neither risk nor control: a message, no link
    ),
    Row("programme:answer-link-delete", WRITE_DONE, method="post", setup=answer_link, kwargs=pk),
]

# --- API: a requester files and lists their own requests; readers read the rest. -------------

API_OWN = expect(API_READ, requester=200)
API_FILED = expect(
    API_READ, compliance_officer=201, procurement=201, auditor=201, admin=201, requester=201
)

ROWS += [
    Row("api-ai-request-list", API_OWN),
    Row(
        "api-ai-request-list",
        API_FILED,
        method="post",
        data={"tool_name": "Matrix AI"},
        content_type="application/json",
    ),
    Row("api-ai-request-detail", expect(API_OWN, procurement=404), setup=own_request, kwargs=pk),
    Row(
        "api-ai-request-detail",
        expect(API_OWN, procurement=404, requester=404),
        setup=officer_request,
        kwargs=pk,
    ),
    Row("api-risk-list", API_READ, setup=risk, query="?status=open"),
    Row("api-control-list", API_READ, setup=lambda users: _content(), query="?obligation=eu-14"),
    Row("api-completion-list", API_READ, setup=training_module, query="?due=true"),
    Row("api-literacy-coverage", API_READ),
    Row("api-rights-request-list", API_READ, setup=rights_request, query="?state=open"),
]


def lender_and_control(users):
    from programme.selectors import control_library

    ctx = classified_lender(users)
    return {"pk": ctx["pk"], "control_pk": control_library().get(code="iso42001.A.8.2").pk}


ROWS += [
    Row(
        "programme:system-control",
        WRITE_DONE,
        method="post",
        setup=lender_and_control,
        kwargs=lambda ctx: {"pk": ctx["pk"], "control_pk": ctx["control_pk"]},
        data={"status": "implemented", "note": "live"},
    ),
]
