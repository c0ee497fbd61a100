"""Reads for assessments and vendor evidence, shared by the HTML views, panels and the API."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import nh3
from django.db.models import Prefetch, Q, QuerySet
from django.utils.safestring import mark_safe

from assessments.answers import (
    RICH_ATTRIBUTES,
    RICH_TAGS,
    Question,
    canonical_hash,
    display_value,
    is_answered,
    template_sections,
)
from assessments.filters import AssessmentFilter, VendorChecklistFilter
from assessments.models import (
    Assessment,
    AssessmentRevision,
    ChecklistItemStatus,
    EvidenceFile,
    QuestionComment,
    VendorChecklist,
)
from assessments.worddiff import word_diff


def assessment_list(*, filters: Mapping[str, str] | None = None) -> QuerySet[Assessment]:
    qs = Assessment.objects.select_related(
        "system", "template__content_version__regime", "submitted_by"
    )
    return AssessmentFilter(filters or {}, queryset=qs).qs


def system_last_approval(*, system) -> dt.datetime | None:
    """When any of the system's assessments was last approved: regulations anchors reviews on it."""
    return (
        AssessmentRevision.objects.filter(assessment__system=system, approved_at__isnull=False)
        .order_by("-approved_at")
        .values_list("approved_at", flat=True)
        .first()
    )


def revision_get(*, assessment: Assessment, number: int) -> AssessmentRevision:
    return AssessmentRevision.objects.select_related("approved_by", "submitted_by").get(
        assessment=assessment, number=number
    )


@dataclass
class QuestionRow:
    """Everything the form needs to draw one question."""

    question: Question
    value: Any
    attachments: list
    version: int
    meta: dict
    comments: list = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return is_answered(self.question, self.value, self.attachments)

    @property
    def prefilled(self) -> bool:
        return bool(self.meta.get("prefilled"))

    @property
    def display(self) -> str:
        return display_value(self.question, self.value, self.attachments)

    @property
    def yesno(self) -> str:
        return (self.value or {}).get("value", "") if self.question.type == "yesno" else ""

    @property
    def explanation(self) -> str:
        return (self.value or {}).get("explanation", "") if self.question.type == "yesno" else ""

    @property
    def selected(self) -> list:
        if self.question.type == "multichoice":
            return list(self.value or [])
        return [self.value] if self.value else []


def section_progress(rows: list[QuestionRow]) -> dict[str, int]:
    answered = sum(1 for r in rows if r.answered)
    required = [r for r in rows if r.question.required_to_submit]
    return {
        "answered": answered,
        "total": len(rows),
        "required_missing": sum(1 for r in required if not r.answered),
        "percent": round(100 * answered / len(rows)) if rows else 100,
    }


def question_row(*, assessment: Assessment, revision: AssessmentRevision, question: Question):
    comments = list(
        QuestionComment.objects.filter(assessment=assessment, question_id=question.id)
        .select_related("author")
        .order_by("created_at")
    )
    return _row(question, revision, comments)


def _row(question: Question, revision: AssessmentRevision, comments: list) -> QuestionRow:
    return QuestionRow(
        question=question,
        value=revision.answers.get(question.id),
        attachments=list(revision.attachments.get(question.id, [])),
        version=int(revision.answer_versions.get(question.id, 0)),
        meta=revision.answer_meta.get(question.id, {}),
        comments=comments,
    )


def assessment_form(*, assessment: Assessment, revision: AssessmentRevision) -> list[dict]:
    """Sections with their question rows and progress, in template order."""
    by_question: dict[str, list] = defaultdict(list)
    for comment in QuestionComment.objects.filter(assessment=assessment).select_related("author"):
        by_question[comment.question_id].append(comment)
    sections = []
    for section in template_sections(assessment.template):
        rows = [_row(q, revision, by_question[q.id]) for q in section["questions"]]
        sections.append({**section, "rows": rows, "progress": section_progress(rows)})
    return sections


def revision_hash(revision: AssessmentRevision) -> str:
    return canonical_hash(
        answers=revision.answers,
        attachments=revision.attachments,
        template_version=revision.template_version,
    )


def revision_verify(revision: AssessmentRevision) -> str:
    """'verified' when the stored answers still hash to the approval hash, else 'changed'."""
    if not revision.approval_hash:
        return "unapproved"
    return "verified" if revision_hash(revision) == revision.approval_hash else "changed"


