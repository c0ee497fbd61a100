"""Batch write of OAuth grants and model usage (gateway, invocation logs, GenAI traces).

Both are merged so that the order files arrive in never matters: a grant row keeps the first and
last grant and the last revoke by event time (min/max), so a revoke read before the grant it
follows still leaves the grant inactive; usage counters add up per (source, app, identity, team,
key, model, region, service, day) in one upsert. Called once per batch from the run finaliser,
inside its transaction, right after the rollups are written.
"""

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from discovery.engine.oauth import scope_classes
from discovery.engine.pipeline import calls_unpack, usage_subtract
from discovery.models import DiscoveredApp, IngestRun, ModelCallSeen, ModelUsageDay, OAuthGrant
from discovery.selectors import catalog_app_names, matching_catalog
from discovery.services.chunks import app_sightings_touch, as_datetime, nul_free, team_at
from inventory.models import AISystem

GRANT_BATCH = 500
SEEN_BATCH = 500  # keys per INSERT: 2 parameters each, well under SQLite's limit
USAGE_KEY = ("source", "app_key", "identity", "team", "key_alias", "model", "region", "service")
_USAGE_COLUMNS = (
    *USAGE_KEY,
    "day",
    "requests",
    "input_tokens",
    "output_tokens",
    "cost",
    "first_seen",
    "last_seen",
    "system_id",
)


# OAuth grants ----------------------------------------------------------------------------
def _grant_summary(events: Iterable[list]) -> dict[tuple, dict]:
    """Per (source, client id, user): first/last grant, last revoke, scopes, latest app name."""
    out: dict[tuple, dict] = {}
    for ts, source, action, app_name, client_id, user, scopes, _eid in events:
        key = (source[:20], client_id[:200], user[:200])
        g = out.setdefault(
            key,
            {"first": None, "last": None, "revoked": None, "scopes": set(), "name": "", "at": None},
        )
        if action == "grant":
            g["first"] = ts if g["first"] is None else min(g["first"], ts)
            g["last"] = ts if g["last"] is None else max(g["last"], ts)
            g["scopes"].update(scopes)
        else:
            g["revoked"] = ts if g["revoked"] is None else max(g["revoked"], ts)
        if g["at"] is None or (ts, app_name) > (g["at"], g["name"]):
            g["at"], g["name"] = ts, app_name
    return out


