"""Drift: a sanctioned system's observed use (gateway logs, traces) compared with its inventory
facts on every batch. Each mismatch (a team, model or region the record does not list, or many
more users than it expects) opens one finding that proposes the fact change; accepting it
updates the system through the audited inventory service, which re-classifies it."""

import datetime as dt
import fnmatch
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min, Sum

from core.audit import audit_record
from discovery.mappings import domain_for_team, team_domain_hints
from discovery.models import Finding, IngestRun, ModelUsageDay
from discovery.services.findings import SUPERSEDED, finding_upsert, findings_supersede
from discovery.services.triage import finding_dismiss
from inventory import vocab
from inventory.models import AISystem
from inventory.services import ai_system_update

VOLUME_DAYS = 28  # distinct users are counted over this trailing window
VOLUME_FACTOR = 2
VOLUME_MIN_USERS = 5  # a jump from 1 to 3 users is not a change of scale
# The facts a drift proposal may change, and how: lists gain the value, a number is replaced.
PROPOSABLE = {"teams_using", "models_used", "data_regions", "domains", "expected_users"}
# Region codes a recorded area covers: "EU" covers eu-west-1, europe-west4, westeurope...
AREAS = {
    "eu": ("eu-", "europe-", "westeurope", "northeurope", "francecentral", "germanywestcentral",
           "swedencentral", "italynorth", "polandcentral", "spaincentral"),
    "us": ("us-", "us.", "eastus", "westus", "centralus", "northcentralus", "southcentralus"),
    "uk": ("uk", "eu-west-2", "europe-west2"),
    "ca": ("ca-", "canada"),
    "apac": ("ap-", "asia-", "australia", "japan", "korea", "southeastasia", "eastasia"),
}  # fmt: skip
# Regions an area's prefixes reach that are outside it: London and Zurich are not in the EU.
OUTSIDE = {
    "eu": ("eu-west-2", "eu-central-2", "europe-west2", "europe-west6"),
}
_BEDROCK_PREFIX = re.compile(r"^(us|eu|apac|us-gov|global)\.")


def model_name(model: str) -> str:
    """A model name compared as people record it: lower case, without the gateway's provider
    prefix (openai/gpt-4o), a Bedrock cross-region prefix (eu.) or the vendor prefix of a Bedrock
    id (anthropic.claude-3-5-sonnet-...)."""
    name = (model or "").strip().lower()
    if "/" in name:
        name = name.rsplit("/", 1)[-1]
    name = _BEDROCK_PREFIX.sub("", name)
    vendor, dot, rest = name.partition(".")
    if dot and vendor.isalpha() and rest and not rest[0].isdigit():
        name = rest
    return name


_VARIANT = re.compile(r"^(?:[@:].*|-(?:\d{4}.*|v\d.*|latest(?:-.*)?))$")


def _variant(suffix: str) -> bool:
    """A dated or versioned variant suffix (-2024-08-06, -0613, -20240620-v1:0, -v2, @001, :0,
    -latest), not another model of the family (-mini, -turbo, .1, -5-sonnet)."""
    return bool(_VARIANT.match(suffix))


def model_matches(model: str, patterns: Iterable[str]) -> bool:
    """True when a pattern names the model: equal, a glob match, or the model is a dated or
    versioned variant of it (gpt-4o-2024-08-06 and claude-3-5-sonnet-20240620-v1:0 are listed
    by gpt-4o and claude-3-5-sonnet; gpt-4o-mini is not). Raw and normalised names are both
    tried."""
    raw, name = (model or "").strip().lower(), model_name(model)
    for pattern in patterns:
        p = (pattern or "").strip().lower()
        if not p:
            continue
        for candidate, pat in ((raw, p), (name, model_name(p) if "*" not in p else p)):
            if candidate == pat or fnmatch.fnmatchcase(candidate, pat):
                return True
            if candidate.startswith(pat) and _variant(candidate[len(pat) :]):
                return True
    return False


def region_recorded(region: str, recorded: Iterable[str]) -> bool:
    """A region is recorded by its own code, a glob, or an area (EU, US...) that covers it."""
    r = (region or "").strip().lower()
    for value in recorded:
        v = (value or "").strip().lower()
        if not v:
            continue
        if r == v or fnmatch.fnmatchcase(r, v):
            return True
        if any(r.startswith(p) for p in AREAS.get(v, ())) and not any(
            r.startswith(p) for p in OUTSIDE.get(v, ())
        ):
            return True
    return False


def _lower(values: Iterable[str]) -> set[str]:
    return {v.strip().lower() for v in values if v and v.strip()}


def _when(value: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)


def _rejected(key: str) -> bool:
    """An officer rejected this very change: it is not proposed again."""
    return (
        Finding.objects.filter(
            dedupe_key=key[:300], kind=Finding.Kind.DRIFT, state=Finding.State.DISMISSED
        )
        .exclude(dismiss_reason__startswith=SUPERSEDED)
        .exists()
    )


