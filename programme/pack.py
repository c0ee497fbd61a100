"""The programme's section of an evidence pack (AppConfig.pack_sections, read by evidence):
AI-use requests, the risk register with its control mapping, AI-literacy coverage and the
rights-request counts and response times, with CSV files for the ZIP."""

from django.db.models import Q

from core.csvio import csv_bytes
from programme.literacy import coverage
from programme.models import AIUseRequest, RiskControl
from programme.rights import rights_summary
from programme.selectors import heat_map, risk_filterset


def _csv(header: list[str], rows) -> bytes:
    return csv_bytes(header, ([("" if v is None else v) for v in row] for row in rows))


def pack_section(*, scope) -> dict:
    requests = list(
        AIUseRequest.objects.filter(
            created_at__gte=scope.start, created_at__lt=scope.end
        ).select_related("requester", "decided_by", "system")
    )
    risks_qs = risk_filterset().qs.order_by("pk")
    if scope.system_ids is not None:  # the chosen systems' risks and the organisation-wide ones
        risks_qs = risks_qs.filter(Q(system_id__in=scope.system_ids) | Q(system__isnull=True))
    risks = list(risks_qs)
    mappings = list(
        RiskControl.objects.filter(risk__in=risks_qs)
        .select_related("control", "risk")
        .prefetch_related("evidence")
        .order_by("risk_id", "control__code")
    )
    literacy = coverage(on=scope.period_to)
    rights = rights_summary()
    files = {
        "programme/ai-use-requests.csv": _csv(
            ["id", "tool", "requester", "team", "status", "submitted", "decided_by", "decided_at",
             "conditions", "reason", "system_id"],
            [(r.pk, r.tool_name, r.requester.get_username(), r.team, r.status, r.submitted_at,
              r.decided_by.get_username() if r.decided_by else "", r.decided_at, r.conditions,
              r.reason, r.system_id) for r in requests],
        ),
        "programme/risk-register.csv": _csv(
            ["id", "title", "system", "category", "category_citation", "likelihood", "impact",
             "inherent", "residual_likelihood", "residual_impact", "residual", "owner",
             "treatment", "due_date", "status"],
            [(r.pk, r.title, r.system.name if r.system else "(organisation)", r.category.code,
              r.category.citation, r.likelihood, r.impact, r.inherent_score,
              r.residual_likelihood, r.residual_impact, r.residual_score,
              r.owner.get_username() if r.owner else "", r.treatment, r.due_date, r.status)
             for r in risks],
        ),
        "programme/control-mapping.csv": _csv(
            ["risk_id", "control", "framework", "citation", "status", "note", "evidence_file",
             "evidence_sha256"],
            [(m.risk_id, m.control.code, m.control.framework, m.control.citation, m.status, m.note,
              e.file_name if e else "", e.sha256 if e else "")
             for m in mappings for e in (list(m.evidence.all()) or [None])],
        ),
        "programme/literacy-coverage.csv": _csv(
            ["group", "people", "trained", "percent", "missing"],
            [(c.label, c.total, c.trained, c.percent, " ".join(c.missing))
             for c in [literacy["everyone"], literacy["high_risk"], *literacy["teams"]]],
        ),
        "programme/rights-requests.csv": _csv(
            ["regime", "right", "citation", "received", "open", "overdue", "answered", "late",
             "avg_response_days", "max_response_days"],
            [(s["rule__regime"], s["rule__title"], s["rule__citation"], s["received"], s["open"],
              s["overdue"], s["answered"], s["late"], s["avg_days"], s["max_days"]) for s in rights],
        ),
    }  # fmt: skip
    return {
        "key": "programme",
        "anchor": "programme",
        "title": "Governance programme",
        "template": "programme/pdf/pack_section.html",
        "context": {
            "requests": requests,
            "request_counts": {
                label: sum(1 for r in requests if r.status == value)
                for value, label in AIUseRequest.Status.choices
            },
            "risks": risks,
            "heat": heat_map(risks=risks_qs),
            "mappings": mappings,
            "literacy": literacy,
            "rights": rights,
        },
        "files": files,
    }