def _opt_min(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _opt_max(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else max(a, b)


def grant_is_active(last_granted: dt.datetime | None, revoked_at: dt.datetime | None) -> bool:
    """Granted, and not revoked at or after the last grant (event time)."""
    return last_granted is not None and (revoked_at is None or revoked_at < last_granted)


def grants_write(*, run: IngestRun, events: list[list]) -> int:
    """Merges the batch's grant events into OAuthGrant rows; returns the rows written.

    New keys are inserted first (ON CONFLICT DO NOTHING), then every key is locked in one order
    and merged: min/max and the scope union are idempotent, so a row another batch inserted a
    moment ago, or this batch's own insert, merges to the same result."""
    summary = _grant_summary(events)
    if not summary:
        return 0
    catalog = matching_catalog()
    keys = sorted(summary)
    OAuthGrant.objects.bulk_create(
        [
            OAuthGrant(
                source=s,
                client_id=c,
                user=u,
                app_name=summary[(s, c, u)]["name"] or c,
                first_granted=None,
                last_granted=None,
                active=False,
                run=run,
            )
            for s, c, u in keys
        ],
        ignore_conflicts=True,
        batch_size=GRANT_BATCH,
    )
    written = 0
    now = timezone.now()
    for i in range(0, len(keys), GRANT_BATCH):
        part = keys[i : i + GRANT_BATCH]
        rows = (
            OAuthGrant.objects.select_for_update()
            .filter(source__in={k[0] for k in part}, client_id__in={k[1] for k in part})
            .order_by("source", "client_id", "user")
        )
        wanted = set(part)
        changed = []
        for row in rows:
            g = summary.get((row.source, row.client_id, row.user))
            if g is None or (row.source, row.client_id, row.user) not in wanted:
                continue
            first = as_datetime(g["first"]) if g["first"] is not None else None
            last = as_datetime(g["last"]) if g["last"] is not None else None
            revoked = as_datetime(g["revoked"]) if g["revoked"] is not None else None
            newer_name = last is not None and (row.last_granted is None or last >= row.last_granted)
            row.first_granted = _opt_min(row.first_granted, first)
            row.last_granted = _opt_max(row.last_granted, last)
            row.revoked_at = _opt_max(row.revoked_at, revoked)
            row.active = grant_is_active(row.last_granted, row.revoked_at)
            row.scopes = sorted(set(row.scopes or []) | g["scopes"])
            row.scope_classes = scope_classes(row.scopes)
            if newer_name and g["name"]:
                row.app_name = g["name"][:200]
            row.app_key = catalog.oauth_app(row.client_id, row.app_name)
            row.run = run
            row.updated_at = now
            changed.append(row)
        OAuthGrant.objects.bulk_update(
            changed,
            [
                "first_granted",
                "last_granted",
                "revoked_at",
                "active",
                "scopes",
                "scope_classes",
                "app_name",
                "app_key",
                "run",
                "updated_at",
            ],
        )
        written += len(changed)
    return written


# Model usage --------------------------------------------------------------------------------
SystemResolve = Callable[..., int | None]


def system_resolver() -> SystemResolve:
    """(service/key alias/team → system id, app key → system id) for the systems in use: an
    alias listed in AISystem.gateway_aliases names the system; else the app's sanctioned system."""
    aliases: dict[str, int] = {}
    systems = (
        AISystem.objects.exclude(lifecycle=AISystem.Lifecycle.RETIRED)
        .exclude(gateway_aliases=[])
        .order_by("pk")
        .values_list("pk", "gateway_aliases")
    )
    for pk, names in systems:
        for name in names or ():
            aliases.setdefault(str(name).strip().lower(), pk)
    by_app = dict(
        DiscoveredApp.objects.filter(host="", system__isnull=False)
        .exclude(app_key="")
        .order_by("-pk")
        .values_list("app_key", "system_id")
    )

    def resolve(*, app_key: str, service: str, key_alias: str, team: str) -> int | None:
        for name in (service, key_alias, team):
            pk = aliases.get(name.strip().lower()) if name else None
            if pk:
                return pk
        return by_app.get(app_key)

    return resolve


def _usage_rows(model_usage: dict[tuple, list], teams: dict | None) -> list[tuple]:
    resolve = system_resolver()
    rows: dict[tuple, list] = {}
    for key, (req, tin, tout, cost, first, last) in model_usage.items():
        source, app_key, ident, team, alias, model, region, service, day = nul_free(list(key))
        d = dt.date.fromisoformat(day[:10])
        if not team and teams and ident:
            team = team_at(teams, ident, d)
        k = (
            source[:20],
            app_key[:80],
            ident[:200],
            team[:120],
            alias[:200],
            model[:200],
            region[:40],
            service[:200],
            d,
        )
        row = rows.get(k)
        if row is None:
            rows[k] = [req, tin, tout, cost, first, last]
        else:  # two raw keys that clean to the same text
            row[0] += req
            row[1] += tin
            row[2] += tout
            row[3] += cost
            row[4], row[5] = min(row[4], first), max(row[5], last)
    out = []
    for k in sorted(rows):
        req, tin, tout, cost, first, last = rows[k]
        system = resolve(app_key=k[1], service=k[7], key_alias=k[4], team=k[3])
        out.append(
            (
                *k,
                int(req),
                int(tin),
                int(tout),
                Decimal(str(round(cost, 6))),
                as_datetime(first),
                as_datetime(last),
                system,
            )
        )
    return out


def model_usage_write(*, model_usage: dict[tuple, list], teams: dict | None = None) -> int:
    """Upserts ModelUsageDay rows adding the counters (executemany, rows in key order)."""
    rows = _usage_rows(model_usage, teams)
    if not rows:
        return 0
    table = ModelUsageDay._meta.db_table
    pg = connection.vendor == "postgresql"
    lo, hi = ("LEAST", "GREATEST") if pg else ("MIN", "MAX")
    t = table
    cols = ", ".join(_USAGE_COLUMNS)
    marks = ", ".join(["%s"] * len(_USAGE_COLUMNS))
    conflict = ", ".join((*USAGE_KEY, "day"))
    sql = (
        f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT ({conflict}) DO UPDATE SET "
        f"requests = {t}.requests + EXCLUDED.requests, "
        f"input_tokens = {t}.input_tokens + EXCLUDED.input_tokens, "
        f"output_tokens = {t}.output_tokens + EXCLUDED.output_tokens, "
        f"cost = {t}.cost + EXCLUDED.cost, "
        f"first_seen = {lo}({t}.first_seen, EXCLUDED.first_seen), "
        f"last_seen = {hi}({t}.last_seen, EXCLUDED.last_seen), "
        f"system_id = COALESCE(EXCLUDED.system_id, {t}.system_id)"
    )
    ops = connection.ops
    params = [
        (
            *r[:8],
            r[8],
            r[9],
            r[10],
            r[11],
            ops.adapt_decimalfield_value(r[12], 16, 6),
            ops.adapt_datetimefield_value(r[13]),
            ops.adapt_datetimefield_value(r[14]),
            r[15],
        )
        for r in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(rows)


def model_usage_systems_refresh(*, system: AISystem | None = None) -> int:
    """Re-links usage rows to their system as the inventory now says (a gateway alias added or
    removed, an app sanctioned, a system retired after the usage was ingested); with ``system``,
    only the rows that system could gain or lose. Returns the rows changed."""
    rows = ModelUsageDay.objects.all()
    if system is not None:
        near = Q(system=system) | Q(
            app_key__in=DiscoveredApp.objects.filter(system=system, host="").values("app_key")
        )
        for name in system.gateway_aliases or ():
            if name := str(name).strip():
                near |= Q(service__iexact=name) | Q(key_alias__iexact=name) | Q(team__iexact=name)
        rows = rows.filter(near)
    resolve = system_resolver()
    changed = 0
    combos = rows.values_list("app_key", "service", "key_alias", "team", "system_id").distinct()
    for app_key, service, key_alias, team, current in list(combos):
        wanted = resolve(app_key=app_key, service=service, key_alias=key_alias, team=team)
        if wanted != current:
            changed += ModelUsageDay.objects.filter(
                app_key=app_key, service=service, key_alias=key_alias, team=team, system_id=current
            ).update(system_id=wanted)
    return changed


def _call_key(call: list) -> str:
    rid = str(call[9])
    return rid if len(rid) <= 200 else "h:" + hashlib.sha256(rid.encode()).hexdigest()


def _calls_first_seen(*, run: IngestRun, keys: list[str]) -> set[str]:
    """Records the call keys; returns those seen here for the first time (INSERT … ON CONFLICT
    DO NOTHING RETURNING, keys in one order so concurrent batches never deadlock)."""
    table = ModelCallSeen._meta.db_table
    qkey = connection.ops.quote_name("key")
    new: set[str] = set()
    keys = sorted(keys)
    with connection.cursor() as cursor:
        for i in range(0, len(keys), SEEN_BATCH):
            part = keys[i : i + SEEN_BATCH]
            values = ", ".join(["(%s, %s)"] * len(part))
            params: list = []
            for k in part:
                params += [k, run.pk]
            cursor.execute(
                f"INSERT INTO {table} ({qkey}, run_id) VALUES {values} "
                f"ON CONFLICT ({qkey}) DO NOTHING RETURNING {qkey}",
                params,
            )
            new.update(row[0] for row in cursor.fetchall())
    return new


def model_calls_counted_once(*, run: IngestRun, merged: dict) -> int:
    """Takes the calls that an earlier batch, an earlier file or an earlier line already counted
    (same source and request id) out of the batch's usage; returns how many were taken out.
    The chunks' identified calls are read one chunk at a time."""
    usage = merged.get("model_usage")
    if not usage:
        return 0
    dropped = 0
    texts = run.chunks.order_by("index").values_list("results__model_calls", flat=True)
    for text in texts.iterator(chunk_size=8):
        calls = calls_unpack(text or "")
        if not calls:
            continue
        first: dict[str, list] = {}
        repeats: list[list] = []
        for c in calls:
            k = _call_key(c)
            if k in first:
                repeats.append(c)
            else:
                first[k] = c
        new = _calls_first_seen(run=run, keys=list(first))
        repeats += [c for k, c in first.items() if k not in new]
        usage_subtract(usage, repeats)
        dropped += len(repeats)
    return dropped


def _usage_apps_touch(*, run: IngestRun, merged: dict) -> None:
    """OAuth-connected and gateway-used catalogue apps appear among the discovered AI apps."""
    seen: dict[str, dict[str, float]] = {}
    catalog = matching_catalog()
    for ts, _s, _a, app_name, client_id, *_rest in merged.get("grants") or ():
        key = catalog.oauth_app(client_id, app_name)
        if key:
            span = seen.setdefault(key, {"first": ts, "last": ts})
            span["first"], span["last"] = min(span["first"], ts), max(span["last"], ts)
    for key, v in (merged.get("model_usage") or {}).items():
        if key[1]:
            span = seen.setdefault(key[1], {"first": v[4], "last": v[5]})
            span["first"], span["last"] = min(span["first"], v[4]), max(span["last"], v[5])
    if seen:
        app_sightings_touch(run=run, subjects=seen, names=catalog_app_names())


def usage_batch_write(*, run: IngestRun, merged: dict, teams: dict | None = None) -> dict[str, int]:
    """Writes the batch's OAuth grants and model usage and records the apps' sightings; call
    inside the finalising transaction, once per batch."""
    grants = grants_write(run=run, events=merged.get("grants") or [])
    repeated = model_calls_counted_once(run=run, merged=merged)
    if repeated:
        merged["events_duplicate"] = merged.get("events_duplicate", 0) + repeated
    usage = model_usage_write(model_usage=merged.get("model_usage") or {}, teams=teams)
    _usage_apps_touch(run=run, merged=merged)
    return {"grants": grants, "model_usage_rows": usage, "calls_repeated": repeated}
