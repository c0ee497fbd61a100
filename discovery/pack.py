"""Discovery's section of an evidence pack (AppConfig.pack_sections, read by evidence): each
system's model allowlist against the models its gateway traffic called, its usage and cost per
team and model in the period, its drift findings, and the OAuth grants to AI apps, with CSVs."""

from django.db.models import Q

from core.csvio import csv_bytes
from discovery.models import Finding, ModelUsageDay
from discovery.selectors_usage import model_allowed, oauth_app_rows, oauth_grant_list, usage_sums
from inventory.selectors import ai_system_list_by_ids


def _csv(header: list[str], rows) -> bytes:
    return csv_bytes(header, ([("" if v is None else v) for v in row] for row in rows))


def _usage_rows(scope, system_ids: list[int]) -> list[dict]:
    return list(
        ModelUsageDay.objects.filter(
            system_id__in=system_ids, day__gte=scope.period_from, day__lte=scope.period_to
        )
        .values("system_id", "team", "model")
        .annotate(**usage_sums())
        .order_by("system_id", "team", "model")
    )


def pack_section(*, scope) -> dict | None:
    systems = list(ai_system_list_by_ids(ids=scope.system_ids))
    ids = [s.pk for s in systems]
    usage = _usage_rows(scope, ids)
    drift = list(
        Finding.objects.filter(kind=Finding.Kind.DRIFT, system_id__in=ids)
        .filter(first_seen__lt=scope.end, last_seen__gte=scope.start)
        .select_related("system")
        .order_by("system_id", "-last_seen", "pk")
    )
    grants = list(
        oauth_grant_list().filter(
            Q(first_granted__lt=scope.end) | Q(first_granted__isnull=True),
        )
    )
    apps = oauth_app_rows() if grants else []
    per_system = []
    for system in systems:
        rows = [r for r in usage if r["system_id"] == system.pk]
        models = sorted({r["model"] for r in rows if r["model"]})
        allowlist = list(system.model_allowlist or [])
        if not rows and not allowlist and not any(f.system_id == system.pk for f in drift):
            continue
        per_system.append(
            {
                "system": system,
                "allowlist": allowlist,
                "models": [{"name": m, "allowed": model_allowed(m, allowlist)} for m in models],
                "usage": rows,
                "tokens": sum((r["input_tokens"] or 0) + (r["output_tokens"] or 0) for r in rows),
                "cost": sum((r["cost"] or 0) for r in rows),
                "drift": [f for f in drift if f.system_id == system.pk],
            }
        )
    if not per_system and not grants:
        return None
    names = {s.pk: s.name for s in systems}
    files = {
        "discovery/model-usage.csv": _csv(
            ["system", "team", "model", "requests", "input_tokens", "output_tokens", "cost_usd",
             "first_day", "last_day"],
            [(names[r["system_id"]], r["team"], r["model"], r["requests"], r["input_tokens"],
              r["output_tokens"], r["cost"], r["first"], r["last"]) for r in usage],
        ),
        "discovery/model-allowlists.csv": _csv(
            ["system", "allowlist", "model_called", "allowed"],
            [(s["system"].name, " ".join(s["allowlist"]), m["name"], m["allowed"])
             for s in per_system for m in (s["models"] or [{"name": "", "allowed": ""}])],
        ),
        "discovery/drift.csv": _csv(
            ["finding", "system", "dimension", "value", "proposal", "state", "first_seen",
             "last_seen", "reason"],
            [(f.pk, f.system.name, f.evidence.get("dimension"), f.evidence.get("value"),
              f.evidence.get("proposal"), f.state, f.first_seen, f.last_seen, f.dismiss_reason)
             for f in drift],
        ),
        "discovery/oauth-grants.csv": _csv(
            ["app", "app_key", "client_id", "user", "source", "scopes", "scope_classes",
             "first_granted", "last_granted", "revoked_at", "active"],
            [(g.app_name, g.app_key, g.client_id, g.user, g.source, " ".join(g.scopes),
              " ".join(g.scope_classes), g.first_granted, g.last_granted, g.revoked_at, g.active)
             for g in grants],
        ),
    }  # fmt: skip
    return {
        "key": "discovery-usage",
        "anchor": "discovery-usage",
        "title": "AI-gateway usage, model allowlists, drift and OAuth grants",
        "template": "discovery/pdf/pack_section.html",
        "context": {"systems": per_system, "apps": apps, "grants": len(grants)},
        "files": files,
    }
