"""A small but complete world (every app's rows) for pack tests and the pack benchmark."""

import datetime as dt
import io
import os

from assessments.answers import canonical_hash, template_version_label
from assessments.models import (
    Assessment,
    AssessmentRevision,
    ChecklistItemStatus,
    EvidenceFile,
    VendorChecklist,
)
from core.audit import audit_record
from core.storage import store_blob
from inventory.models import Vendor
from regulations.models import (
    AssessmentTemplate,
    ManualOverride,
    Obligation,
    Organisation,
    VendorChecklistItem,
)
from tests.discovery.factories import (
    CatalogAppFactory,
    CatalogVersionFactory,
    DiscoveredAppFactory,
    FindingFactory,
    UsageRollupFactory,
)
from tests.factories import AISystemFactory, VendorFactory
from tests.regulations.factories import (
    ClassificationResultFactory,
    ContentVersionFactory,
    DeadlineFactory,
    RegimeFactory,
)

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
SECTIONS = [
    {
        "id": "purpose",
        "title": "Purpose and context",
        "questions": [
            {
                "id": "purpose.use",
                "text": "Describe the intended purpose of the system.",
                "type": "text",
                "citation": "Art. 27(1)(a)",
            },
            {
                "id": "purpose.rich",
                "text": "Which groups of persons are affected?",
                "type": "richtext",
                "citation": "Art. 27(1)(c)",
            },
            {"id": "purpose.human", "text": "Is there human oversight?", "type": "yesno"},
        ],
    },
    {
        "id": "risks",
        "title": "Risks of harm",
        "questions": [
            {
                "id": "risks.list",
                "text": "What specific risks of harm are likely?",
                "type": "text",
                "citation": "Art. 27(1)(d)",
            },
        ],
    },
]
RATIONALE = [
    {
        "rule_id": "eu.v1.annex3.employment",
        "met": True,
        "deciding_fact": "domains contains employment",
        "citation": "Regulation (EU) 2024/1689, Annex III point 4(a)",
        "url": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
        "confidence": "H",
        "explanation": "Recruitment and selection of natural persons, in particular to filter applications.",
    },
    {
        "rule_id": "eu.v1.art6-3.exception",
        "met": False,
        "deciding_fact": "art6_3_claim is false",
        "citation": "Art. 6(3)",
        "url": "",
        "confidence": "M",
        "explanation": "No claim that the system does not materially influence outcomes.",
    },
]


def make_content():
    regime = RegimeFactory(code="eu", name="EU AI Act")
    cv = ContentVersionFactory(
        regime=regime, version="2026-test", sha256="ab" * 32, data={"regime_name": "EU AI Act"}
    )
    obligation, _ = Obligation.objects.get_or_create(
        content_version=cv,
        key="eu.fria",
        defaults={
            "title": "Fundamental rights impact assessment",
            "citation": "Art. 27",
            "assessment_template": "eu.fria",
        },
    )
    template, _ = AssessmentTemplate.objects.get_or_create(
        content_version=cv,
        key="eu.fria",
        defaults={
            "title": "EU FRIA",
            "kind": "assessment",
            "status": "current",
            "citation": "Art. 27",
            "sections": SECTIONS,
        },
    )
    item, _ = VendorChecklistItem.objects.get_or_create(
        content_version=cv,
        key="eu.tech-doc",
        defaults={
            "title": "Technical documentation (Annex IV)",
            "citation": "Art. 11",
            "confidence": "H",
        },
    )
    Organisation.objects.update_or_create(
        pk=1, defaults={"name": "Example Corp", "employees": 1200, "does_business_in": ["EU", "CO"]}
    )
    return {
        "regime": regime,
        "cv": cv,
        "obligation": obligation,
        "template": template,
        "item": item,
    }


