"""Demo data for the governance programme: requests, risks with controls, literacy, rights.

Idempotent: nothing is added once the demo's first request exists. Every row goes through the
services, so the audit trail shows the demo like real work.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments.answers import question_map
from assessments.models import Assessment
from inventory.models import AISystem
from programme.links import answer_link_create
from programme.literacy import completions_import, training_module_create
from programme.models import AIUseRequest, TrainingModule
from programme.rights import rights_request_create, rights_request_update, rights_rules
from programme.risk_services import risk_control_map, risk_create
from programme.selectors import control_library, risk_categories
from programme.services import ai_use_request_decide, ai_use_request_submit


def _link_an_answer(officer, system, risk) -> None:
    """The system's first assessment claims the risk as the mitigation of its risk question."""
    assessment = (
        Assessment.objects.filter(system=system).select_related("template").order_by("pk").first()
    )
    if assessment is None:
        return
    questions = list(question_map(assessment.template).values())
    about_risk = [q for q in questions if "risk" in q.text.lower()] or questions
    if about_risk:
        answer_link_create(
            actor=officer, assessment=assessment, question_id=about_risk[0].id, risk=risk,
            note="Tracked in the risk register with its controls.",
        )  # fmt: skip


def seed(*, stdout) -> None:
    User = get_user_model()
    staff, officer = (User.objects.filter(username=n).first() for n in ("staff", "officer"))
    if staff is None or officer is None:
        stdout.write("programme: no demo staff or officer user; no programme demo.")
        return
    if AIUseRequest.objects.filter(requester=staff).exists():
        stdout.write("programme: demo data already present.")
        return
    today = timezone.localdate()
    ai_use_request_submit(
        actor=staff,
        data={"tool_name": "Claude", "vendor_name": "Anthropic", "catalog_key": "claude",
              "purpose": "Summarise customer interviews for the product team", "team": "Product",
              "data_description": "Interview transcripts (customers' names removed)",
              "affected_people": "", "jurisdictions": ["CA"], "domains": ["productivity"],
              "decision_role": "none", "data_categories": []},
    )  # fmt: skip
    notes = ai_use_request_submit(
        actor=staff,
        data={"tool_name": "Otter.ai", "vendor_name": "Otter.ai", "purpose": "Meeting notes",
              "team": "Product", "affected_people": "Meeting participants", "jurisdictions": ["CA"],
              "domains": ["productivity"], "decision_role": "none", "data_categories": []},
    )  # fmt: skip
    ai_use_request_decide(
        actor=officer,
        request=notes,
        decision=AIUseRequest.Status.REJECTED,
        reason="Recording meetings needs every participant's consent; use the approved Teams "
        "transcription instead.",
    )
    categories = {c.code: c for c in risk_categories()}
    controls = {c.code: c for c in control_library().filter(code__in=["owasp-llm.LLM01", "owasp-llm.LLM02", "nist.measure-2.11", "iso42001.A.5.4"])}  # fmt: skip
    systems = {s.name: s for s in AISystem.objects.filter(name__in=["TalentMatch résumé screening", "Aria customer-support chatbot", "CreditLens credit scoring"])}  # fmt: skip
    if categories and controls:
        plan = [
            (
                "TalentMatch résumé screening",
                "Screening disadvantages older applicants",
                "nist.fair",
                3,
                5,
                (2, 4),
                ["nist.measure-2.11", "iso42001.A.5.4"],
            ),  # fmt: skip
            (
                "Aria customer-support chatbot",
                "Prompt injection makes the chatbot reveal account data",
                "nist.secure-resilient",
                4,
                4,
                None,
                ["owasp-llm.LLM01", "owasp-llm.LLM02"],
            ),  # fmt: skip
            (
                "CreditLens credit scoring",
                "Thin-file applicants are scored lower than their repayment record warrants",
                "nist.fair",
                3,
                4,
                None,
                ["nist.measure-2.11"],
            ),  # fmt: skip
            (
                None,
                "Staff paste personal data into unsanctioned AI tools",
                "nist.privacy",
                4,
                3,
                None,
                [],
            ),  # fmt: skip
        ]
        for system_name, title, category, likelihood, impact, residual, mapped in plan:
            if system_name and system_name not in systems:
                continue
            risk = risk_create(
                actor=officer,
                data={
                    "system": systems.get(system_name),
                    "title": title,
                    "category": categories[category],
                    "likelihood": likelihood,
                    "impact": impact,
                    "residual_likelihood": residual[0] if residual else None,
                    "residual_impact": residual[1] if residual else None,
                    "owner": officer,
                    "due_date": today + dt.timedelta(days=60),
                },
            )
            for code in mapped:
                if code in controls:
                    risk_control_map(actor=officer, risk=risk, control=controls[code])
            if system_name:
                _link_an_answer(officer, systems[system_name], risk)
    else:
        stdout.write("programme: content not loaded; no demo risks (run load_content).")
    if not TrainingModule.objects.exists():
        training_module_create(
            actor=officer,
            data={"title": "AI basics for everyone", "audience": "Everyone", "version": "1",
                  "length_minutes": 30, "refresh_months": 12},
        )  # fmt: skip
    done = (today - dt.timedelta(days=20)).isoformat()
    completions_import(
        actor=officer,
        content=(
            "email,module,completed,score,team\n"
            f"staff@example.com,AI basics for everyone,{done},88,Product\n"
            f"officer@example.com,AI basics for everyone,{done},95,Compliance\n"
        ).encode(),
        filename="demo-lms-export.csv",
    )
    rules = {r.code: r for r in rights_rules()}
    if "ccpa.access" in rules:
        rights_request_create(
            actor=officer,
            data={"rule": rules["ccpa.access"], "reference": "DSAR-0001",
                  "received_on": today - dt.timedelta(days=41), "identity": "verified"},
        )  # fmt: skip
        answered = rights_request_create(
            actor=officer,
            data={"rule": rules["ccpa.delete"], "reference": "DSAR-0002",
                  "received_on": today - dt.timedelta(days=30), "identity": "verified"},
        )  # fmt: skip
        rights_request_update(
            actor=officer,
            item=answered,
            data={"responded_on": today - dt.timedelta(days=12), "outcome": "granted"},
        )
    stdout.write(
        "programme: 2 AI-use requests, risks with controls, literacy and 2 rights requests."
    )