def revision_diff(
    *, assessment: Assessment, old: AssessmentRevision, new: AssessmentRevision
) -> list[dict]:
    """Side-by-side rows per question, flagged when the displayed answer differs."""
    rows = []
    for section in template_sections(assessment.template):
        for q in section["questions"]:
            before = display_value(q, old.answers.get(q.id), old.attachments.get(q.id))
            after = display_value(q, new.answers.get(q.id), new.attachments.get(q.id))
            old_parts, new_parts = word_diff(before, after) if before != after else ([], [])
            rows.append(
                {
                    "section": section["title"],
                    "question": q,
                    "old": before,
                    "new": after,
                    "changed": before != after,
                    "old_parts": old_parts,
                    "new_parts": new_parts,
                }
            )
    return rows


# --- Vendor evidence -------------------------------------------------------------------------


def checklist_list(
    *,
    filters: Mapping[str, str] | None = None,
    items: QuerySet[ChecklistItemStatus] | None = None,
) -> QuerySet[VendorChecklist]:
    """`items` are the prefetched item rows; the scorecard needs only their status."""
    if items is None:
        items = ChecklistItemStatus.objects.only("id", "status", "checklist_id")
    qs = VendorChecklist.objects.select_related("vendor", "system").prefetch_related(
        Prefetch("items", queryset=items)
    )
    return VendorChecklistFilter(filters or {}, queryset=qs).qs


def evidence_file_list() -> QuerySet[EvidenceFile]:
    return EvidenceFile.objects.select_related("uploaded_by", "checklist_item")


def checklist_rows(checklist: VendorChecklist) -> list[ChecklistItemStatus]:
    return list(
        checklist.items.select_related(
            "item__content_version__regime", "current_file__uploaded_by", "reviewed_by"
        ).order_by("item__content_version__regime__code", "item__position", "pk")
    )


def evidence_versions(item_status: ChecklistItemStatus) -> list[EvidenceFile]:
    return list(item_status.files.select_related("uploaded_by").order_by("-version"))


def completeness(statuses) -> dict[str, int]:
    """Share of items with accepted evidence (provided-but-unreviewed is counted separately)."""
    counts: dict[str, int] = defaultdict(int)
    for row in statuses:
        counts[row.status] += 1
    total = sum(counts.values())
    accepted = counts[ChecklistItemStatus.Status.ACCEPTED]
    return {
        "total": total,
        "accepted": accepted,
        "pending": counts[ChecklistItemStatus.Status.PROVIDED]
        + counts[ChecklistItemStatus.Status.UNDER_REVIEW],
        "missing": counts[ChecklistItemStatus.Status.MISSING],
        "rejected": counts[ChecklistItemStatus.Status.REJECTED],
        "expired": counts[ChecklistItemStatus.Status.EXPIRED],
        "percent": round(100 * accepted / total) if total else 0,
    }


def vendor_scorecard() -> dict:
    """Per vendor: overall completeness and one cell per regime code."""
    rows = ChecklistItemStatus.objects.select_related(
        "checklist__vendor", "item__content_version__regime"
    ).order_by("checklist__vendor__name")
    grouped: dict[int, dict] = {}
    for row in rows:
        vendor = row.checklist.vendor
        entry = grouped.setdefault(
            vendor.pk, {"vendor": vendor, "all": [], "regimes": defaultdict(list)}
        )
        entry["all"].append(row)
        entry["regimes"][row.item.content_version.regime.code].append(row)
    regimes = sorted({code for e in grouped.values() for code in e["regimes"]})
    table = []
    for entry in grouped.values():
        cells = [
            completeness(entry["regimes"][code]) if code in entry["regimes"] else None
            for code in regimes
        ]
        table.append(
            {"vendor": entry["vendor"], "overall": completeness(entry["all"]), "cells": cells}
        )
    return {"regimes": regimes, "rows": table}


REQUEST_STATUSES = (
    ChecklistItemStatus.Status.MISSING,
    ChecklistItemStatus.Status.REJECTED,
    ChecklistItemStatus.Status.EXPIRED,
)