def _observed(system: AISystem, field: str) -> dict[str, dict]:
    rows = (
        ModelUsageDay.objects.filter(system=system)
        .exclude(**{field: ""})
        .values(field)
        .annotate(
            requests=Sum("requests"),
            users=Count("identity", distinct=True),
            first=Min("first_seen"),
            last=Max("last_seen"),
            cost=Sum("cost"),
        )
        .order_by(field)
    )
    return {r[field]: r for r in rows}


def _domain_label(code: str) -> str:
    return dict(vocab.Domain.choices).get(code, code)


def _team_proposal(system: AISystem, team: str) -> tuple[dict, str]:
    proposal: dict = {"teams_using": [team]}
    domain = domain_for_team(team)
    note = ""
    if domain and domain not in system.domains:
        proposal["domains"] = [domain]
        note = f"; its name suggests the {_domain_label(domain)} domain, which the record lacks"
    return proposal, note


def _value_finding(
    *, run, system: AISystem, dimension: str, value: str, row: dict, recorded: list[str]
) -> Finding | None:
    key = f"drift:{system.pk}:{dimension}:{value.lower()}"
    if _rejected(key):
        return None
    noun = {"teams": "team", "models": "model", "regions": "region"}[dimension]
    if dimension == "teams":
        proposal, note = _team_proposal(system, value)
        severity = "high" if "domains" in proposal else "medium"
    elif dimension == "models":
        proposal, note, severity = {"models_used": [value]}, "", "low"
    else:
        proposal, note, severity = {"data_regions": [value]}, "", "medium"
    listed = ", ".join(recorded) if recorded else "none"
    summary = (
        f"{noun.capitalize()} {value} uses {system.name} ({row['requests']} requests by "
        f"{row['users']} user(s)); the record lists {listed}{note}."
    )
    finding, _ = finding_upsert(
        kind=Finding.Kind.DRIFT,
        dedupe_key=key,
        severity=severity,
        title=f"Drift on {system.name}: {noun} {value} not in the record"
        + (f" (suggests {_domain_label(proposal['domains'][0])})" if "domains" in proposal else ""),
        first_seen=_when(row["first"]),
        last_seen=_when(row["last"]),
        evidence={
            "system": system.pk,
            "dimension": dimension,
            "value": value,
            "recorded": recorded,
            "requests": row["requests"],
            "users": row["users"],
            "cost": str(row["cost"] or 0),
            "proposal": proposal,
            "summary": summary,
            "hints_version": team_domain_hints()[0] if dimension == "teams" else None,
        },
        run=run,
        principal=value if dimension == "teams" else "",
        region=value if dimension == "regions" else "",
        replace=True,
        system=system,
    )
    return finding


def _users_between(system: AISystem, start: dt.date, end: dt.date) -> int:
    return (
        ModelUsageDay.objects.filter(system=system, day__gte=start, day__lte=end)
        .exclude(identity="")
        .values("identity")
        .distinct()
        .count()
    )


def _volume_finding(*, run, system: AISystem) -> Finding | None:
    """Distinct users over the trailing 28 days at the system's last day of use, against twice
    the expected users or twice the 28 days before; judged on the whole stored history, so the
    same files give the same answer in any order (an answer later data undoes is superseded)."""
    last = ModelUsageDay.objects.filter(system=system).aggregate(d=Max("day"))["d"]
    if last is None:
        return None
    start = last - dt.timedelta(days=VOLUME_DAYS - 1)
    users = _users_between(system, start, last)
    before = _users_between(
        system, start - dt.timedelta(days=VOLUME_DAYS), start - dt.timedelta(days=1)
    )
    expected = system.expected_users
    reasons = []
    if expected and users > VOLUME_FACTOR * expected:
        reasons.append(f"{VOLUME_FACTOR}× the {expected} expected")
    if before and users >= VOLUME_MIN_USERS and users > VOLUME_FACTOR * before:
        reasons.append(f"{VOLUME_FACTOR}× the {before} of the {VOLUME_DAYS} days before")
    key = f"drift:{system.pk}:volume:{last:%Y-%m}"
    stale = Finding.objects.filter(
        kind=Finding.Kind.DRIFT,
        system=system,
        state__in=Finding.OPEN_STATES,
        dedupe_key__startswith=f"drift:{system.pk}:volume:",
    )
    if not reasons or users < VOLUME_MIN_USERS:
        findings_supersede(stale, why="the stored usage no longer shows this jump in users.")
        return None
    findings_supersede(stale.exclude(dedupe_key=key), why="a later month's figure replaces it.")
    if _rejected(key):
        return None
    summary = (
        f"{users} people used {system.name} in the {VOLUME_DAYS} days to {last:%Y-%m-%d}: "
        f"more than {' and '.join(reasons)}."
    )
    finding, _ = finding_upsert(
        kind=Finding.Kind.DRIFT,
        dedupe_key=key,
        severity="medium",
        title=f"Drift on {system.name}: {users} users in {VOLUME_DAYS} days "
        f"(record expects {expected if expected else 'no figure'})",
        first_seen=_when(start),
        last_seen=_when(last) + dt.timedelta(days=1, seconds=-1),
        evidence={
            "system": system.pk,
            "dimension": "volume",
            "value": f"{last:%Y-%m}",
            "users": users,
            "users_before": before,
            "expected_users": expected,
            "window_days": VOLUME_DAYS,
            "last_day": last.isoformat(),
            "proposal": {"expected_users": users},
            "summary": summary,
        },
        run=run,
        replace=True,
        system=system,
    )
    return finding


