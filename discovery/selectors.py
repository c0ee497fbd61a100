"""Reads for discovery pages, the API and the rules."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from discovery.engine.matching import Catalog
from discovery.filters import (
    BlocklistEntryFilter,
    DiscoveredAppFilter,
    FindingFilter,
    IngestRunFilter,
)
from discovery.models import (
    AppIdentity,
    AppUsageDay,
    AppUsageTotal,
    BlocklistEntry,
    CatalogApp,
    CatalogHost,
    CatalogVersion,
    DiscoveredApp,
    Finding,
    IngestRun,
    UsageRollup,
)

_catalog_cache: dict[int, Any] = {}
_catalog_apps_cache: dict[tuple[int, str], dict[str, CatalogApp]] = {}
# Worst first: Finding.Severity is declared from least to most severe, the one severity order.
SEVERITY_RANK = Finding.Severity.values[::-1]


def severity_rank(value: str) -> int:
    """0 for critical up to 4 for info; an unknown value sorts after all of them."""
    return SEVERITY_RANK.index(value) if value in SEVERITY_RANK else len(SEVERITY_RANK)


def catalog_version_current() -> CatalogVersion | None:
    return CatalogVersion.objects.order_by("-loaded_at", "-pk").first()


def catalog_apps_current() -> QuerySet[CatalogApp]:
    version = catalog_version_current()
    if version is None:
        return CatalogApp.objects.none()
    return CatalogApp.objects.filter(version=version)


def catalog_app_get(*, key: str) -> CatalogApp | None:
    return catalog_apps_current().filter(key=key).first()


def catalog_apps_by_key() -> dict[str, CatalogApp]:
    """The current catalogue without its raw entries; a loaded version never changes, so each
    process keeps the last one it read (keyed by content hash too, not only the row id)."""
    version = catalog_version_current()
    if version is None:
        return {}
    key = (version.pk, version.sha256)
    if key not in _catalog_apps_cache:
        apps = CatalogApp.objects.filter(version=version).defer("entry")
        _catalog_apps_cache.clear()
        _catalog_apps_cache[key] = {a.key: a for a in apps}
    return _catalog_apps_cache[key]


def _catalog_hosts(catalog: dict[str, CatalogApp]) -> dict[str, list[str]]:
    hosts: dict[str, list[str]] = {}
    apps = CatalogHost.objects.filter(app_id__in=[a.pk for a in catalog.values()])
    for key, host in apps.values_list("app__key", "host"):
        hosts.setdefault(key, []).append(host)
    return hosts


def catalog_app_names() -> dict[str, str]:
    return dict(catalog_apps_current().values_list("key", "name"))


def matching_catalog():
    """The engine's matcher built from the stored entries, cached per catalogue version in each process."""
    version = catalog_version_current()
    if version is None:
        raise RuntimeError("No AI catalogue is loaded: run `manage.py load_content` first.")
    if version.pk not in _catalog_cache:
        entries = list(CatalogApp.objects.filter(version=version).values_list("entry", flat=True))
        _catalog_cache.clear()
        _catalog_cache[version.pk] = Catalog.from_entries(entries)
    return _catalog_cache[version.pk]


SAMPLES_PERM = "discovery.triage_finding"


def can_see_samples(user) -> bool:
    """Raw log lines may hold personal data or secrets: only people who edit discovery read them."""
    return bool(user and user.has_perm(SAMPLES_PERM))


def ingest_run_list(*, filters: Mapping[str, str] | None = None) -> QuerySet[IngestRun]:
    qs = IngestRun.objects.select_related("source", "created_by")
    return IngestRunFilter(filters or {}, queryset=qs).qs


def finding_list(*, filters: Mapping[str, str] | None = None) -> QuerySet[Finding]:
    rank = Case(
        *(When(severity=sev, then=Value(i)) for i, sev in enumerate(SEVERITY_RANK)),
        default=Value(len(SEVERITY_RANK)),
        output_field=IntegerField(),
    )
    qs = (
        Finding.objects.select_related("assignee", "system", "run")
        .annotate(severity_rank=rank)
        .order_by("severity_rank", "-last_seen", "-pk")
    )
    return FindingFilter(filters or {}, queryset=qs).qs


