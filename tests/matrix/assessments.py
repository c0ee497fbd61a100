"""Role matrix for assessments and vendor evidence (HTML and API)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.matrix.common import API_READ, READ, Row, expect

DENY = {"anonymous": 302, "norole": 403, "compliance_officer": 403, "procurement": 403,
        "auditor": 403, "admin": 403}  # fmt: skip
OFFICER_WRITE = expect(DENY, compliance_officer=200, admin=200)
OFFICER_REDIRECT = expect(DENY, compliance_officer=302, admin=302)
BUYER_REDIRECT = expect(DENY, procurement=302, admin=302)
CHECKLIST_REDIRECT = expect(DENY, compliance_officer=302, procurement=302, admin=302)
API_DENY = dict.fromkeys(DENY, 403)


def _pdf():
    from tests.assessments.samples import PDF

    return SimpleUploadedFile("evidence.pdf", PDF, content_type="application/pdf")


def draft(users, officer=None):
    from assessments.services import assessment_start, attachment_add
    from tests.assessments import factories

    officer = officer or users["compliance_officer"]
    system = factories.classified_system()
    assessment = assessment_start(actor=officer, system=system, template=factories.fria())
    attachment_add(
        actor=officer, assessment=assessment, question_id="f.dpia", upload=_pdf(), base_version=0
    )
    sha = assessment.revision().attachments["f.dpia"][0]["sha256"]
    return {
        "pk": assessment.pk,
        "sha": sha,
        "system": system.pk,
        "template": assessment.template_id,
        "vendor": system.vendor_id,
    }


def in_review(users):
    """Written and submitted by a third officer, so both the officer and the admin may approve."""
    from assessments.models import Assessment
    from assessments.services import assessment_submit
    from core.roles import Role
    from tests.assessments import factories
    from tests.conftest import make_user

    author = make_user("author", Role.COMPLIANCE_OFFICER)
    ctx = draft(users, officer=author)
    assessment = Assessment.objects.get(pk=ctx["pk"])
    factories.fill_required(author, assessment)
    assessment_submit(actor=author, assessment=assessment)
    return ctx


def approved(users):
    from assessments.models import Assessment
    from assessments.services import assessment_approve

    ctx = in_review(users)
    assessment_approve(actor=users["admin"], assessment=Assessment.objects.get(pk=ctx["pk"]))
    return ctx


def fresh_system(users):
    from tests.assessments import factories

    system = factories.classified_system()
    return {"system": system.pk, "template": factories.fria().pk, "vendor": system.vendor_id}


def checklist(users):
    from assessments.services import checklist_create, evidence_upload
    from inventory.models import AISystem, Vendor

    ctx = fresh_system(users)
    buyer = users["procurement"]
    checklist = checklist_create(
        actor=buyer,
        vendor=Vendor.objects.get(pk=ctx["vendor"]),
        system=AISystem.objects.get(pk=ctx["system"]),
    )
    row = checklist.items.order_by("pk").first()
    evidence = evidence_upload(actor=buyer, item_status=row, upload=_pdf())
    return {**ctx, "checklist": checklist.pk, "item": row.pk, "file": evidence.pk}


def pk(ctx):
    return {"pk": ctx["pk"]}


def commented(users):
    from assessments.models import Assessment
    from assessments.services import comment_add

    ctx = draft(users)
    comment = comment_add(
        actor=users["admin"],
        assessment=Assessment.objects.get(pk=ctx["pk"]),
        question_id="a.process",
        body="Cite the DPIA",
    )
    return {**ctx, "comment_pk": comment.pk}


def q(name):
    return lambda ctx: {"pk": ctx["pk"], "qid": name}


ROWS = [
    Row("assessments:assessment-list", READ, setup=draft),
    Row(
        "assessments:assessment-start",
        OFFICER_REDIRECT,
        method="post",
        setup=fresh_system,
        data=lambda ctx: {"system": ctx["system"], "template": ctx["template"]},
    ),
    Row("assessments:assessment-detail", READ, setup=draft, kwargs=pk),
    Row(
        "assessments:answer-save",
        OFFICER_WRITE,
        method="post",
        setup=draft,
        kwargs=q("a.process"),
        data={"value": "Screening applicants", "base_version": "1"},
    ),
    Row("assessments:answer-field", READ, setup=draft, kwargs=q("a.process")),
    Row(
        "assessments:attachment-add",
        OFFICER_WRITE,
        method="post",
        setup=draft,
        kwargs=q("f.dpia"),
        data={"base_version": "1"},
    ),
    Row(
        "assessments:attachment-remove",
        OFFICER_WRITE,
        method="post",
        setup=draft,
        kwargs=q("f.dpia"),
        data=lambda ctx: {"sha256": ctx["sha"], "base_version": "1"},
    ),
    Row(
        "assessments:attachment-download",
        READ,
        setup=draft,
        kwargs=lambda ctx: {"pk": ctx["pk"], "sha256": ctx["sha"]},
    ),
    Row(
        "assessments:comment-add",
        OFFICER_WRITE,
        method="post",
        setup=draft,
        kwargs=q("a.process"),
        data={"body": "Please cite the DPIA"},
    ),
    Row(
        "assessments:revision-start",
        OFFICER_REDIRECT,
        method="post",
        setup=approved,
        kwargs=pk,
        data={},
    ),
    Row(
        "assessments:comment-resolve",
        OFFICER_REDIRECT,
        method="post",
        setup=commented,
        kwargs=lambda ctx: {"pk": ctx["pk"], "comment_pk": ctx["comment_pk"]},
        data={},
    ),
    Row(
        "assessments:assessment-submit",
        OFFICER_WRITE,
        method="post",
        setup=draft,
        kwargs=pk,
        data={},
    ),
    Row(
        "assessments:assessment-approve",
        OFFICER_REDIRECT,
        method="post",
        setup=in_review,
        kwargs=pk,
        data={},
    ),
    Row(
        "assessments:assessment-return",
        OFFICER_REDIRECT,
        method="post",
        setup=in_review,
        kwargs=pk,
        data={"reason": "Add complaints handling"},
    ),
    Row("assessments:revision-list", READ, setup=draft, kwargs=pk),
    Row(
        "assessments:revision-detail",
        READ,
        setup=draft,
        kwargs=lambda ctx: {"pk": ctx["pk"], "number": 1},
    ),
    Row("assessments:checklist-list", READ, setup=checklist),
    Row(
        "assessments:checklist-create",
        CHECKLIST_REDIRECT,
        method="post",
        setup=fresh_system,
        data=lambda ctx: {"system": ctx["system"]},
    ),
    Row(
        "assessments:checklist-detail",
        READ,
        setup=checklist,
        kwargs=lambda ctx: {"pk": ctx["checklist"]},
    ),
    Row(
        "assessments:checklist-sync",
        CHECKLIST_REDIRECT,
        method="post",
        setup=checklist,
        kwargs=lambda ctx: {"pk": ctx["checklist"]},
        data={},
    ),
    Row(
        "assessments:checklist-request",
        READ,
        setup=checklist,
        kwargs=lambda ctx: {"pk": ctx["checklist"]},
    ),
    Row(
        "assessments:evidence-upload",
        BUYER_REDIRECT,
        method="post",
        setup=checklist,
        kwargs=lambda ctx: {"pk": ctx["item"]},
        data=lambda ctx: {"file": _pdf()},
    ),
    Row(
        "assessments:evidence-review",
        OFFICER_REDIRECT,
        method="post",
        setup=checklist,
        kwargs=lambda ctx: {"pk": ctx["item"]},
        data={"decision": "accepted"},
    ),
    Row(
        "assessments:evidence-download",
        READ,
        setup=checklist,
        kwargs=lambda ctx: {"pk": ctx["file"]},
    ),
    # API
    Row("api-assessment-list", API_READ, setup=draft),
    Row("api-assessment-detail", API_READ, setup=draft, kwargs=pk),
    Row(
        "api-assessment-answer",
        expect(API_DENY, compliance_officer=200, admin=200),
        method="post",
        setup=draft,
        kwargs=pk,
        content_type="application/json",
        data={"question_id": "a.process", "value": "Screening", "base_version": 1},
    ),
    Row(
        "api-assessment-transition",
        expect(API_DENY, compliance_officer=200, admin=200),
        method="post",
        setup=in_review,
        kwargs=pk,
        content_type="application/json",
        data={"action": "approve", "attest": True},
    ),
    Row("api-checklist-list", API_READ, setup=checklist),
    Row("api-evidence-list", API_READ, setup=checklist),
    Row(
        "api-evidence-list",
        expect(API_DENY, procurement=201, admin=201),
        method="post",
        setup=checklist,
        data=lambda ctx: {"item_status": ctx["item"], "file": _pdf()},
    ),
    Row("api-evidence-detail", API_READ, setup=checklist, kwargs=lambda ctx: {"pk": ctx["file"]}),
]