def checklist_request_text(*, checklist: VendorChecklist, sender_name: str = "") -> str:
    """A ready-to-send e-mail asking the vendor for what is missing, rejected or expired."""
    rows = [r for r in checklist_rows(checklist) if r.status in REQUEST_STATUSES]
    vendor = checklist.vendor
    greeting = (
        f"Dear {vendor.contact_name}," if vendor.contact_name else f"Dear {vendor.name} team,"
    )
    lines = [
        f"To: {vendor.contact_email or '(vendor contact e-mail)'}",
        f"Subject: Documentation request for {checklist.system.name}",
        "",
        greeting,
        "",
        f"As a deployer of {checklist.system.name}, we are required to keep documentation from "
        f"you as its developer/provider. We are still missing the following {len(rows)} item(s):",
        "",
    ]
    for n, row in enumerate(rows, 1):
        title = row.item.title or row.item.key
        cite = f" [{row.item.citation}]" if row.item.citation else ""
        lines.append(f"{n}. {title}{cite}")
        if row.item.description:
            lines.append(f"   {row.item.description.strip()}")
        if row.status == ChecklistItemStatus.Status.REJECTED:
            lines.append(f"   We could not accept the document you sent: {row.reason}")
        if row.status == ChecklistItemStatus.Status.EXPIRED and row.current_file:
            lines.append(
                f"   The version we hold expired on {row.current_file.expiry_date:%Y-%m-%d}; "
                "please send the current one."
            )
        lines.append("")
    lines += [
        "Please reply with the documents (PDF, DOCX, XLSX, PNG, JPG, TXT, MD, CSV or JSON) and, "
        "where they expire, the date until which each is valid. If any item is withheld as a "
        "trade secret, please say so for that item.",
        "",
        "Kind regards,",
        sender_name or "Compliance team",
    ]
    if not rows:
        return "Nothing is missing: every item has a provided or accepted document."
    return "\n".join(lines)


# --- As of a date: what an evidence pack shows for its period --------------------------------


def revision_list_approved_before(
    *, system_ids: list[int], before: dt.datetime, regime_code: str = ""
) -> QuerySet[AssessmentRevision]:
    """Approved revisions, newest first per assessment, so the first one seen is the one in force."""
    qs = (
        AssessmentRevision.objects.filter(
            assessment__system_id__in=system_ids, approved_at__isnull=False, approved_at__lt=before
        )
        .select_related(
            "assessment__template__content_version__regime", "approved_by", "assessment__system"
        )
        .order_by("assessment_id", "-number")
    )
    if regime_code:
        qs = qs.filter(assessment__template__content_version__regime__code=regime_code)
    return qs


def revision_sections(revision: AssessmentRevision) -> list[dict]:
    """Every question of the template with its answer as text, rich text re-sanitised for print."""
    sections = []
    for section in template_sections(revision.assessment.template):
        questions = []
        for q in section["questions"]:
            value = (revision.answers or {}).get(q.id)
            files = (revision.attachments or {}).get(q.id) or []
            row = {"text": q.text, "citation": q.citation, "answer": "", "answer_html": ""}
            if q.type == "richtext" and value:
                cleaned = nh3.clean(str(value), tags=RICH_TAGS, attributes=RICH_ATTRIBUTES)
                row["answer_html"] = mark_safe(cleaned)  # sanitised by nh3 just above
            else:
                row["answer"] = display_value(q, value, files)
            questions.append(row)
        sections.append({"title": section["title"], "questions": questions})
    return sections


def evidence_file_list_before(
    *, system_ids: list[int], vendor_ids: set[int], before: dt.datetime, regime_code: str = ""
) -> QuerySet[EvidenceFile]:
    """Files uploaded before `before` for the systems, or for their vendors in general."""
    qs = (
        EvidenceFile.objects.filter(uploaded_at__lt=before)
        .filter(Q(system_id__in=system_ids) | Q(system__isnull=True, vendor_id__in=vendor_ids))
        .select_related(
            "vendor",
            "system",
            "checklist_item__content_version__regime",
            "uploaded_by",
            "item_status",
        )
        .order_by("vendor__name", "checklist_item__title", "name", "version", "pk")
    )
    if regime_code:
        qs = qs.filter(
            Q(checklist_item__isnull=True)
            | Q(checklist_item__content_version__regime__code=regime_code)
        )
    return qs