def finding_list_between(
    *, start: dt.datetime, end: dt.datetime, system_ids: list[int] | None = None
) -> QuerySet[Finding]:
    """Findings seen in [start, end); for chosen systems, theirs plus shadow AI (no system)."""
    qs = (
        Finding.objects.filter(first_seen__lt=end, last_seen__gte=start)
        .select_related("system")
        .order_by("-severity", "-last_seen", "pk")
    )
    if system_ids is not None:
        qs = qs.filter(Q(system_id__in=system_ids) | Q(system__isnull=True))
    return qs


def blocklist_domains() -> list[str]:
    return list(BlocklistEntry.objects.order_by("domain").values_list("domain", flat=True))


def blocklist_entry_list(*, filters: Mapping[str, str] | None = None) -> QuerySet[BlocklistEntry]:
    qs = BlocklistEntry.objects.select_related("added_by", "finding")
    return BlocklistEntryFilter(filters or {}, queryset=qs).qs


# An app's status: its inventory system's sanction status, or blocked, or not reviewed yet.
APP_STATUS_LABELS = {
    "sanctioned": "Sanctioned",
    "under_review": "Under review",
    "unreviewed": "Not reviewed",
    "unsanctioned": "Unsanctioned",
    "blocked": "Blocked",
}


def app_status_label(status: str) -> str:
    """The one word for a status on the pages, in the CSV export and in evidence packs."""
    return APP_STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def app_status(*, app: DiscoveredApp | None, blocked: set[str], hosts: list[str]) -> str:
    """An app's sanction status: its inventory system's if it has one, else blocked or unreviewed."""
    if app is not None and app.system_id:
        return app.system.sanction_status
    if any(h in blocked for h in hosts):
        return "blocked"
    return "unreviewed"


def discovered_app_totals(*, since: dt.date | None = None) -> dict[tuple[str, str], dict]:
    """Usage per (app_key, host) from the per-app summaries, equal to summing every rollup.

    All time: one AppUsageTotal row per app. Since a day: requests and bytes summed over the
    AppUsageDay rows; users are identities whose last day with the app is on or after `since`,
    i.e. exactly the distinct identities of the rollups since then.
    """
    if since is None:
        return {
            (r["app_key"], r["host"]): r
            for r in AppUsageTotal.objects.values(
                "app_key",
                "host",
                "requests",
                "bytes_up",
                "bytes_down",
                "users",
                first=F("first_seen"),
                last=F("last_seen"),
            )
        }
    users = {
        (r["app_key"], r["host"]): r["n"]
        for r in AppIdentity.objects.filter(last_day__gte=since)
        .values("app_key", "host")
        .annotate(n=Count("pk"))
        .order_by()
    }
    totals = {}
    for r in (
        AppUsageDay.objects.filter(day__gte=since)
        .values("app_key", "host")
        .annotate(
            requests=Sum("requests"),
            bytes_up=Sum("bytes_up"),
            bytes_down=Sum("bytes_down"),
            first=Min("first_seen"),
            last=Max("last_seen"),
        )
        .order_by()
    ):
        key = (r["app_key"], r["host"])
        totals[key] = {**r, "users": users.get(key, 0)}
    return totals


def discovered_app_totals_between(
    *, day_from: dt.date, day_to: dt.date
) -> dict[tuple[str, str], dict]:
    """Usage per (app_key, host) over whole days; users are the distinct identities in them."""
    return {
        (r["app_key"], r["host"]): r
        for r in UsageRollup.objects.filter(day__gte=day_from, day__lte=day_to)
        .values("app_key", "host")
        .annotate(
            requests=Sum("requests"),
            bytes_up=Sum("bytes_up"),
            bytes_down=Sum("bytes_down"),
            users=Count("identity", distinct=True),
            first=Min("first_seen"),
            last=Max("last_seen"),
        )
        .order_by("-requests")
    }


