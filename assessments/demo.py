"""Demo data: an approved FRIA (four-eyes), one in review, and a vendor with partial evidence.

Everything goes through the services, so the audit trail, hashes and deadlines are real.
Idempotent: existing assessments and checklists are left alone.
"""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments.answers import is_answered, template_sections
from assessments.models import Assessment, ChecklistItemStatus, VendorChecklist
from assessments.services import (
    answer_save,
    assessment_approve,
    assessment_start,
    assessment_submit,
    attachment_add,
    checklist_create,
    checklists_ensure,
    evidence_expiry_check,
    evidence_review,
    evidence_upload,
)
from inventory.models import AISystem
from regulations.selectors import templates_for_system

APPROVED_SYSTEM = "CreditLens credit scoring"
REVIEW_SYSTEM = "Life & health underwriting pricing model"
VENDOR_SYSTEM = "TalentMatch résumé screening"

DEMO_ANSWERS = {
    "fria-b-period": "From first deployment in 2028 for the life of the model version (reviewed yearly).",
    "fria-b-frequency": "Daily",
    "fria-b-start": "2028-01-10",
    "fria-c-groups": "<p>Applicants for personal loans and policies in Ireland, Germany and the Netherlands, "
    "including people with thin credit files and recent migrants.</p>",
    "fria-c-vulnerable": {
        "value": "yes",
        "explanation": "Young adults and recent migrants with little history.",
    },
    "fria-d-risks": "<ul><li>Indirect discrimination through postcode and employment-type proxies.</li>"
    "<li>Over-reliance on scores by underwriters.</li></ul>",
    "fria-e-oversight": "<p>Underwriters review every decline and any score near the cut-off; "
    "scores are advisory and can be overridden with a reason.</p>",
    "fria-f-measures": "<p>Drift and fairness monitoring monthly; automated scoring is suspended on an alert "
    "and the model risk committee decides on remediation.</p>",
    "fria-f-complaints": "<p>Applicants can contest a decision in the customer portal or by post; "
    "a human reviewer answers within 15 days.</p>",
    "fria-notify-date": "2027-12-15",
}


