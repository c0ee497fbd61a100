"""Discovery: log sources, ingest runs, the AI catalogue, usage rollups, findings and the blocklist."""

import orjson
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone

from discovery.conf import watch_path_check


class LogSource(models.Model):
    """Where logs come from; the format, feed layout and privacy choice are remembered per source."""

    class Kind(models.TextChoices):
        PROXY = "proxy", "Web proxy"
        DNS = "dns", "DNS resolver"
        CLOUDTRAIL = "cloudtrail", "AWS CloudTrail"
        OAUTH = "oauth", "Identity provider audit (OAuth grants)"
        GATEWAY = "gateway", "AI gateway, model-invocation log or traces"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    format = models.CharField(
        max_length=32, blank=True, help_text="Leave empty to detect the format from the file."
    )
    watch_path = models.CharField(
        max_length=500, blank=True, help_text="Folder polled for new files (walked recursively)."
    )
    zscaler_feed = models.TextField(
        blank=True, help_text="The NSS feed output format string (Zscaler feeds have no header)."
    )
    squid_logformat = models.TextField(
        blank=True,
        help_text="This proxy's Squid logformat line (logformat NAME %ts.%03tu %6tr %>a …); "
        "Squid's native format when empty.",
    )
    learning_days = models.PositiveSmallIntegerField(
        default=14,
        help_text="CloudTrail learning period, in days of event time from the source's first "
        "event: first-use style LLMjacking rules record a baseline and raise at most info.",
    )
    use_identity_mapping = models.BooleanField(
        default=True, help_text="Resolve IP addresses and user names through the identity mapping."
    )
    pseudonymise = models.BooleanField(
        default=False, help_text="Replace user names with a keyed HMAC at ingest."
    )
    active = models.BooleanField(default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A watched folder lies under SIGHTLINE_WATCH_ROOTS; pausing a source is always allowed."""
        if not self.watch_path:
            return
        stored = None
        if not self._state.adding:
            stored = (
                LogSource.objects.filter(pk=self.pk).values_list("watch_path", flat=True).first()
            )
        if self.active or self.watch_path != stored:
            self.watch_path = watch_path_check(self.watch_path)


class CatalogVersion(models.Model):
    """One loaded catalogue file; kept forever because findings name the version they matched."""

    version = models.CharField(max_length=40, unique=True)
    sha256 = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(max_length=300)
    app_count = models.PositiveIntegerField(default=0)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-loaded_at", "-pk"]

    def __str__(self) -> str:
        return f"Catalogue {self.version}"


class CatalogApp(models.Model):
    """An AI service as the catalogue describes it; `key` is stable across versions."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="apps")
    key = models.CharField(max_length=80)
    name = models.CharField(max_length=200)
    vendor = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=60, blank=True)
    risk = models.JSONField(default=dict, blank=True)
    entry = models.JSONField(default=dict, help_text="The catalogue entry as loaded.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="discovery_catalogapp_uniq")
        ]

    def __str__(self) -> str:
        return self.name


class CatalogHost(models.Model):
    """One host rule of a catalogue app, for lookups and the blocklist."""

    class Kind(models.TextChoices):
        EXACT = "exact", "Exact host"
        SUFFIX = "suffix", "Suffix"
        SHARED = "shared", "Shared host (match only this host)"

    app = models.ForeignKey(CatalogApp, on_delete=models.CASCADE, related_name="hosts")
    host = models.CharField(max_length=253)
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["host"]
        indexes = [models.Index(fields=["host"])]

    def __str__(self) -> str:
        return self.host


