"""Seed a load-test database: 10k systems, 1M usage rollups (PostgreSQL COPY) and their per-app
summaries, findings, assessments.

Run through `make loadtest` (which points DATABASE_URL at its own database); idempotent per database.
"""

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

SYSTEMS = int(os.environ.get("LOADTEST_SYSTEMS", 10_000))
ROLLUPS = int(os.environ.get("LOADTEST_ROLLUPS", 1_000_000))
CLASSIFIED = int(os.environ.get("LOADTEST_CLASSIFIED", 500))
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "load-test-Password-1")
CLIENTS = 20


def log(msg: str) -> None:
    sys.stderr.write(f"[seed] {msg}\n")


def users() -> None:
    model = get_user_model()
    for i in range(CLIENTS):
        name = f"load{i:02d}"
        if not model.objects.filter(username=name).exists():
            user = model.objects.create_user(username=name, password=PASSWORD)
            user.groups.add(Group.objects.get(name="compliance_officer"))


def systems() -> None:
    from inventory.models import AISystem, Vendor

    if AISystem.objects.count() >= SYSTEMS:
        return
    vendors = Vendor.objects.bulk_create(
        [Vendor(name=f"Load vendor {i:04d}", is_ai_developer=True) for i in range(200)]
    )
    rng = random.Random(7)
    batch = []
    for i in range(SYSTEMS):
        batch.append(
            AISystem(
                name=f"Load system {i:05d}",
                description="Seeded for the load test.",
                team=f"Team {i % 40}",
                vendor=rng.choice(vendors),
                model_type="ml_classifier",
                lifecycle=rng.choice(["in_use", "in_development", "retired"]),
                sanction_status=rng.choice(["sanctioned", "unsanctioned", "under_review"]),
                roles=["deployer"],
                jurisdictions=rng.sample(["CO", "CT", "MD", "CA", "EU"], 2),
                domains=[rng.choice(["employment", "credit", "education", "health"])],
                decision_role="substantial_factor",
            )
        )
        if len(batch) == 2000:
            AISystem.objects.bulk_create(batch)
            batch = []
    AISystem.objects.bulk_create(batch)


def rollups() -> None:
    from discovery.models import CatalogApp, UsageRollup

    have = UsageRollup.objects.count()
    if have >= ROLLUPS:
        return
    keys = list(CatalogApp.objects.values_list("key", flat=True).distinct()) or ["chatgpt"]
    start = dt.date(2026, 1, 1)
    rng = random.Random(11)
    started = time.monotonic()
    with connection.cursor() as cursor:
        table = UsageRollup._meta.db_table
        cols = "app_key, host, identity, team, day, requests, bytes_up, bytes_down, first_seen, last_seen"
        with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            n = 0
            for day_offset in range(330):
                day = start + dt.timedelta(days=day_offset)
                stamp = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
                for identity in range(ROLLUPS // (330 * 8) + 1):
                    for app in rng.sample(keys, 8):
                        if n >= ROLLUPS - have:
                            break
                        req = rng.randint(1, 500)
                        copy.write_row(
                            (
                                app,
                                "",
                                f"user{identity:05d}@corp.example",
                                f"Team {identity % 40}",
                                day,
                                req,
                                req * 900,
                                req * 4000,
                                stamp,
                                stamp + dt.timedelta(hours=8),
                            )
                        )
                        n += 1
    log(f"COPY of {n} rollups took {time.monotonic() - started:.1f} s")
    # COPY bypasses rollup_upsert(), which keeps the discovered-AI summaries; recompute them
    # from the rollups so the page shows exactly what the rollups sum to.
    from discovery.services.rollups import usage_summary_rebuild

    started = time.monotonic()
    usage_summary_rebuild()
    log(f"per-app summaries rebuilt in {time.monotonic() - started:.1f} s")


def findings() -> None:
    from discovery.models import Finding

    if Finding.objects.exists():
        return
    now = dt.datetime.now(dt.UTC)
    Finding.objects.bulk_create(
        [
            Finding(
                kind=Finding.Kind.values[i % len(Finding.Kind.values)],
                severity=Finding.Severity.values[i % len(Finding.Severity.values)],
                title=f"Load finding {i}",
                dedupe_key=f"load:{i}",
                app_key="chatgpt",
                first_seen=now,
                last_seen=now,
            )
            for i in range(2000)
        ],
        batch_size=1000,
    )


def classifications() -> None:
    """The first CLASSIFIED systems are classified under every regime, as a live inventory's are;
    the load test's system pages are drawn from them (~0.15 s each, so not all 10k)."""
    from inventory.models import AISystem
    from regulations.services import classification_run

    todo = AISystem.objects.order_by("pk")[:CLASSIFIED]
    todo = [s for s in todo if not s.classification_results.exists()]
    started = time.monotonic()
    for system in todo:
        classification_run(system=system)
    if todo:
        log(f"classified {len(todo)} systems in {time.monotonic() - started:.1f} s")


def assessments() -> None:
    from assessments.services import assessment_start
    from inventory.models import AISystem
    from regulations.models import AssessmentTemplate

    template = AssessmentTemplate.objects.filter(kind="assessment").order_by("pk").last()
    officer = get_user_model().objects.get(username="load00")
    for system in AISystem.objects.order_by("pk")[:CLIENTS]:
        assessment_start(actor=officer, system=system, template=template)


def main() -> None:
    started = time.monotonic()
    call_command("load_content", verbosity=0)
    users()
    systems()
    rollups()
    findings()
    classifications()
    assessments()
    with connection.cursor() as cursor:
        # VACUUM too: fresh COPY pages are not all-visible yet, so index-only scans (the
        # discovered-AI totals) would still visit the heap until autovacuum happened to run.
        cursor.execute("VACUUM (ANALYZE)")
    log(f"seeded in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