def make_system(
    *,
    actor,
    content,
    n: int,
    vendor: Vendor | None,
    files: int = 1,
    missing: bool = False,
    file_bytes: int = 0,
):
    """One system with a classification, override, deadline, approved assessment, checklist and files."""
    system = AISystemFactory(
        name=f"System {n:03d} screening assistant",
        description="",
        vendor=vendor,
        owner=actor,
        team="People Operations",
        jurisdictions=["DE"],
        decision_role="none",
    )
    audit_record(actor=actor, action="system.create", target=system)
    result = ClassificationResultFactory(
        system=system,
        content_version=content["cv"],
        inputs_hash="cd" * 32,
        evaluated_on=NOW.date(),
        outcome="eu.high_risk.annex3_4",
        outcome_label="High-risk (Annex III point 4: employment)",
        triggered_obligations=["eu.fria"],
        rationale=RATIONALE,
        computed_at=NOW - dt.timedelta(days=30),
    )
    if n % 3 == 0:
        override = ManualOverride.objects.create(
            system=system,
            regime=content["regime"],
            result=result,
            outcome_label="Not high-risk",
            risk_tier="minimal",
            justification="Only used to de-duplicate applications; no ranking.",
            created_by=actor,
        )
        ManualOverride.objects.filter(pk=override.pk).update(created_at=NOW - dt.timedelta(days=5))
    DeadlineFactory(
        title="Complete the FRIA before first use",
        due_date=dt.date(2026, 8, 2),
        system=system,
        regime_code="eu",
        obligation_key="eu.fria",
    )
    template = content["template"]
    answers = {
        "purpose.use": "Ranks applications for engineering roles " + "x" * 40,
        "purpose.rich": "<p>Applicants in <strong>Germany</strong></p>",
        "purpose.human": {"value": "yes", "explanation": "Recruiters review every shortlist."},
        "risks.list": "Indirect discrimination by age proxies.",
    }
    version = template_version_label(template)
    assessment = Assessment.objects.create(
        system=system, template=template, state="approved", created_by=actor
    )
    AssessmentRevision.objects.create(
        assessment=assessment,
        number=1,
        answers=answers,
        template_version=version,
        created_by=actor,
        approval_hash=canonical_hash(answers=answers, attachments={}, template_version=version),
        approved_by=actor,
        approved_at=NOW - dt.timedelta(days=10),
    )
    if vendor is None:
        return system
    checklist = VendorChecklist.objects.create(vendor=vendor, system=system, created_by=actor)
    status = ChecklistItemStatus.objects.create(
        checklist=checklist, item=content["item"], status="accepted"
    )
    for i in range(files):
        payload = (
            os.urandom(file_bytes)
            if file_bytes
            else f"Technical documentation of system {n} part {i}\n".encode() * 200
        )
        blob = store_blob(fileobj=io.BytesIO(payload), max_bytes=10**8)
        sha = blob.sha256
        if missing and i == 0:
            sha = f"{n:04d}" + "e" * 60  # recorded, but the bytes were never stored
        EvidenceFile.objects.create(
            vendor=vendor,
            system=system,
            checklist_item=content["item"],
            item_status=status,
            name=f"annex-iv-{n}-{i}.txt",
            content_type="text/plain",
            kind="text",
            size=len(payload),
            sha256=sha,
            uploaded_by=actor,
            uploaded_at=NOW - dt.timedelta(days=20),
            effective_date=dt.date(2026, 1, 1),
            expiry_date=dt.date(2027, 1, 1),
        )
    return system


def make_discovery(systems):
    cat = CatalogVersionFactory(version="test-1", sha256="ef" * 32, file_name="test.yaml")
    apps = [
        ("chatgpt", "ChatGPT", "OpenAI"),
        ("claude", "Claude", "Anthropic"),
        ("deepseek", "DeepSeek", "DeepSeek"),
    ]
    for key, name, vendor in apps:
        CatalogAppFactory(version=cat, key=key, name=name, vendor=vendor)
    first = NOW - dt.timedelta(days=40)
    DiscoveredAppFactory(
        app_key="chatgpt", name="ChatGPT", first_seen=first, last_seen=NOW, system=systems[0]
    )
    DiscoveredAppFactory(
        app_key="deepseek", name="DeepSeek", first_seen=NOW - dt.timedelta(days=5), last_seen=NOW
    )
    for day in range(30):
        d = (NOW - dt.timedelta(days=day)).date()
        for key, reqs in (("chatgpt", 400), ("claude", 90), ("deepseek", 30)):
            UsageRollupFactory(
                app_key=key,
                identity=f"user{day % 4}",
                day=d,
                requests=reqs + day,
                bytes_up=1000,
                bytes_down=5000,
                first_seen=NOW - dt.timedelta(days=day),
            )
    FindingFactory(
        title="DeepSeek used without a sanctioned system",
        dedupe_key="unsanctioned:deepseek",
        app_key="deepseek",
        first_seen=first,
        last_seen=NOW,
    )
    FindingFactory(
        kind="llmjacking",
        severity="critical",
        title="Bedrock InvokeModel from unknown principal in 3 regions",
        dedupe_key="llmjacking:1",
        principal="arn:aws:iam::123456789012:user/ci-bot",
        source_ip="203.0.113.9",
        region="us-east-1, eu-west-1",
        first_seen=first,
        last_seen=NOW,
    )
    FindingFactory(
        kind="new_app",
        severity="low",
        title="ChatGPT seen for the first time",
        dedupe_key="new:chatgpt",
        app_key="chatgpt",
        first_seen=first,
        last_seen=first,
        state="sanctioned",
        system=systems[0],
    )


def make_world(*, actor, systems: int = 4, files_per_system: int = 2, with_missing: bool = True):
    content = make_content()
    vendor = VendorFactory(name="HireLogic Inc.", website="")
    made = []
    for n in range(1, systems + 1):
        made.append(
            make_system(
                actor=actor,
                content=content,
                n=n,
                vendor=vendor if n % 4 else None,
                files=files_per_system,
                missing=with_missing and n == 1,
            )
        )
    make_discovery(made)
    return {"systems": made, "content": content, "vendor": vendor}