def evidence_file_superseded_ids() -> set[int]:
    return set(
        EvidenceFile.objects.filter(supersedes__isnull=False).values_list(
            "supersedes_id", flat=True
        )
    )


def evidence_file_status_pairs(
    *, system_ids: list[int], before: dt.datetime
) -> list[tuple[int, int]]:
    """(file id, checklist item status id) for files uploaded to the systems' checklists."""
    return list(
        EvidenceFile.objects.filter(
            item_status__checklist__system_id__in=system_ids, uploaded_at__lt=before
        ).values_list("pk", "item_status_id")
    )


def checklist_status_list(
    *, system_ids: list[int], regime_code: str = ""
) -> QuerySet[ChecklistItemStatus]:
    qs = ChecklistItemStatus.objects.filter(checklist__system_id__in=system_ids).select_related(
        "checklist", "item__content_version__regime", "current_file"
    )
    if regime_code:
        qs = qs.filter(item__content_version__regime__code=regime_code)
    return qs.order_by("checklist_id", "item__position", "pk")


@dataclass
class MissingAssessment:
    """A template a system's current classification calls for, with no assessment of it yet."""

    system: Any
    template: Any
    why: str


def required_missing(*, system_id: int | None = None) -> list[MissingAssessment]:
    """Per classified system (not retired, not "Needs facts"): the templates its current results'
    triggered obligations call for that it has no assessment of yet (any version of the same
    template counts as started). Five queries, however many systems and regimes."""
    from inventory.models import AISystem
    from regulations.models import AssessmentTemplate, ClassificationResult, Obligation

    results = ClassificationResult.objects.exclude(
        system__lifecycle=AISystem.Lifecycle.RETIRED
    ).exclude(system__in=AISystem.objects.filter(AISystem.needs_facts_q()).values("pk"))
    if system_id is not None:
        results = results.filter(system_id=system_id)
    latest: dict[tuple[int, int], dict] = {}
    for row in results.order_by("system_id", "regime_id", "-computed_at", "-pk").values(
        "system_id",
        "regime_id",
        "content_version_id",
        "applies",
        "outcome_label",
        "triggered_obligations",
        "details__templates",
    ):
        latest.setdefault((row["system_id"], row["regime_id"]), row)
    wanted = [r for r in latest.values() if r["applies"] and r["details__templates"]]
    if not wanted:
        return []
    versions = {r["content_version_id"] for r in wanted}
    keys = {key for r in wanted for key in r["details__templates"]}
    templates = {
        (t.content_version_id, t.key): t
        for t in AssessmentTemplate.objects.filter(content_version__in=versions, key__in=keys)
        .select_related("content_version__regime")
        .defer("data", "sections", "content_version__data")
    }
    reasons: dict[tuple[int, str], list[Obligation]] = defaultdict(list)
    for ob in Obligation.objects.filter(
        content_version__in=versions, assessment_template__in=keys
    ).only("content_version_id", "key", "title", "citation", "assessment_template"):
        reasons[(ob.content_version_id, ob.assessment_template)].append(ob)
    system_ids = {r["system_id"] for r in wanted}
    started = set(
        Assessment.objects.filter(system_id__in=system_ids).values_list(
            "system_id", "template__content_version__regime_id", "template__key"
        )
    )
    systems = AISystem.objects.only("id", "name").in_bulk(system_ids)
    out: list[MissingAssessment] = []
    seen: set[tuple[int, int]] = set()
    for row in wanted:
        for key in row["details__templates"]:
            template = templates.get((row["content_version_id"], key))
            if template is None or (row["system_id"], template.pk) in seen:
                continue
            if (row["system_id"], row["regime_id"], key) in started:
                continue
            seen.add((row["system_id"], template.pk))
            triggered = set(row["triggered_obligations"] or [])
            duties = [
                f"{ob.title} ({ob.citation})" if ob.citation else ob.title
                for ob in reasons[(row["content_version_id"], key)]
                if ob.key in triggered
            ]
            why = "; ".join(duties) or "called for by a triggered obligation"
            if row["outcome_label"]:
                why = f"{row['outcome_label']}: {why}"
            out.append(MissingAssessment(systems[row["system_id"]], template, why))
    out.sort(key=lambda m: (m.system.name.lower(), m.system.pk, m.template.title))
    return out