class AppUsageRows:
    """The unfiltered rows, as DiscoveredAppFilter's queryset: `since` decides what is summed,
    so they are built when the FilterSet has read it. `totals` (discovered_app_totals_between())
    replaces the since-summing for a closed period."""

    model = DiscoveredApp  # what DjangoFilterBackend checks the FilterSet's model against

    def __init__(
        self,
        *,
        catalog: dict[str, CatalogApp] | None = None,
        totals: dict[tuple[str, str], dict] | None = None,
    ) -> None:
        self.catalog = catalog
        self.totals = totals

    def all(self) -> "AppUsageRows":
        return self

    def rows(self, *, since: dt.date | None) -> list[dict]:
        totals = self.totals if self.totals is not None else discovered_app_totals(since=since)
        return _app_rows(totals=totals, catalog=self.catalog)


def discovered_app_rows(
    *,
    filters: Mapping[str, str] | None = None,
    catalog: dict[str, CatalogApp] | None = None,
    totals: dict[tuple[str, str], dict] | None = None,
) -> list[dict]:
    """One row per app or unknown host, with usage totals and the catalogue's risk facts.

    Pass `catalog` (catalog_apps_by_key()) when the caller needs the catalogue too, so the
    page reads it once; pass `totals` (discovered_app_totals_between()) for a closed period.
    """
    source = AppUsageRows(catalog=catalog, totals=totals)
    return DiscoveredAppFilter(filters or {}, queryset=source).qs


def _app_rows(
    *, totals: dict[tuple[str, str], dict], catalog: dict[str, CatalogApp] | None
) -> list[dict]:
    if catalog is None:
        catalog = catalog_apps_by_key()
    blocked = set(blocklist_domains())
    # Hosts only decide "blocked", so they are read only when something is blocked.
    catalog_hosts = _catalog_hosts(catalog) if blocked else {}
    apps = {(a.app_key, a.host): a for a in DiscoveredApp.objects.select_related("system")}
    rows = []
    for key, total in totals.items():
        app_key, host = key
        cat = catalog.get(app_key)
        hosts = catalog_hosts.get(app_key, []) if cat else [host]
        app = apps.get(key)
        rows.append(
            {
                "app_key": app_key,
                "host": host,
                "name": cat.name if cat else (app.name if app else host or app_key),
                "vendor": cat.vendor if cat else "",
                "category": cat.category if cat else "unknown",
                "risk": cat.risk if cat else {},
                "users": total["users"],
                "requests": total["requests"] or 0,
                "bytes_up": total["bytes_up"] or 0,
                "bytes_down": total["bytes_down"] or 0,
                "first_seen": total["first"],
                "last_seen": total["last"],
                "status": app_status(app=app, blocked=blocked, hosts=hosts),
                "system": app.system if app else None,
                "discovered_at": app.first_seen if app else None,
                "known": cat is not None,
            }
        )
    return rows


def app_usage_daily(*, app_key: str, host: str = "") -> list[dict]:
    return list(
        UsageRollup.objects.filter(app_key=app_key, host=host)
        .values("day")
        .annotate(
            requests=Sum("requests"),
            bytes_up=Sum("bytes_up"),
            bytes_down=Sum("bytes_down"),
            users=Count("identity", distinct=True),
        )
        .order_by("day")
    )


def app_top_identities(*, app_key: str, host: str = "", limit: int = 10) -> list[dict]:
    return list(
        UsageRollup.objects.filter(app_key=app_key, host=host)
        .values("identity", "team")
        .annotate(requests=Sum("requests"), bytes_up=Sum("bytes_up"), last=Max("last_seen"))
        .order_by("-requests")[:limit]
    )


def app_top_teams(*, app_key: str, host: str = "", limit: int = 10) -> list[dict]:
    return list(
        UsageRollup.objects.filter(app_key=app_key, host=host)
        .exclude(team="")
        .values("team")
        .annotate(requests=Sum("requests"), users=Count("identity", distinct=True))
        .order_by("-requests")[:limit]
    )