def _pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF (so demo evidence opens in any viewer)."""

    def esc(text: str) -> str:
        return (
            text.encode("latin-1", "replace")
            .decode("latin-1")
            .replace("\\", "\\\\")
            .replace("(", "\\(")
            .replace(")", "\\)")
        )

    body = ["BT /F1 16 Tf 72 760 Td (" + esc(title) + ") Tj ET"]
    for n, line in enumerate(lines):
        body.append(f"BT /F1 11 Tf 72 {730 - 16 * n} Td (" + esc(line) + ") Tj ET")
    stream = "\n".join(body).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def _value_for(question, section_title: str):
    short = question.id.rsplit(".", 1)[-1]
    if short in DEMO_ANSWERS:
        return DEMO_ANSWERS[short]
    if question.type in ("text", "richtext"):
        return f"Documented in the '{section_title}' working paper (demo)."
    if question.type == "choice":
        return question.choices[0][0] if question.choices else "n/a"
    if question.type == "multichoice":
        return [question.choices[0][0]] if question.choices else []
    if question.type == "date":
        return "2027-11-30"
    if question.type == "yesno":
        return {"value": "no", "explanation": "Not applicable to this deployment (demo)."}
    return None


def _fill(*, actor, assessment: Assessment) -> None:
    for section in template_sections(assessment.template):
        for question in section["questions"]:
            revision = assessment.revision()
            version = int(revision.answer_versions.get(question.id, 0))
            if is_answered(
                question, revision.answers.get(question.id), revision.attachments.get(question.id)
            ):
                continue
            if question.type == "file":
                upload = SimpleUploadedFile(
                    "provider-instructions-for-use.pdf",
                    _pdf(
                        "Instructions for use (Art 13)", ["Demo document supplied by the provider."]
                    ),
                )
                attachment_add(
                    actor=actor,
                    assessment=assessment,
                    question_id=question.id,
                    upload=upload,
                    base_version=version,
                )
                continue
            if not question.required and question.id.rsplit(".", 1)[-1] not in DEMO_ANSWERS:
                continue
            answer_save(
                actor=actor,
                assessment=assessment,
                question_id=question.id,
                raw=_value_for(question, section["title"]),
                base_version=version,
            )


def _fria_for(system):
    return next((t for t in templates_for_system(system) if t.key.endswith(".fria")), None)


def _assessment(*, system_name: str, author, approver, stdout) -> None:
    system = AISystem.objects.filter(name=system_name).first()
    template = _fria_for(system) if system else None
    if template is None:
        stdout.write(
            f"assessments: no FRIA offered for {system_name!r} (content or classification missing)."
        )
        return
    if Assessment.objects.filter(system=system, template=template).exists():
        return
    assessment = assessment_start(actor=author, system=system, template=template)
    _fill(actor=author, assessment=assessment)
    assessment_submit(actor=author, assessment=assessment)
    if approver is not None:
        revision = assessment_approve(actor=approver, assessment=assessment)
        stdout.write(
            f"assessments: FRIA for {system_name} approved by {approver} (sha256 {revision.approval_hash[:12]}…)."
        )
    else:
        stdout.write(
            f"assessments: FRIA for {system_name} submitted by {author}, waiting for review."
        )


def _vendor_evidence(*, buyer, officer, stdout) -> None:
    system = AISystem.objects.filter(name=VENDOR_SYSTEM).select_related("vendor").first()
    if system is None or system.vendor is None:
        return
    if VendorChecklist.objects.filter(vendor=system.vendor, system=system).exists():
        return
    checklist = checklist_create(actor=buyer, vendor=system.vendor, system=system)
    rows = list(
        checklist.items.select_related("item").order_by(
            "item__content_version__regime__code", "item__position"
        )
    )
    if len(rows) < 3:
        stdout.write(
            f"assessments: checklist for {system} has {len(rows)} item(s); no evidence seeded."
        )
        return
    today = timezone.localdate()
    *provided, missing = rows
    for n, row in enumerate(provided):
        title = row.item.title or row.item.key
        expiring = n == 0
        upload = SimpleUploadedFile(
            f"{system.vendor.name} - {title[:60]}.pdf".replace("/", "-"),
            _pdf(
                title, [f"Supplied by {system.vendor.name} for {system.name}.", row.item.citation]
            ),
        )
        evidence_upload(
            actor=buyer,
            item_status=row,
            upload=upload,
            effective_date=today - dt.timedelta(days=300),
            expiry_date=today + dt.timedelta(days=20)
            if expiring
            else today + dt.timedelta(days=700),
        )
        if n == 1:
            evidence_review(
                actor=officer,
                item_status=row,
                decision=ChecklistItemStatus.Status.REJECTED,
                reason="Metrics are not broken down by group; please send per-group results.",
            )
        elif n % 3 != 2:
            evidence_review(
                actor=officer, item_status=row, decision=ChecklistItemStatus.Status.ACCEPTED
            )
    counts = evidence_expiry_check()
    stdout.write(
        f"assessments: {system.vendor.name} checklist with {len(provided)} file(s), "
        f"1 missing ({missing.item.title or missing.item.key}), 1 expiring in 20 days "
        f"({counts['deadlines']} expiry deadline(s) created)."
    )


def seed(*, stdout) -> None:
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["officer", "officer2", "buyer"])
    }
    if len(users) < 3:
        stdout.write("assessments: demo users missing; skipped.")
        return
    _assessment(
        system_name=APPROVED_SYSTEM,
        author=users["officer"],
        approver=users["officer2"],
        stdout=stdout,
    )
    _assessment(system_name=REVIEW_SYSTEM, author=users["officer"], approver=None, stdout=stdout)
    _vendor_evidence(buyer=users["buyer"], officer=users["officer"], stdout=stdout)
    made = checklists_ensure(actor=users["buyer"])
    if made:
        stdout.write(f"assessments: {len(made)} more vendor checklist(s) where a regime asks.")
