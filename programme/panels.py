"""The programme's panel on the system page: the system's risks on a heat map, the controls it
carries (OWASP LLM for generative systems and those that call tools or retrieve), the notices its
classification requires and its obligations with the controls that meet them. Also the literacy
coverage as evidence of the obligations it evidences (core.extensions `obligation_evidence`)."""

from django.urls import reverse

from programme.literacy import coverage
from programme.models import Risk
from programme.notices import notices_for_system
from programme.selectors import (
    control_library,
    controls_for_system,
    heat_map,
    obligation_coverage,
    short_id,
)


def system_panel(*, request, system) -> dict | None:
    risks = Risk.objects.filter(system=system).select_related("category").order_by("-pk")
    controls = controls_for_system(system=system)
    listed = list(risks[:10])
    notices = notices_for_system(system)
    obligations = obligation_coverage(system=system)
    if not (
        listed or controls or notices or obligations or request.user.has_perm("programme.add_risk")
    ):
        return None
    return {
        "system": system,
        "risks": listed,
        "heat": heat_map(risks=risks),
        "heat_id": "system-heat-map",
        "carried_controls": controls,
        "notices": notices,
        "obligations": obligations,
        "obligations_met": sum(1 for o in obligations if o["implemented"]),
    }


def literacy_obligations() -> set[str]:
    """Obligation ids the controls library says the literacy coverage evidences (EU Art 4)."""
    return {
        key
        for control in control_library()
        if control.evidence_source == "literacy_coverage"
        for key in control.obligations or []
    }


def literacy_evidence_text(found: dict) -> str:
    high, everyone = found["high_risk"], found["everyone"]

    def pct(c) -> str:
        return f"{c.percent} %" if c.percent is not None else "no one known yet"

    return (
        f"{pct(high)} of people who use high-risk systems trained ({high.trained} of {high.total}); "
        f"{pct(everyone)} of everyone known ({everyone.trained} of {everyone.total})."
    )


def obligation_evidence(*, obligations: list[tuple[str, str]]) -> dict:
    """The AI-literacy coverage beside each obligation the controls library says it evidences
    (`evidence_source: literacy_coverage`, e.g. EU AI Act Art 4 through ISO 42001 A.4.6)."""
    evidenced = literacy_obligations() & {short_id(key) for _regime, key in obligations}
    if not evidenced:
        return {}
    item = {
        "title": "AI-literacy coverage",
        "text": literacy_evidence_text(coverage()),
        "url": reverse("programme:literacy"),
    }
    return {(regime, key): item for regime, key in obligations if short_id(key) in evidenced}