class IngestRun(models.Model):
    """One ingest batch: a file, a folder, a multi-file upload, a watched-folder poll or a .zip.

    Its files (IngestFile) carry the per-file detection, hashes and counts; the run carries the
    totals, one progress bar, and the findings of the rules, which run once per batch."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        FAILED = "failed", "Failed"

    FINISHED = (Status.DONE, Status.NEEDS_ATTENTION)

    source = models.ForeignKey(
        LogSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    format = models.CharField(
        max_length=32, blank=True, help_text="The files' format, or 'mixed' for several."
    )
    format_requested = models.CharField(max_length=32, blank=True)
    file_name = models.CharField(max_length=300)
    path = models.CharField(max_length=1000, help_text="Where the file is stored or was read.")
    sha256 = models.CharField(
        max_length=64, blank=True, help_text="The file's sha256 (of the files' hashes for a batch)."
    )
    size = models.BigIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attention = models.TextField(
        blank=True, help_text="Why the run needs attention: files that were mostly not understood."
    )
    files_total = models.PositiveIntegerField(default=1)
    bytes_done = models.BigIntegerField(default=0)
    bytes_total = models.BigIntegerField(default=0)
    lines_read = models.BigIntegerField(default=0)
    lines_parsed = models.BigIntegerField(default=0)
    lines_skipped = models.BigIntegerField(default=0)
    lines_header = models.BigIntegerField(
        default=0,
        help_text="Header, directive and blank lines: neither parsed, skipped nor inspected.",
    )
    lines_matched = models.BigIntegerField(default=0)
    events_duplicate = models.BigIntegerField(
        default=0, help_text="CloudTrail events already counted (same eventID) by an earlier file."
    )
    skip_counts = models.JSONField(default=dict, blank=True)
    skip_samples = models.JSONField(default=dict, blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    write_parts = models.PositiveSmallIntegerField(
        default=1,
        help_text="Into how many parts (by identity) the batch's rollups are split when written; "
        "the parts are written at once by as many workers.",
    )
    findings_count = models.PositiveIntegerField(default=0)
    finalised = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        default=timezone.now,
        db_index=True,
        help_text="Last sign of work on the run (queued, planned, a chunk started or finished); "
        "the watchdog fails a run whose heartbeat is older than SIGHTLINE_WATCHDOG_MINUTES.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("ingest_logs", "Can upload and ingest log files")]
        indexes = [models.Index(fields=["sha256"])]

    def __str__(self) -> str:
        return f"Run #{self.pk} {self.file_name}"

    @property
    def percent(self) -> int:
        if self.status in self.FINISHED:
            return 100
        if not self.bytes_total:
            return 0
        return min(100, int(self.bytes_done * 100 / self.bytes_total))

    @property
    def duration_seconds(self) -> float | None:
        if not (self.started_at and self.finished_at):
            return None
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def lines_prefiltered(self) -> int:
        """Lines not inspected: the fast prefilter ruled them out (no AI host or heuristic token)."""
        return max(0, self.lines_read - self.lines_parsed - self.lines_skipped - self.lines_header)

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    def batch_cloud_events(self) -> list[dict]:
        """The batch's CloudTrail events (first sightings only: an eventID already counted by an
        earlier file is left out), in event-time order, as the chunks stored them."""
        # Read as text and decoded with orjson: several times faster than the field's json.loads
        # on a batch of a million CloudTrail events.
        stored = (
            self.chunks.order_by("index")
            .annotate(text=Cast("cloud_events", models.TextField()))
            .values_list("text", flat=True)
        )
        events = [e for text in stored if text for e in orjson.loads(text)]
        events.sort(key=lambda e: (e.get("ts") or 0, e.get("event_id") or ""))
        return events


class IngestFile(models.Model):
    """One file of a batch: what it was detected as, its hashes and its own counts.

    The duplicate check keys on the hash of the decompressed content AND the format, so the same
    content gzipped or plain counts once, and a file forced into the wrong format can be ingested
    again with another. A file whose first bytes are a known file's whole content (a log that grew,
    or its rotated copy) is counted from `offset` on: only the new tail."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        DONE = "done", "Done"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        DUPLICATE = "duplicate", "Already ingested"
        REFUSED = "refused", "Refused"

    COUNTED = ("queued", "done", "needs_attention")

    run = models.ForeignKey(IngestRun, on_delete=models.CASCADE, related_name="files")
    index = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=300)
    path = models.CharField(max_length=1000)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, help_text="Of the bytes as stored (gzip or not).")
    content_sha256 = models.CharField(
        max_length=64, blank=True, help_text="Of the decompressed content: the duplicate key."
    )
    head_sha256 = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="Of the first 64 KB of the content."
    )
    content_length = models.BigIntegerField(default=0, help_text="Decompressed length.")
    offset = models.BigIntegerField(
        default=0, help_text="Content bytes already counted by `prefix_of`; only the rest counts."
    )
    prefix_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    format = models.CharField(max_length=32, blank=True)
    format_requested = models.CharField(max_length=32, blank=True)
    format_detected = models.CharField(
        max_length=32, blank=True, help_text="What detection on the content says, even if forced."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(blank=True)
    lines_read = models.BigIntegerField(default=0)
    lines_parsed = models.BigIntegerField(default=0)
    lines_skipped = models.BigIntegerField(default=0)
    lines_header = models.BigIntegerField(default=0)
    lines_matched = models.BigIntegerField(default=0)
    events_duplicate = models.BigIntegerField(default=0)
    skip_counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_sha256", "format"],
                # A large file's hash is owed ('') for the seconds until a worker computes it.
                condition=Q(status__in=["queued", "done", "needs_attention"])
                & ~Q(content_sha256=""),
                name="discovery_ingestfile_content_uniq",
            )
        ]
        indexes = [models.Index(fields=["path", "size"])]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.index} {self.file_name}"

    @property
    def lines_prefiltered(self) -> int:
        return max(0, self.lines_read - self.lines_parsed - self.lines_skipped - self.lines_header)

    @property
    def is_counted(self) -> bool:
        return self.status in self.COUNTED


