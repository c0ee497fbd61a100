"""Triage: the only ways a finding leaves the queue, each audited in the same transaction."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse

from core.audit import audit_record
from core.models import NotificationKind
from core.notifications import notify
from discovery.mappings import data_categories_for
from discovery.models import BlocklistEntry, DiscoveredApp, Finding, OAuthGrant, UsageRollup
from discovery.selectors import catalog_app_get
from inventory.models import AISystem, Vendor
from inventory.services import ai_system_create, ai_system_update, vendor_create

CATEGORY_MODEL_TYPE = {
    "llm_api": "general_purpose", "model_hub": "general_purpose", "image": "generative_app",
    "video_avatar": "generative_app", "voice_music": "speech",
}  # fmt: skip
CATEGORY_CAPABILITIES = {
    "chat_assistant": ["chatbot"], "companion": ["companion_chatbot", "chatbot"],
    "image": ["synthetic_content"], "video_avatar": ["synthetic_content"],
    "voice_music": ["synthetic_content"],
}  # fmt: skip


def _require_open(finding: Finding) -> None:
    if not finding.is_open:
        raise ValidationError(f"This finding is already {finding.get_state_display().lower()}.")


def _lock(finding: Finding) -> Finding:
    return Finding.objects.select_for_update().get(pk=finding.pk)


def _vendor_for(name: str, actor) -> Vendor | None:
    """The catalogue names the vendor; create it in the inventory the first time it is sanctioned."""
    if not name:
        return None
    vendor = Vendor.objects.filter(name__iexact=name).first()
    if vendor:
        return vendor
    return vendor_create(actor=actor, data={"name": name[:200], "is_ai_developer": True})


def _provenance(finding: Finding) -> str:
    run = finding.run
    parts = [
        f"Discovered by Sightline discovery finding #{finding.pk} ({finding.get_kind_display()})"
    ]
    if run:
        parts.append(f"ingest run #{run.pk} ({run.file_name}, sha256 {run.sha256[:12]}…)")
    parts.append(f"first seen {finding.first_seen:%Y-%m-%d %H:%M} UTC")
    parts.append(f"last seen {finding.last_seen:%Y-%m-%d %H:%M} UTC")
    return "; ".join(parts) + "."


def _usage_seen(finding: Finding) -> dict:
    """What the logs say about who uses the app: the busiest team, the people seen, and an owner
    suggestion when the busiest identity is exactly one active user's e-mail or username."""
    rows = UsageRollup.objects.filter(
        app_key=finding.app_key, host="" if finding.app_key else finding.host
    )
    teams = list(
        rows.exclude(team="")
        .values("team")
        .annotate(n=Sum("requests"))
        .order_by("-n", "team")
        .values_list("team", flat=True)[:3]
    )
    people = list(
        rows.exclude(identity="")
        .values("identity")
        .annotate(n=Sum("requests"))
        .order_by("-n", "identity")
        .values_list("identity", flat=True)[:3]
    )
    owner = None
    if people:
        matches = list(
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(email__iexact=people[0]) | Q(username__iexact=people[0]))[:2]
        )
        owner = matches[0] if len(matches) == 1 else None
    summary = ""
    if teams or people:
        parts = []
        if people:
            parts.append("most active users " + ", ".join(people))
        if teams:
            parts.append("teams " + ", ".join(teams))
        summary = " Seen in the logs: " + "; ".join(parts) + "."
    return {"team": (teams[0] if teams else "")[:120], "owner": owner, "summary": summary}


def _oauth_data_categories(finding: Finding) -> list[str]:
    """The data categories the app's OAuth grants give it access to (mail, files, directory...),
    from the data-access classes of every scope its users granted."""
    if not finding.app_key:
        return []
    classes = set(finding.evidence.get("scope_classes") or [])
    for row in OAuthGrant.objects.filter(app_key=finding.app_key).values_list(
        "scope_classes", flat=True
    ):
        classes.update(row or [])
    return data_categories_for(sorted(classes))


def _app_row(finding: Finding) -> DiscoveredApp | None:
    if not (finding.app_key or finding.host):
        return None
    return (
        DiscoveredApp.objects.select_for_update()
        .filter(app_key=finding.app_key, host="" if finding.app_key else finding.host)
        .first()
    )