def _recorded_since(system: AISystem, checks: dict) -> None:
    """An open drift whose value the record lists by now (someone edited it) needs no decision."""
    for f in Finding.objects.filter(
        kind=Finding.Kind.DRIFT, system=system, state__in=Finding.OPEN_STATES
    ).exclude(dedupe_key__contains=":volume:"):
        dimension, value = f.evidence.get("dimension"), f.evidence.get("value", "")
        if dimension in checks:
            recorded, is_recorded = checks[dimension]
            if is_recorded(value, recorded):
                findings_supersede([f], why="the inventory record lists it now.")


def drift_detect(
    *, run: IngestRun | None, touched: dict[int, dict[str, set[str]]]
) -> list[Finding]:
    """`touched`: system id -> the teams, models and regions the batch saw on its traffic.
    Only sanctioned systems in use drift; a value is judged against the record as it is now."""
    systems = AISystem.objects.filter(
        pk__in=touched, sanction_status=AISystem.SanctionStatus.SANCTIONED
    ).exclude(lifecycle=AISystem.Lifecycle.RETIRED)
    found: list[Finding] = []
    for system in systems.order_by("pk"):
        seen = touched[system.pk]
        recorded_teams = list(system.teams_using or []) + ([system.team] if system.team else [])
        checks = (
            ("teams", "team", recorded_teams, lambda v, r: v.lower() in _lower(r)),
            ("models", "model", list(system.models_used or []), model_matches),
            ("regions", "region", list(system.data_regions or []), region_recorded),
        )
        for dimension, field, recorded, is_recorded in checks:
            values = sorted(v for v in seen.get(field, set()) if v and not is_recorded(v, recorded))
            if not values:
                continue
            observed = _observed(system, field)
            for value in values:
                row = observed.get(value)
                if row is None:
                    continue
                finding = _value_finding(
                    run=run,
                    system=system,
                    dimension=dimension,
                    value=value,
                    row=row,
                    recorded=recorded,
                )
                if finding is not None:
                    found.append(finding)
        _recorded_since(system, {d: (rec, fn) for d, _f, rec, fn in checks})
        volume = _volume_finding(run=run, system=system)
        if volume is not None:
            found.append(volume)
    return found


def _require_drift(finding: Finding) -> None:
    if finding.kind != Finding.Kind.DRIFT:
        raise ValidationError("Only a drift finding proposes a change to the inventory.")
    if not finding.is_open:
        raise ValidationError(f"This finding is already {finding.get_state_display().lower()}.")
    if finding.system_id is None:
        raise ValidationError("The system this drift is about no longer exists.")


def drift_changes(*, finding: Finding, system: AISystem) -> dict:
    """The record fields the proposal changes: lists gain the values they lack, a number is set."""
    proposal = (finding.evidence or {}).get("proposal") or {}
    unknown = sorted(set(proposal) - PROPOSABLE)
    if unknown:
        raise ValidationError(f"The proposal names fields drift may not change: {unknown}.")
    data: dict = {}
    for field, value in proposal.items():
        if field == "expected_users":
            data[field] = int(value)
            continue
        current = list(getattr(system, field) or [])
        have = _lower(current)
        added = [v for v in value if v and v.strip().lower() not in have]
        if added:
            data[field] = current + added
    return data


@transaction.atomic
def drift_accept(*, finding: Finding, actor) -> AISystem:
    """Accepting makes the observed use part of the record through the audited inventory
    service, so the system is re-classified and any assessment the new outcome calls for shows
    as required."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    _require_drift(finding)
    system = AISystem.objects.select_for_update().get(pk=finding.system_id)
    data = drift_changes(finding=finding, system=system)
    if data:
        system = ai_system_update(actor=actor, system=system, data=data)
    before = finding.state
    finding.state = Finding.State.SANCTIONED
    finding.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor,
        action="discovery.finding.drift_accept",
        target=finding,
        changes={"state": [before, finding.state], "system_changes": [None, data]},
    )
    return system


def drift_reject(*, finding: Finding, actor, reason: str) -> Finding:
    """Rejecting keeps the record as it is; the same change is not proposed again."""
    _require_drift(finding)
    return finding_dismiss(finding=finding, actor=actor, reason=reason)