class IngestChunk(models.Model):
    """A byte range of one file of a run; its row is the merge key, so re-running a chunk never
    double counts. `skip` is the decompressed prefix of a gzip file that is already counted."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    run = models.ForeignKey(IngestRun, on_delete=models.CASCADE, related_name="chunks")
    file = models.ForeignKey(
        IngestFile, null=True, blank=True, on_delete=models.CASCADE, related_name="chunks"
    )
    index = models.PositiveIntegerField()
    start = models.BigIntegerField()
    end = models.BigIntegerField()
    skip = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    results = models.JSONField(default=dict, blank=True)
    packs = models.JSONField(
        default=list,
        blank=True,
        help_text="The chunk's rollups as packed COPY text, one per write part of the run.",
    )
    cloud_events = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker took the chunk; cleared if it is lost."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="discovery_ingestchunk_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.index}"


class IngestPart(models.Model):
    """One part of a batch's rollup write: the rows of the identities that hash to ``index``.

    Parts hold disjoint keys, so workers write them at once; the row is the part's merge key
    (locked, then marked done in the writing transaction), so a part is never written twice."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        QUEUED = "queued", "Queued"
        DONE = "done", "Done"

    run = models.ForeignKey(IngestRun, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    rows = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="discovery_ingestpart_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:part {self.index}"


class CloudEventSeen(models.Model):
    """Every CloudTrail eventID counted once: the same event in an S3 .json.gz, a JSON-lines
    export and a lookup-events dump is inserted with ON CONFLICT DO NOTHING, and only the rows
    that were new are counted and handed to the rules."""

    event_id = models.CharField(max_length=128, unique=True)
    run = models.ForeignKey(
        IngestRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_time = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.event_id


class UsageCounts(models.Model):
    """Traffic counters shared by the rollups and the per-app summaries merged with them."""

    requests = models.BigIntegerField(default=0)
    bytes_up = models.BigIntegerField(default=0)
    bytes_down = models.BigIntegerField(default=0)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        abstract = True


class UsageRollup(UsageCounts):
    """Traffic summed per (app or unknown host, identity, day); never one row per log line."""

    app_key = models.CharField(max_length=80, blank=True, help_text="Empty for an unknown host.")
    host = models.CharField(max_length=253, blank=True, help_text="Only for unknown hosts.")
    identity = models.CharField(max_length=200, blank=True)
    team = models.CharField(max_length=120, blank=True)
    day = models.DateField()

    class Meta:
        ordering = ["-day", "app_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["app_key", "host", "identity", "day"], name="discovery_rollup_uniq"
            )
        ]
        indexes = [models.Index(fields=["app_key", "day"]), models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.app_key or self.host} {self.identity} {self.day}"


class AppUsageDay(UsageCounts):
    """Rollups summed per (app or unknown host, day), merged in the rollups' own transaction.

    The discovered-AI list reads these (apps × days rows) instead of summing every rollup.
    """

    app_key = models.CharField(max_length=80, blank=True)
    host = models.CharField(max_length=253, blank=True)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app_key", "host", "day"], name="discovery_appday_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.app_key or self.host} {self.day}"