@transaction.atomic
def finding_sanction(
    *, finding: Finding, actor, system: AISystem | None = None, note: str = ""
) -> AISystem:
    """Sanctioning is the only way discovered use enters the inventory."""
    finding = _lock(finding)
    _require_open(finding)
    if not (finding.app_key or finding.host):
        raise ValidationError("Only findings about an app or host can be sanctioned.")
    app = _app_row(finding)
    if app is None and finding.kind == Finding.Kind.POSSIBLE_AI and finding.host:
        app = _confirm_host(finding)  # sanctioning a review item confirms it is AI
    if system is None and app is not None and app.system_id:
        system = app.system
    categories = _oauth_data_categories(finding)
    if system is None:
        cat = catalog_app_get(key=finding.app_key) if finding.app_key else None
        category = cat.category if cat else ""
        seen = _usage_seen(finding)
        found_in = "OAuth grants" if finding.kind == Finding.Kind.OAUTH_APP else "network logs"
        system = ai_system_create(
            actor=actor,
            data={
                "name": (cat.name if cat else finding.host or finding.app_key)[:200],
                "description": (
                    f"{cat.name} ({category.replace('_', ' ')}) by {cat.vendor}, found in {found_in}."
                    if cat
                    else f"Service at {finding.host}, found in {found_in}."
                ),
                "owner": seen["owner"],
                "team": seen["team"],
                "intake_pending": True,  # "Needs facts" until an officer completes the intake
                "vendor": _vendor_for(cat.vendor if cat else "", actor),
                "model_type": CATEGORY_MODEL_TYPE.get(category, "generative_app"),
                "capabilities": CATEGORY_CAPABILITIES.get(category, []),
                "data_categories": categories,
                "lifecycle": AISystem.Lifecycle.IN_USE,
                "sanction_status": AISystem.SanctionStatus.SANCTIONED,
                "origin": AISystem.Origin.DISCOVERED,
                "provenance": _provenance(finding) + seen["summary"],
                "roles": ["deployer"],
                "first_seen": finding.first_seen,
                "last_seen": finding.last_seen,
                "tags": ["discovered"],
            },
        )
    else:
        changes: dict = {}
        if system.sanction_status != AISystem.SanctionStatus.SANCTIONED:
            changes["sanction_status"] = AISystem.SanctionStatus.SANCTIONED
        missing = [c for c in categories if c not in system.data_categories]
        if missing:
            changes["data_categories"] = [*system.data_categories, *missing]
        if changes:
            system = ai_system_update(actor=actor, system=system, data=changes)
    if app is not None and app.system_id != system.pk:
        app.system = system
        app.save(update_fields=["system"])
    _decide(
        finding,
        state=Finding.State.SANCTIONED,
        system=system,
        actor=actor,
        action="discovery.finding.sanction",
        changes={"system": system.pk, "note": note},
    )
    return system


SIBLING_KINDS = [
    Finding.Kind.UNSANCTIONED_USE,
    Finding.Kind.NEW_APP,
    Finding.Kind.POSSIBLE_AI,
    Finding.Kind.BLOCKED_USE,
    Finding.Kind.OAUTH_APP,
]


def _decide(
    finding: Finding, *, state: str, system: AISystem | None, actor, action: str, changes: dict
) -> None:
    """Close the finding (linked to `system` when given) and, by the same decision, the other
    open findings about the same app; one audit entry names them."""
    before = finding.state
    finding.state = state
    if system is not None:
        finding.system = system
    finding.save(update_fields=["state", "system", "updated_at"])
    sibling_ids = _close_siblings(finding, state=state, system=system)
    audit_record(
        actor=actor,
        action=action,
        target=finding,
        changes={
            "state": [before, finding.state],
            **{name: [None, value] for name, value in changes.items()},
            "also_closed": [None, sibling_ids],
        },
    )


def _close_siblings(finding: Finding, *, state: str, system: AISystem | None) -> list[int]:
    """Other open findings about the same app are answered by the same decision."""
    siblings = Finding.objects.filter(
        app_key=finding.app_key,
        host=finding.host,
        state__in=Finding.OPEN_STATES,
        kind__in=SIBLING_KINDS,
    ).exclude(pk=finding.pk)
    ids = list(siblings.values_list("pk", flat=True))
    update = {"state": state}
    if system is not None:
        update["system"] = system
    siblings.update(**update)
    return ids


def finding_siblings_decided(finding: Finding) -> list[Finding]:
    """Findings closed together with this one (for refreshing their rows on screen)."""
    if not (finding.app_key or finding.host):
        return []
    return list(
        Finding.objects.filter(
            app_key=finding.app_key, host=finding.host, state=finding.state, kind__in=SIBLING_KINDS
        )
        .exclude(pk=finding.pk)
        .select_related("assignee", "system")
    )


def _hosts_for(finding: Finding) -> list[str]:
    if finding.kind == Finding.Kind.OAUTH_APP and not finding.host:
        # Its client ids are the block (the OAuth export); its catalogue hosts, if any, too.
        cat = catalog_app_get(key=finding.app_key) if finding.app_key else None
        return sorted({h.host for h in cat.hosts.all() if "*" not in h.host}) if cat else []
    if finding.app_key:
        cat = catalog_app_get(key=finding.app_key)
        if cat:
            hosts = [h.host for h in cat.hosts.all() if "*" not in h.host]
            if hosts:
                return sorted(set(hosts))
    if finding.host:
        return [finding.host]
    raise ValidationError("This finding names no app or host to block.")


