"""Regime content rows (through the regulations models), systems and vendors for assessment tests."""

import datetime as dt

from assessments.services import answer_save
from inventory.models import AISystem, Vendor
from regulations.models import (
    AssessmentTemplate,
    ClassificationResult,
    ContentVersion,
    Obligation,
    VendorChecklistItem,
)
from tests.factories import AISystemFactory, VendorFactory
from tests.regulations.factories import ClassificationResultFactory, ContentVersionFactory

FRIA_SECTIONS = [
    {
        "id": "a",
        "title": "Processes and period of use",
        "questions": [
            {
                "id": "a.process",
                "text": "Describe the deployer's processes in which the system is used.",
                "type": "text",
                "required": True,
                "help": "",
                "citation": "Art 27(1)(a)",
                "choices": [],
                "prefill": "description",
            },
            {
                "id": "a.frequency",
                "text": "How often is it used?",
                "type": "choice",
                "required": True,
                "help": "",
                "citation": "Art 27(1)(b)",
                "choices": ["daily", "weekly", "monthly"],
                "prefill": None,
            },
            {
                "id": "a.start",
                "text": "First use date",
                "type": "date",
                "required": False,
                "help": "",
                "citation": "Art 27(1)(b)",
                "choices": [],
                "prefill": None,
            },
        ],
    },
    {
        "id": "c",
        "title": "Affected persons and risks",
        "questions": [
            {
                "id": "c.groups",
                "text": "Affected groups",
                "type": "multichoice",
                "required": True,
                "help": "",
                "citation": "Art 27(1)(c)",
                "choices": ["applicants", "employees", "customers"],
                "prefill": None,
            },
            {
                "id": "d.risks",
                "text": "Specific risks of harm",
                "type": "richtext",
                "required": False,
                "help": "",
                "citation": "Art 27(1)(d)",
                "choices": [],
                "prefill": None,
            },
            {
                "id": "e.oversight",
                "text": "Is there human oversight?",
                "type": "yesno",
                "required": True,
                "help": "",
                "citation": "Art 27(1)(e)",
                "choices": [],
                "prefill": "human_review",
            },
            {
                "id": "f.dpia",
                "text": "Attach the DPIA",
                "type": "file",
                "required": False,
                "help": "",
                "citation": "Art 27(4)",
                "choices": [],
                "prefill": None,
            },
        ],
    },
]

CHECKLIST = [
    ("eu.doc.instructions", "Instructions for use (Art 13)", "Art 13(3)"),
    ("eu.doc.accuracy", "Accuracy metrics and robustness", "Art 13(3)(b)(ii)"),
    ("eu.doc.doc", "EU declaration of conformity", "Art 47"),
]


def eu_content(version: str = "2026-08") -> ContentVersion:
    existing = ContentVersion.objects.filter(regime__code="eu", version=version).first()
    if existing:
        return existing
    cv = ContentVersionFactory(version=version, effective_from=None)
    AssessmentTemplate.objects.create(
        content_version=cv,
        key="eu.fria",
        title="Fundamental rights impact assessment (Art 27)",
        kind="assessment",
        status="current",
        citation="Art 27",
        sections=FRIA_SECTIONS,
    )
    Obligation.objects.create(
        content_version=cv,
        key="eu.deployer.fria",
        title="Carry out a FRIA",
        cadence="every:P2Y",
        assessment_template="eu.fria",
        data={"cadence": [{"kind": "periodic", "due": "every:P2Y"}]},  # as the loader stores it
    )
    for pos, (key, title, cite) in enumerate(CHECKLIST):
        VendorChecklistItem.objects.create(
            content_version=cv,
            key=key,
            title=title,
            citation=cite,
            position=pos,
            description=f"{title} as required by {cite}.",
            confidence="H",
        )
    return cv


def fria(cv: ContentVersion | None = None) -> AssessmentTemplate:
    cv = cv or eu_content()
    return cv.templates.get(key="eu.fria")


def vendor(name: str = "HireRank Inc.") -> Vendor:
    return VendorFactory(
        name=name, contact_name="Dana Vendor", contact_email="dana@hirerank.example"
    )


def system(*, vendor_obj: Vendor | None = None, name: str = "CV screener") -> AISystem:
    """An EU deployer's hiring system: the FRIA's prefilled questions read its facts."""
    return AISystemFactory(
        name=name,
        description="Ranks job applicants for recruiters.",
        vendor=vendor_obj,
        jurisdictions=["EU", "DE"],
        human_review=True,
    )


def classified_system() -> AISystem:
    """A vendor's high-risk system, classified under the EU content so the FRIA applies."""
    system_obj = system(vendor_obj=vendor())
    classify_high_risk(system_obj, eu_content())
    return system_obj


def fill_required(actor, assessment) -> None:
    """Answer the two required questions the prefill leaves open, so the FRIA can be submitted."""
    rev = assessment.revision()
    answer_save(
        actor=actor,
        assessment=assessment,
        question_id="a.frequency",
        raw="weekly",
        base_version=rev.answer_versions.get("a.frequency", 0),
    )
    answer_save(
        actor=actor,
        assessment=assessment,
        question_id="c.groups",
        raw=["applicants"],
        base_version=0,
    )


def classify_high_risk(system_obj: AISystem, cv: ContentVersion) -> ClassificationResult:
    """Store a result as the classifier would, so the selectors see the regime as applying."""
    return ClassificationResultFactory(
        system=system_obj,
        content_version=cv,
        inputs={"org": {}},
        evaluated_on=dt.date(2027, 12, 2),
        triggered_obligations=["eu.deployer.fria"],
        details={
            "templates": ["eu.fria"],
            "checklist_items": list(cv.checklist_items.values_list("key", flat=True)),
        },
    )


def load_real_content(*regimes: str) -> list[ContentVersion]:
    """Load the shipped regime YAML through the regulations loader (as `load_content` does)."""
    from pathlib import Path

    from django.conf import settings

    from regulations.services.content import content_validate, content_version_load

    root = Path(settings.BASE_DIR) / "regulations" / "content"
    paths = sorted(p for r in regimes for p in (root / r).glob("*.yaml"))
    parsed, errors = content_validate(paths)
    assert not errors, errors
    for path, version_obj, sha in parsed:
        content_version_load(path=path, version_obj=version_obj, sha256=sha)
    return list(ContentVersion.objects.filter(regime__code__in=regimes))


def credit_scorer(
    *, vendor_obj: Vendor | None = None, name: str = "Credit scoring engine"
) -> AISystem:
    """A high-risk Annex III 5(b) system (creditworthiness) deployed in the EU: the FRIA applies."""
    from regulations.services import classification_run

    system_obj = AISystemFactory(
        name=name,
        description="Scores the creditworthiness of consumer loan applicants.",
        vendor=vendor_obj or vendor("ScoreWise GmbH"),
        jurisdictions=["EU", "DE"],
        domains=["lending_financial"],
        human_review=True,
        consumer_facing=True,
        data_categories=["financial", "identifiers"],
        profiling=True,
    )
    classification_run(system=system_obj)
    return system_obj