class AppUsageTotal(UsageCounts):
    """All-time usage per app or unknown host, so the default discovered-AI page reads one row
    per app; `users` grows only when an identity is first recorded in AppIdentity."""

    app_key = models.CharField(max_length=80, blank=True)
    host = models.CharField(max_length=253, blank=True)
    users = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app_key", "host"], name="discovery_apptotal_uniq")
        ]

    def __str__(self) -> str:
        return self.app_key or self.host


class AppIdentity(models.Model):
    """The last day an identity used an app: distinct users since any day is a count of these."""

    app_key = models.CharField(max_length=80, blank=True)
    host = models.CharField(max_length=253, blank=True)
    identity = models.CharField(max_length=200)
    last_day = models.DateField()

    class Meta:
        verbose_name_plural = "app identities"
        constraints = [
            models.UniqueConstraint(
                fields=["app_key", "host", "identity"], name="discovery_appidentity_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.app_key or self.host} {self.identity}"


class IdentityMapping(models.Model):
    """IP → person and person → team, valid for a period (from a directory or DHCP export)."""

    class Kind(models.TextChoices):
        IP = "ip", "IP address"
        USER = "user", "User name"
        AWS_PRINCIPAL = "aws_principal", "AWS principal"
        HOST = "host", "Device host name (DHCP leases resolve through it)"
        MAC = "mac", "Device MAC address (DHCP leases resolve through it)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    identifier = models.CharField(max_length=300)
    person = models.CharField(max_length=200)
    team = models.CharField(max_length=120, blank=True)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_to = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=60, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "identifier"]
        indexes = [models.Index(fields=["kind", "identifier"])]

    def __str__(self) -> str:
        return f"{self.identifier} → {self.person}"


class DiscoveredApp(models.Model):
    """First sighting of an app or unknown host, and the inventory system it was sanctioned as."""

    app_key = models.CharField(max_length=80, blank=True)
    host = models.CharField(max_length=253, blank=True)
    name = models.CharField(max_length=200)
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    first_run = models.ForeignKey(
        IngestRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    system = models.ForeignKey(
        "inventory.AISystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="discovered_apps",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["app_key", "host"], name="discovery_app_uniq")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def subject(self) -> str:
        """The URL key of the app page: the catalogue key, or host:<name> for unknown hosts."""
        return self.app_key or f"host:{self.host}"


class Finding(models.Model):
    """Something a rule noticed that a person must decide on."""

    class Kind(models.TextChoices):
        UNSANCTIONED_USE = "unsanctioned_use", "AI app used without a sanctioned system"
        BLOCKED_USE = "blocked_use", "Blocked or unsanctioned AI app used"
        NEW_APP = "new_app", "New AI app seen"
        USAGE_SPIKE = "usage_spike", "Usage spike"
        POSSIBLE_AI = "possible_ai", "Possible AI endpoint (review)"
        LLMJACKING = "llmjacking", "Cloud AI credential abuse (LLMjacking)"
        OAUTH_APP = "oauth_app", "AI app granted access to corporate data"
        UNLISTED_MODEL = "unlisted_model", "Model in use that the inventory does not list"
        MODEL_NOT_ALLOWED = "model_not_allowed", "Model outside the allowlist"
        SPEND_SPIKE = "spend_spike", "AI spend spike"
        SHARED_KEY = "shared_key", "Gateway key used by more than one team"
        BUDGET = "budget", "Budget threshold reached"
        DRIFT = "drift", "Observed use differs from the inventory"

    class Severity(models.TextChoices):
        INFO = "info", "Info"
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        ASSIGNED = "assigned", "Assigned"
        SANCTIONED = "sanctioned", "Sanctioned"
        BLOCKED = "blocked", "Blocked"
        DISMISSED = "dismissed", "Dismissed"

    OPEN_STATES = (State.OPEN, State.ASSIGNED)

    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, db_index=True)
    title = models.CharField(max_length=300)
    dedupe_key = models.CharField(max_length=300)
    app_key = models.CharField(max_length=80, blank=True)
    host = models.CharField(max_length=253, blank=True)
    principal = models.CharField(max_length=300, blank=True)
    source_ip = models.CharField(max_length=64, blank=True)
    region = models.CharField(max_length=200, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    occurrences = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.OPEN, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismiss_reason = models.TextField(blank=True)
    system = models.ForeignKey(
        "inventory.AISystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="discovery_findings",
    )
    run = models.ForeignKey(
        IngestRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_seen", "-pk"]
        permissions = [("triage_finding", "Can triage discovery findings")]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(state__in=["open", "assigned"]),
                name="discovery_finding_one_open",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def subject(self) -> str:
        return self.app_key or self.host or self.principal


class BlocklistEntry(models.Model):
    """A domain we tell proxies and resolvers to refuse; exported as domains, Squid ACL and RPZ."""

    domain = models.CharField(max_length=253, unique=True)
    app_key = models.CharField(max_length=80, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        verbose_name_plural = "blocklist entries"

    def __str__(self) -> str:
        return self.domain


class CloudTrailEvent(models.Model):
    """A CloudTrail event the LLMjacking rules read (Bedrock, STS identity checks, IAM key and
    quarantine calls), kept by event time so the rules are re-evaluated over a principal's whole
    history whatever order the files arrive in. One row per eventID."""

    event_id = models.CharField(max_length=128, unique=True)
    ts = models.DateTimeField(help_text="eventTime")
    principal = models.CharField(max_length=300, blank=True)
    event_name = models.CharField(max_length=120)
    source = models.ForeignKey(
        LogSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    run = models.ForeignKey(
        IngestRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(help_text="The compact event the rules take.")

    class Meta:
        ordering = ["ts", "event_id"]
        indexes = [models.Index(fields=["principal", "ts"]), models.Index(fields=["source", "ts"])]

    def __str__(self) -> str:
        return f"{self.event_name} {self.event_id}"


class CloudPrincipal(models.Model):
    """Per-principal Bedrock history by event time (first/last event, first/last successful
    call), widened with min/max as files arrive, so late files of earlier days count as earlier."""

    principal = models.CharField(max_length=300, unique=True)
    source = models.ForeignKey(
        LogSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_event = models.DateTimeField()
    last_event = models.DateTimeField()
    first_success = models.DateTimeField(null=True, blank=True)
    last_success = models.DateTimeField(null=True, blank=True)
    events = models.BigIntegerField(default=0)
    successes = models.BigIntegerField(default=0)
    baseline = models.BooleanField(
        default=False, help_text="Steady Bedrock use before the learning period ended."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["principal"]

    def __str__(self) -> str:
        return self.principal


class OAuthGrant(models.Model):
    """An OAuth grant of one app (client id) by one user, merged by event time from Workspace token
    activity and Entra audit logs: a revoke later than the last grant makes it inactive, whatever
    order the files arrive in."""

    source = models.CharField(max_length=20, help_text="gws_token or entra_audit.")
    app_key = models.CharField(max_length=80, blank=True, help_text="Empty: not a catalogue app.")
    app_name = models.CharField(max_length=200)
    client_id = models.CharField(max_length=200)
    user = models.CharField(max_length=200)
    scopes = models.JSONField(default=list, blank=True)
    scope_classes = models.JSONField(default=list, blank=True)
    first_granted = models.DateTimeField(null=True, blank=True)
    last_granted = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(
        default=True, help_text="Granted and not revoked after the last grant (by event time)."
    )
    run = models.ForeignKey(
        IngestRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["app_name", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "client_id", "user"], name="discovery_oauthgrant_uniq"
            )
        ]
        indexes = [models.Index(fields=["app_key", "active"])]

    def __str__(self) -> str:
        return f"{self.app_name} → {self.user}"


class ModelUsageDay(models.Model):
    """AI-gateway, model-invocation and trace usage summed per app × identity × team × key ×
    model × region × service × day, with tokens and cost."""

    source = models.CharField(max_length=20, help_text="litellm, bedrock_invocation or otel_genai.")
    app_key = models.CharField(max_length=80, blank=True, help_text="Empty: unknown provider.")
    identity = models.CharField(max_length=200, blank=True)
    team = models.CharField(max_length=120, blank=True)
    key_alias = models.CharField(max_length=200, blank=True)
    model = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=40, blank=True)
    service = models.CharField(max_length=200, blank=True)
    day = models.DateField()
    requests = models.BigIntegerField(default=0)
    input_tokens = models.BigIntegerField(default=0)
    output_tokens = models.BigIntegerField(default=0)
    cost = models.DecimalField(max_digits=16, decimal_places=6, default=0)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    system = models.ForeignKey(
        "inventory.AISystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="model_usage",
    )

    class Meta:
        ordering = ["-day", "app_key", "model"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "source",
                    "app_key",
                    "identity",
                    "team",
                    "key_alias",
                    "model",
                    "region",
                    "service",
                    "day",
                ],
                name="discovery_modelusageday_uniq",
            )
        ]
        indexes = [models.Index(fields=["system", "day"]), models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.model or self.app_key} {self.team or self.identity} {self.day}"

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class ModelCallSeen(models.Model):
    """Every identified model call counted once: a LiteLLM request_id, a Bedrock requestId or an
    OTel trace and span id, keyed with its source. Overlapping gateway exports, or the same call
    in two files, add its tokens and cost once."""

    key = models.CharField(max_length=200, unique=True)
    run = models.ForeignKey(
        IngestRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.key


class UsageBudget(models.Model):
    """A monthly token and spend budget per team or gateway key, and the team's model allowlist."""

    class Scope(models.TextChoices):
        TEAM = "team", "Team"
        KEY = "key", "Key"

    class Origin(models.TextChoices):
        SIGHTLINE = "sightline", "Set in Sightline"
        GATEWAY = "gateway", "Read from the gateway"

    scope = models.CharField(max_length=8, choices=Scope.choices)
    name = models.CharField(max_length=200, help_text="The team name or the key alias.")
    monthly_tokens = models.BigIntegerField(null=True, blank=True)
    monthly_spend = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    model_allowlist = models.JSONField(
        default=list, blank=True, help_text="Glob patterns of allowed models; empty = any model."
    )
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.SIGHTLINE)
    tpm_limit = models.BigIntegerField(
        null=True, blank=True, help_text="Tokens per minute the gateway allows (LiteLLM tpm_limit)."
    )
    rpm_limit = models.BigIntegerField(
        null=True, blank=True, help_text="Requests per minute the gateway allows (rpm_limit)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scope", "name"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "name"], name="discovery_usagebudget_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.name}"
