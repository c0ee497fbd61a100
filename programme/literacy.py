"""AI literacy (EU AI Act Art 4): importing LMS completions and measuring coverage.

People are keyed by their lower-case e-mail or user name, the way discovery's identity mapping
names them, because most staff never sign in to Sightline.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from core.audit import audit_record
from core.tabular import TableError, excerpt, read_table
from discovery.models import DiscoveredApp, IdentityMapping, UsageRollup
from inventory.models import AISystem
from programme.models import TrainingAssignment, TrainingCompletion, TrainingModule

MAX_ROWS = 20_000
PERSON_COLUMNS = ("email", "person", "user", "username", "learner", "learner email")
MODULE_COLUMNS = ("module", "course", "course title", "module title")
DATE_COLUMNS = ("completed_on", "completed", "completion date", "completed at", "date")
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%m/%d/%Y")
HIGH_TIERS = ("high", "prohibited")


def _column(header: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {h.strip().lower(): h for h in header}
    return next((lowered[n] for n in names if n in lowered), None)


def _date(text: str) -> dt.date | None:
    text = text.strip()
    for candidate in dict.fromkeys((text, text[:19], text[:10])):
        for fmt in DATE_FORMATS:
            try:
                return dt.datetime.strptime(candidate, fmt).replace(tzinfo=dt.UTC).date()
            except ValueError:
                continue
    return None


@dataclass
class ImportResult:
    created: int = 0
    duplicates: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)

    def skip(self, reason: str, row: int, value: str = "") -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        if len(self.samples) < 10:
            self.samples.append(f"row {row}: {reason}" + (f" ({excerpt(value)})" if value else ""))

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def completions_import(*, actor, content: bytes, filename: str) -> ImportResult:
    """Rows with a person, a known module and a date become completions; each bad row is a
    counted skip with its reason, never a failed import. Audited once with the file's sha256."""
    try:
        header, rows = read_table(content, filename, max_rows=MAX_ROWS)
    except TableError as err:
        raise ValidationError(str(err)) from err
    person_col = _column(header, PERSON_COLUMNS)
    module_col = _column(header, MODULE_COLUMNS)
    date_col = _column(header, DATE_COLUMNS)
    missing = [
        label
        for label, col in (
            ("person/e-mail", person_col),
            ("module", module_col),
            ("completion date", date_col),
        )
        if col is None
    ]
    if missing:
        raise ValidationError(
            f"The file needs columns for {', '.join(missing)}; it has {', '.join(header)[:200]}."
        )
    score_col = _column(header, ("score", "result", "grade"))
    team_col = _column(header, ("team", "department"))
    attest_col = _column(header, ("attested", "attestation"))
    modules = {}
    for m in TrainingModule.objects.filter(active=True):
        modules.setdefault(m.title.strip().lower(), m)
        modules[str(m.pk)] = m
    result = ImportResult()
    new: list[TrainingCompletion] = []
    seen: set[tuple[int, str, dt.date]] = set()
    for number, row in enumerate(rows, start=2):
        person = row[person_col].strip().lower()
        module = modules.get(row[module_col].strip().lower())
        completed = _date(row[date_col])
        if not person:
            result.skip("no person", number)
            continue
        if module is None:
            result.skip("unknown module", number, row[module_col])
            continue
        if completed is None:
            result.skip("unreadable date", number, row[date_col])
            continue
        if completed > timezone.localdate():
            result.skip("date in the future", number, row[date_col])
            continue
        score = None
        if score_col and row[score_col].strip():
            try:
                score = Decimal(row[score_col].strip().rstrip("%"))
            except InvalidOperation:
                result.skip("unreadable score", number, row[score_col])
                continue
        key = (module.pk, person, completed)
        if key in seen:
            result.duplicates += 1
            continue
        seen.add(key)
        new.append(
            TrainingCompletion(
                module=module,
                person=person[:200],
                team=(row[team_col].strip() if team_col else "")[:120],
                completed_on=completed,
                expires_on=completed + relativedelta(months=module.refresh_months),
                score=score,
                attested=bool(
                    attest_col and row[attest_col].strip().lower() in ("1", "yes", "true", "y")
                ),
                source=f"import:{filename[:50]}",
            )
        )
    with transaction.atomic():
        existing = set(
            TrainingCompletion.objects.filter(person__in={c.person for c in new}).values_list(
                "module_id", "person", "completed_on"
            )
        )
        fresh = [c for c in new if (c.module_id, c.person, c.completed_on) not in existing]
        result.duplicates += len(new) - len(fresh)
        TrainingCompletion.objects.bulk_create(fresh, batch_size=1000)
        result.created = len(fresh)
        audit_record(
            actor=actor,
            action="literacy.import",
            target_type="programme.trainingcompletion",
            target_repr=filename[:300],
            changes={
                "file_sha256": hashlib.sha256(content).hexdigest(),
                "created": result.created,
                "duplicates": result.duplicates,
                "skipped": result.skipped,
            },
        )
    return result


@transaction.atomic
def training_module_create(*, actor, data: dict) -> TrainingModule:
    module = TrainingModule(**data)
    module.full_clean()
    module.save()
    audit_record(
        actor=actor,
        action="literacy.module_create",
        target=module,
        changes={k: [None, str(v)] for k, v in data.items()},
    )
    return module


# --- Coverage ---------------------------------------------------------------------------------


