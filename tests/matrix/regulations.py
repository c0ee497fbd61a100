from tests.matrix.common import API_READ, READ, Row, expect

DENY = {"procurement": 403, "auditor": 403, "norole": 403}
OFFICER_WRITE_DONE = expect(READ, compliance_officer=302, admin=302, **DENY)
ADMIN_WRITE_DONE = expect(READ, compliance_officer=403, admin=302, **DENY)
ANY_READER_POST = READ
NOT_FOUND = dict.fromkeys(READ, 404)
API_WRITE = expect(API_READ, compliance_officer=200, procurement=403, auditor=403, admin=200)


def _content():
    from pathlib import Path

    from regulations.schema import parse_version
    from regulations.services.content import content_version_load
    from tests.regulations.content_factory import version_data

    for kwargs in ({}, {"version": "v2", "effective_from": "2025-01-01", "extra_rule": True}):
        data = version_data(**kwargs)
        obj = parse_version(data)
        content_version_load(
            path=Path(f"zz/{obj.version}.yaml"), version_obj=obj, sha256=obj.version.ljust(64, "0")
        )


def _system():
    from inventory.models import AISystem

    return AISystem.objects.create(
        name="Matrix screener",
        model_type="ml_classifier",
        roles=["deployer"],
        jurisdictions=["DE"],
        domains=["employment"],
        decision_role="sole",
    )


def content(users):
    _content()
    return {"code": "zz", "version": "v1"}


def system(users):
    return {"pk": _system().pk}


def classified(users):
    from regulations.services import classification_run

    _content()
    sys = _system()
    result = classification_run(system=sys)[0]
    return {"pk": sys.pk, "result": result.pk}


def override(users):
    from regulations.models import ClassificationResult
    from regulations.services import classification_override

    ctx = classified(users)
    result = ClassificationResult.objects.get(pk=ctx["result"])
    row = classification_override(
        actor=users["compliance_officer"],
        result=result,
        outcome_label="Minimal",
        risk_tier="minimal",
        high_risk=False,
        justification="Human review of all.",
    )
    return {"pk": row.pk, "result": result.pk}


def deadline(users):
    import datetime as dt

    from regulations.services import deadline_create

    row = deadline_create(
        actor=None, title="Matrix deadline", due_date=dt.date(2027, 1, 1), kind="statutory"
    )
    return {"pk": row.pk}


pk = lambda ctx: {"pk": ctx["pk"]}  # noqa: E731
ORG_FORM = {"name": "Matrix org", "org_kind": "private", "employees": 10, "annual_revenue_usd": 1,
            "consumers_personal_data": 0, "consumers_sensitive_data": 0,
            "revenue_share_from_selling_data": 0, "does_business_in": ["EU"]}  # fmt: skip

ROWS = [
    Row("regulations:regime-list", READ),
    Row("regulations:regime-list", READ, setup=content),
    Row("regulations:dashboard", READ),
    Row("regulations:dashboard", READ, setup=classified),
    Row("regulations:organisation", READ),
    Row("regulations:organisation", ADMIN_WRITE_DONE, method="post", data=ORG_FORM),
    Row(
        "regulations:version-detail",
        READ,
        setup=content,
        kwargs=lambda ctx: {"code": "zz", "version": "v1"},
    ),
    Row("regulations:version-diff", READ, setup=content, kwargs={"code": "zz"}),
    Row(
        "regulations:version-diff",
        READ,
        setup=content,
        kwargs={"code": "zz"},
        query="?from=v1&to=v2",
    ),
    Row("regulations:deadline-list", READ, setup=deadline),
    Row(
        "regulations:deadline-list",
        READ,
        setup=deadline,
        query="?status=upcoming&regime=zz&owner=none&system=org",
    ),
    Row("regulations:deadline-calendar", READ, setup=deadline, query="?month=2027-01"),
    Row(
        "regulations:deadline-complete",
        OFFICER_WRITE_DONE,
        method="post",
        setup=deadline,
        kwargs=pk,
        data={"evidence_url": "https://evidence.example/1", "note": "done"},
    ),
    Row("regulations:calendar-token", READ),
    Row("regulations:calendar-token", ANY_READER_POST, method="post", data={"action": "issue"}),
    Row("regulations:calendar-feed", NOT_FOUND, kwargs={"token": "not-a-valid-token"}),
    Row("regulations:system-panel", READ, setup=classified, kwargs=pk),
    Row(
        "regulations:system-classify",
        OFFICER_WRITE_DONE,
        method="post",
        setup=system,
        kwargs=pk,
        data={},
    ),
    Row(
        "regulations:system-override",
        OFFICER_WRITE_DONE,
        method="post",
        setup=classified,
        kwargs=pk,
        data=lambda ctx: {
            "result_id": ctx["result"],
            "outcome_label": "Minimal risk",
            "risk_tier": "minimal",
            "justification": "A recruiter reviews every ranking.",
        },
    ),
    Row(
        "regulations:system-override-form",
        expect(READ, procurement=403, auditor=403),
        setup=classified,
        kwargs=pk,
        data=lambda ctx: {"result": ctx["result"]},
    ),
    Row(
        "regulations:system-modification",
        OFFICER_WRITE_DONE,
        method="post",
        setup=classified,
        kwargs=pk,
        data={"description": "Retrained on 2026 data", "on": "2026-11-01"},
    ),
    Row(
        "regulations:override-withdraw",
        OFFICER_WRITE_DONE,
        method="post",
        setup=override,
        kwargs=pk,
        data={},
    ),
]

ROWS += [
    Row("api-regime-list", API_READ, setup=content),
    Row(
        "api-regime-version-detail", API_READ, setup=content, kwargs={"code": "zz", "version": "v2"}
    ),
    Row("api-result-list", API_READ, setup=classified, query="?current=1&regime=zz"),
    Row("api-deadline-list", API_READ, setup=deadline, query="?status=upcoming"),
    Row("api-system-classify", API_WRITE, method="post", setup=classified, kwargs=pk, data={}),
]
