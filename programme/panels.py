"""The programme's panel on the system page: the system's risks on a heat map, and the controls
its kind carries (the OWASP LLM controls for generative systems)."""

from programme.models import Risk
from programme.selectors import controls_for_system, heat_map


def system_panel(*, request, system) -> dict | None:
    risks = Risk.objects.filter(system=system).select_related("category").order_by("-pk")
    controls = controls_for_system(system=system)
    listed = list(risks[:10])
    if not listed and not controls and not request.user.has_perm("programme.add_risk"):
        return None
    return {
        "system": system,
        "risks": listed,
        "heat": heat_map(risks=risks),
        "heat_id": "system-heat-map",
        "carried_controls": controls,
    }
