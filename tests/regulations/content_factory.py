"""Small, valid regime version files for the Django-side tests (not the real content)."""

from pathlib import Path

import yaml


def version_data(
    *,
    regime: str = "zz",
    version: str = "v1",
    status: str = "in_force",
    effective_from: str = "2024-01-01",
    effective_to: str | None = None,
    domain: str = "employment",
    extra_rule: bool = False,
    deadline_date: str = "2027-12-02",
) -> dict:
    """A regime that applies to systems in `domain`, high-risk when the decision role is sole."""
    cite = {"citation": "Art 1", "url": "https://example.org/law", "confidence": "H"}
    rules = [
        {
            "id": "in-domain",
            "kind": "applicability",
            "title": f"Used in {domain}",
            "explanation": "Scope by domain.",
            "when": {"fact": "system.domains", "op": "contains", "value": domain},
            **cite,
        },
        {
            "id": "deployer",
            "kind": "role",
            "role": "deployer",
            "title": "We deploy it",
            "explanation": "Deployer role.",
            "when": {"fact": "system.roles", "op": "contains", "value": "deployer"},
            **cite,
        },
        {
            "id": "sole",
            "kind": "classification",
            "outcome": "high",
            "title": "Sole decision",
            "outcome_label": "High risk: sole decision-maker",
            "explanation": "No human in the loop.",
            "when": {"fact": "system.decision_role", "op": "eq", "value": "sole"},
            **cite,
        },
    ]
    if extra_rule:
        rules.append(
            {
                "id": "chatbot",
                "kind": "classification",
                "outcome": "limited",
                "title": "Chatbot",
                "explanation": "Talks to people.",
                "outcome_label": "Transparency duties",
                "when": {"fact": "system.capabilities", "op": "contains", "value": "chatbot"},
                "citation": "Art 2",
                "url": "https://example.org/law2",
                "confidence": "L",
            }
        )
    data = {
        "regime": regime,
        "regime_name": f"Test regime {regime.upper()}",
        "version": version,
        "status": status,
        "level": "eu",
        "effective_from": effective_from,
        "sources": [
            {"title": "Official text", "url": "https://example.org/law", "confidence": "H"}
        ],
        "roles": [{"code": "deployer", "label": "Deployer"}],
        "outcomes": [
            {
                "code": "high",
                "label": "High risk",
                "risk_tier": "high",
                "high_risk": True,
                "precedence": 10,
            },
            {"code": "limited", "label": "Limited", "risk_tier": "limited", "precedence": 20},
            {"code": "minimal", "label": "Minimal", "risk_tier": "minimal", "precedence": 90},
            {
                "code": "na",
                "label": "Not applicable",
                "risk_tier": "not_applicable",
                "precedence": 99,
            },
        ],
        "default_outcome": "minimal",
        "not_applicable_outcome": "na",
        "rules": rules,
        "obligations": [
            {
                "id": "review",
                "title": "Annual impact review",
                "who": ["deployer"],
                "what": "Review the impact every year.",
                "cadence": [
                    {"kind": "annual"},
                    {"kind": "within_days_of_substantial_modification", "days": 90},
                ],
                "when": {"fact": "result.high_risk", "op": "is_true"},
                **cite,
            },
            {
                "id": "notice",
                "title": "Tell people",
                "who": ["all"],
                "what": "Give notice.",
                "cadence": [{"kind": "ongoing"}],
                **cite,
            },
        ],
        "deadlines": [
            {
                "id": "high-risk-date",
                "title": "High-risk duties apply",
                "kind": "statutory",
                "date": deadline_date,
                "obligations": ["review"],
                **cite,
            },
        ],
        "vendor_checklist": [
            {
                "id": "docs",
                "title": "Instructions for use",
                "description": "How to use it.",
                **cite,
            },
        ],
    }
    if effective_to:
        data["effective_to"] = effective_to
    return data


def write_version(root: Path, **kwargs) -> Path:
    data = version_data(**kwargs)
    folder = root / data["regime"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['version']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
