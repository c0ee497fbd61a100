"""The programme's section of an evidence pack (AppConfig.pack_sections, read by evidence):
AI-use requests, the risk register with its control mapping, each system's obligations with the
controls that meet them, the notices its classification requires (filled, as Markdown), AI-literacy
coverage as the Art 4 evidence, and the rights-request counts and response times."""

from django.db.models import Q
from django.utils.text import slugify

from core.csvio import csv_bytes
from inventory.models import AISystem
from programme.literacy import coverage
from programme.models import AIUseRequest, RiskControl
from programme.notices import notice_markdown, notices_for_system
from programme.panels import literacy_evidence_text, literacy_obligations
from programme.rights import rights_summary
from programme.selectors import heat_map, obligation_coverage, risk_filterset


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
    systems = AISystem.objects.exclude(lifecycle=AISystem.Lifecycle.RETIRED).select_related(
        "owner", "vendor"
    )
    if scope.system_ids is not None:
        systems = systems.filter(pk__in=scope.system_ids)
    obligations, notices, notice_files = [], [], {}
    for system in systems.order_by("name", "pk"):
        obligations += [{"system": system, **row} for row in obligation_coverage(system=system)]
        for notice in notices_for_system(system):
            notices.append({"system": system, "notice": notice})
            name = f"programme/notices/{system.pk}-{slugify(system.name)}-{notice.template.code}.md"
            notice_files[name] = notice_markdown(notice=notice, system=system).encode()
    art4 = [
        {"obligation": key, "text": literacy_evidence_text(literacy)}
        for key in sorted(literacy_obligations())
    ]
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
        "programme/control-obligations.csv": _csv(
            ["system_id", "system", "regime", "obligation", "obligation_title",
             "obligation_citation", "control", "control_citation", "status", "evidence_file",
             "evidence_sha256"],
            [(o["system"].pk, o["system"].name, o["regime"], o["obligation"], o["title"],
              o["citation"], c["control"].code if c else "", c["control"].citation if c else "",
              c["status"] if c else "", e.file_name if e else "", e.sha256 if e else "")
             for o in obligations for c in (o["controls"] or [None])
             for e in ((c and c["evidence"]) or [None])],
        ),
        "programme/notices.csv": _csv(
            ["system_id", "system", "notice", "kind", "regime", "obligations", "citation",
             "template_version", "file"],
            [(n["system"].pk, n["system"].name, n["notice"].template.code,
              n["notice"].template.kind, n["notice"].template.regime,
              " ".join(n["notice"].obligations), n["notice"].template.citation,
              n["notice"].template.content.version,
              f"programme/notices/{n['system'].pk}-{slugify(n['system'].name)}-"
              f"{n['notice'].template.code}.md") for n in notices],
        ),
        "programme/obligation-evidence.csv": _csv(
            ["obligation", "evidence", "figures"],
            [(a["obligation"], "AI-literacy coverage", a["text"]) for a in art4],
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
        **notice_files,
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
            "art4": art4,
            "obligations": obligations,
            "notices": notices,
            "rights": rights,
        },
        "files": files,
    }