@transaction.atomic
def finding_block(*, finding: Finding, actor, reason: str = "") -> list[BlocklistEntry]:
    """Blocking lists the app's hosts for proxies and resolvers and marks its systems blocked."""
    finding = _lock(finding)
    _require_open(finding)
    entries = []
    for domain in _hosts_for(finding):
        entry, created = BlocklistEntry.objects.get_or_create(
            domain=domain,
            defaults={
                "app_key": finding.app_key,
                "reason": reason[:300] or finding.title[:300],
                "finding": finding,
                "added_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        if created:
            entries.append(entry)
    app = _app_row(finding)
    if app is not None and app.system_id:
        ai_system_update(
            actor=actor,
            system=app.system,
            data={"sanction_status": AISystem.SanctionStatus.BLOCKED},
        )
        finding.system = app.system
    _decide(
        finding,
        state=Finding.State.BLOCKED,
        system=None,
        actor=actor,
        action="discovery.finding.block",
        changes={
            "blocked_domains": [e.domain for e in entries],
            "reason": reason,
            **(
                {"blocked_client_ids": finding.evidence.get("client_ids") or []}
                if finding.kind == Finding.Kind.OAUTH_APP
                else {}
            ),
        },
    )
    return entries


def _confirm_host(finding: Finding) -> DiscoveredApp:
    app, _ = DiscoveredApp.objects.select_for_update().get_or_create(
        app_key="",
        host=finding.host,
        defaults={
            "name": finding.host[:200],
            "first_seen": finding.first_seen,
            "last_seen": finding.last_seen,
            "first_run": finding.run,
        },
    )
    return app


@transaction.atomic
def finding_confirm_ai(*, finding: Finding, actor) -> DiscoveredApp:
    """A heuristic hit is only a guess: an officer's confirmation is what makes the host a
    discovered AI app (listed, counted, and then sanctioned or blocked like any other)."""
    finding = _lock(finding)
    _require_open(finding)
    if finding.kind != Finding.Kind.POSSIBLE_AI or not finding.host:
        raise ValidationError("Only a possible-AI review item can be confirmed as AI.")
    app = _confirm_host(finding)
    before = finding.evidence.get("confirmed")
    finding.evidence = {**finding.evidence, "confirmed": True}
    finding.save(update_fields=["evidence", "updated_at"])
    audit_record(
        actor=actor,
        action="discovery.finding.confirm_ai",
        target=finding,
        changes={"confirmed": [before, True], "discovered_app": [None, app.pk]},
    )
    return app


@transaction.atomic
def finding_dismiss(*, finding: Finding, actor, reason: str) -> Finding:
    """A dismissal must say why, so a later reviewer can judge it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason for dismissing this finding."})
    finding = _lock(finding)
    _require_open(finding)
    before = finding.state
    finding.state = Finding.State.DISMISSED
    finding.dismiss_reason = reason[:2000]
    finding.save(update_fields=["state", "dismiss_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="discovery.finding.dismiss",
        target=finding,
        changes={
            "state": [before, finding.state],
            "dismiss_reason": [None, finding.dismiss_reason],
        },
    )
    return finding


@transaction.atomic
def finding_assign(*, finding: Finding, actor, assignee: Any) -> Finding:
    """Assignment keeps the finding open but names who must decide."""
    finding = _lock(finding)
    _require_open(finding)
    if assignee is None or not getattr(assignee, "is_active", False):
        raise ValidationError({"assignee": "Choose an active user."})
    before = (finding.state, finding.assignee_id)
    finding.state = Finding.State.ASSIGNED
    finding.assignee = assignee
    finding.save(update_fields=["state", "assignee", "updated_at"])
    audit_record(
        actor=actor,
        action="discovery.finding.assign",
        target=finding,
        changes={"state": [before[0], finding.state], "assignee": [before[1], assignee.pk]},
    )
    notify(
        users=[assignee],
        exclude=actor,
        kind=NotificationKind.FINDING_ASSIGNED,
        subject=f"Finding assigned to you: {finding.title}",
        body=f"{getattr(actor, 'username', actor)} assigned a discovery finding to you: {finding.title}",
        url=reverse("discovery:finding-detail", kwargs={"pk": finding.pk}),
    )
    return finding


def assignable_users():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=["compliance_officer", "admin"])
        .distinct()
        .order_by("username")
    )


@transaction.atomic
def blocklist_entry_remove(*, entry: BlocklistEntry, actor) -> None:
    """Unblocking is a decision too, so it is audited."""
    domain = entry.domain
    pk = entry.pk
    entry.delete()
    audit_record(
        actor=actor,
        action="discovery.blocklist.remove",
        target_type="discovery.blocklistentry",
        target_id=str(pk),
        target_repr=domain,
        changes={"domain": [domain, None]},
    )


@transaction.atomic
def discovered_app_link(*, app_key: str, system: AISystem, actor, host: str = "") -> DiscoveredApp:
    """Ties catalogue traffic to an existing inventory system, so its use counts as sanctioned."""
    cat = catalog_app_get(key=app_key) if app_key else None
    app, _ = DiscoveredApp.objects.select_for_update().get_or_create(
        app_key=app_key, host=host, defaults={"name": (cat.name if cat else host or app_key)[:200]}
    )
    before = app.system_id
    if before == system.pk:
        return app
    app.system = system
    app.save(update_fields=["system"])
    audit_record(
        actor=actor,
        action="discovery.app.link",
        target=app,
        changes={"system": [before, system.pk]},
    )
    return app