def trained_people(*, on: dt.date | None = None) -> set[str]:
    """People with a completion still valid on `on` (within its module's refresh cycle)."""
    on = on or timezone.localdate()
    people = set()
    rows = (
        TrainingCompletion.objects.filter(module__active=True)
        .values("person", "module__refresh_months")
        .annotate(last=Max("completed_on"))
    )
    for row in rows:
        if row["last"] + relativedelta(months=row["module__refresh_months"]) >= on:
            people.add(row["person"])
    return people


def roster() -> dict[str, str]:
    """person -> team, from identity mapping (the newest row wins) and from the completions."""
    people: dict[str, str] = {}
    for person, team in TrainingCompletion.objects.values_list("person", "team"):
        people.setdefault(person.lower(), team)
    for person in TrainingAssignment.objects.exclude(person="").values_list("person", flat=True):
        people.setdefault(person.lower(), "")
    for person, team in (
        IdentityMapping.objects.exclude(person="")
        .order_by("uploaded_at")
        .values_list("person", "team")
    ):
        key = person.strip().lower()
        if team or key not in people:
            people[key] = team
    return people


def high_risk_users() -> set[str]:
    """People seen using a high-risk (or prohibited) system: discovery usage and the owners."""
    systems = AISystem.objects.filter(risk_tier__in=HIGH_TIERS)
    users = set()
    for username, email in systems.exclude(owner=None).values_list(
        "owner__username", "owner__email"
    ):
        users.add((email or username).lower())
    apps = DiscoveredApp.objects.filter(system__in=systems).values_list("app_key", "host")
    keys = Q(pk__in=[])
    for app_key, host in apps:
        keys |= Q(app_key=app_key, host=host)
    identities = (
        UsageRollup.objects.filter(keys).exclude(identity="").values_list("identity", flat=True)
    )
    users |= {i.lower() for i in identities.distinct()}
    return users


@dataclass
class Coverage:
    label: str
    total: int
    trained: int
    missing: list[str]

    @property
    def percent(self) -> int | None:
        return round(100 * self.trained / self.total) if self.total else None


def coverage(*, on: dt.date | None = None) -> dict:
    trained = trained_people(on=on)
    people = roster()
    teams: dict[str, list[str]] = {}
    for person, team in people.items():
        teams.setdefault(team or "(no team)", []).append(person)
    per_team = [
        Coverage(
            team,
            len(members),
            sum(1 for m in members if m in trained),
            sorted(m for m in members if m not in trained),
        )
        for team, members in sorted(teams.items())
    ]
    everyone = Coverage(
        "Everyone",
        len(people),
        sum(1 for p in people if p in trained),
        sorted(set(people) - trained),
    )
    risky = high_risk_users()
    high = Coverage(
        "People who use high-risk systems",
        len(risky),
        len(risky & trained),
        sorted(risky - trained),
    )
    return {"everyone": everyone, "high_risk": high, "teams": per_team}


@transaction.atomic
def training_assignment_create(
    *, actor, module: TrainingModule, person: str = "", team: str = "", due_date=None
) -> TrainingAssignment:
    """Assign a module to one person (e-mail or user name) or a whole team; exactly one of them."""
    person, team = person.strip().lower(), team.strip()
    if bool(person) == bool(team):
        raise ValidationError("Assign the module to one person or to one team.")
    assignment = TrainingAssignment.objects.create(
        module=module, person=person[:200], team=team[:120], due_date=due_date, assigned_by=actor
    )
    audit_record(
        actor=actor,
        action="literacy.assign",
        target=assignment,
        changes={"module": [None, str(module)], "person": [None, person], "team": [None, team],
                 "due_date": [None, due_date]},
    )  # fmt: skip
    return assignment


def assignment_status(*, on: dt.date | None = None) -> list[dict]:
    """Each assignment with the people it covers and those still missing a valid completion."""
    on = on or timezone.localdate()
    people = roster()
    valid: dict[int, set[str]] = {}
    for module_id, person, last, months in (
        TrainingCompletion.objects.values("module_id", "person", "module__refresh_months")
        .annotate(last=Max("completed_on"))
        .values_list("module_id", "person", "last", "module__refresh_months")
    ):
        if last + relativedelta(months=months) >= on:
            valid.setdefault(module_id, set()).add(person)
    rows = []
    for a in TrainingAssignment.objects.select_related("module").order_by("-created_at")[:200]:
        members = [a.person] if a.person else sorted(p for p, t in people.items() if t == a.team)
        done = valid.get(a.module_id, set())
        missing = [m for m in members if m not in done]
        rows.append({"assignment": a, "people": len(members), "missing": missing,
                     "overdue": bool(missing and a.due_date and a.due_date < on)})  # fmt: skip
    return rows


# --- Refresh reminders --------------------------------------------------------------------------

EXPIRY_NOTICE_DAYS = 30


def completions_expiring(
    *, within_days: int = EXPIRY_NOTICE_DAYS, on: dt.date | None = None
) -> QuerySet[TrainingCompletion]:
    """Each person's latest completion of an active module that has expired or expires within
    `within_days`: the training is due again. One query (a newer completion clears it)."""
    horizon = (on or timezone.localdate()) + dt.timedelta(days=within_days)
    newer = TrainingCompletion.objects.filter(
        module=OuterRef("module"),
        person=OuterRef("person"),
        completed_on__gt=OuterRef("completed_on"),
    )
    return TrainingCompletion.objects.filter(module__active=True, expires_on__lte=horizon).exclude(
        Exists(newer)
    )
