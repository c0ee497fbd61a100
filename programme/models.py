"""The governance programme: staff asking to use AI tools, and what the officers decided."""

from django.conf import settings
from django.db import models

from inventory import vocab


class AIUseRequest(models.Model):
    """A member of staff asks to use an AI tool; an officer approves (a system enters the
    inventory), approves with conditions or rejects with a reason."""

    class Status(models.TextChoices):
        INVITED = "invited", "Asked to tell us"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
        REJECTED = "rejected", "Rejected"

    DECIDED = (Status.APPROVED, Status.APPROVED_WITH_CONDITIONS, Status.REJECTED)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ai_use_requests"
    )
    tool_name = models.CharField(max_length=200)
    catalog_key = models.CharField(
        max_length=80, blank=True, help_text="The AI catalogue entry the tool was chosen from."
    )
    vendor_name = models.CharField(max_length=200, blank=True)
    purpose = models.TextField(blank=True)
    data_description = models.TextField(blank=True, help_text="What they will put into the tool.")
    data_categories = models.JSONField(default=list, blank=True)
    affected_people = models.TextField(blank=True)
    team = models.CharField(max_length=120, blank=True)
    jurisdictions = models.JSONField(default=list, blank=True)
    domains = models.JSONField(default=list, blank=True)
    decision_role = models.CharField(
        max_length=24, choices=vocab.DecisionRole.choices, default=vocab.DecisionRole.NONE
    )
    status = models.CharField(
        max_length=30, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    conditions = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    system = models.ForeignKey(
        "inventory.AISystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="use_requests",
    )
    finding = models.ForeignKey(
        "discovery.Finding",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The discovery finding this request was asked from.",
    )
    invitation = models.TextField(blank=True, help_text="What the officer asked, when invited.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("triage_aiuserequest", "Can approve or reject AI-use requests")]

    def __str__(self) -> str:
        return f"AI-use request #{self.pk}: {self.tool_name}"

    @property
    def decided(self) -> bool:
        return self.status in self.DECIDED


class ContentVersion(models.Model):
    """One loaded content file (risk sources, controls or rights rules); immutable once loaded."""

    kind = models.CharField(max_length=20)
    version = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="uniq_programme_content")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.version}"


class _CitedItem(models.Model):
    content = models.ForeignKey(ContentVersion, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=80)
    title = models.CharField(max_length=300)
    citation = models.TextField()
    url = models.URLField(max_length=500)
    confidence = models.CharField(max_length=10)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class RiskCategory(_CitedItem):
    framework = models.CharField(max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "risk categories"
        constraints = [
            models.UniqueConstraint(fields=["content", "code"], name="uniq_risk_category")
        ]


class Control(_CitedItem):
    framework = models.CharField(max_length=120)
    test = models.TextField(
        blank=True, help_text="The test whose result is this control's evidence."
    )
    applies_to_model_types = models.JSONField(default=list, blank=True)
    applies_to_capabilities = models.JSONField(
        default=list, blank=True, help_text="A system with any of these capabilities carries it."
    )
    obligations = models.JSONField(
        default=list, blank=True, help_text="Regime obligation ids (regulations content) it meets."
    )
    evidence_source = models.CharField(
        max_length=40, blank=True, help_text="A record Sightline keeps that evidences it."
    )

    class Meta:
        ordering = ["framework", "code"]
        constraints = [models.UniqueConstraint(fields=["content", "code"], name="uniq_control")]


class RightsRule(_CitedItem):
    regime = models.CharField(max_length=20)
    response = models.JSONField(null=True, blank=True, help_text="{days|business_days|months: N}")
    extension = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["regime", "code"]
        constraints = [models.UniqueConstraint(fields=["content", "code"], name="uniq_rights_rule")]


SCALE = [(n, str(n)) for n in range(1, 6)]


class Risk(models.Model):
    """A risk of one system, or of the whole organisation when no system is set."""

    class Treatment(models.TextChoices):
        MITIGATE = "mitigate", "Mitigate"
        ACCEPT = "accept", "Accept"
        TRANSFER = "transfer", "Transfer"
        AVOID = "avoid", "Avoid"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        TREATING = "treating", "Being treated"
        ACCEPTED = "accepted", "Accepted"
        CLOSED = "closed", "Closed"

    OPEN_STATUSES = (Status.OPEN, Status.TREATING, Status.ACCEPTED)

    system = models.ForeignKey(
        "inventory.AISystem",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="risks",
        help_text="Empty: an organisation-wide risk.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.ForeignKey(RiskCategory, on_delete=models.PROTECT, related_name="risks")
    likelihood = models.PositiveSmallIntegerField(choices=SCALE)
    impact = models.PositiveSmallIntegerField(choices=SCALE)
    residual_likelihood = models.PositiveSmallIntegerField(choices=SCALE, null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(choices=SCALE, null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    treatment = models.CharField(
        max_length=10, choices=Treatment.choices, default=Treatment.MITIGATE
    )
    treatment_plan = models.TextField(blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def inherent_score(self) -> int:
        return self.likelihood * self.impact

    @property
    def residual_score(self) -> int | None:
        if self.residual_likelihood and self.residual_impact:
            return self.residual_likelihood * self.residual_impact
        return None

    @property
    def current(self) -> tuple[int, int]:
        """Where the risk sits now: residual once assessed, inherent before."""
        if self.residual_likelihood and self.residual_impact:
            return self.residual_likelihood, self.residual_impact
        return self.likelihood, self.impact


class RiskControl(models.Model):
    """A control mapped to a risk, with how far it is implemented and its evidence."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        IMPLEMENTED = "implemented", "Implemented"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="controls")
    control = models.ForeignKey(Control, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["control__code"]
        constraints = [
            models.UniqueConstraint(fields=["risk", "control"], name="uniq_risk_control")
        ]

    def __str__(self) -> str:
        return f"{self.control.code} for risk #{self.risk_id}"


class SystemControl(models.Model):
    """A control's implementation for one system (or the organisation, no system) recorded
    directly, e.g. against an obligation it meets, without a risk to hang it on."""

    system = models.ForeignKey(
        "inventory.AISystem",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="programme_controls",
    )
    control = models.ForeignKey(Control, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=RiskControl.Status.choices, default=RiskControl.Status.PLANNED
    )
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["control__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "control"],
                condition=models.Q(system__isnull=False),
                name="uniq_system_control",
            ),
            models.UniqueConstraint(
                fields=["control"],
                condition=models.Q(system__isnull=True),
                name="uniq_organisation_control",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.control.code} for {self.system or 'the organisation'}"


class ControlEvidence(models.Model):
    """A file evidencing a control, mapped on a risk or recorded for a system, in the
    content-addressed store (core.storage)."""

    mapping = models.ForeignKey(
        RiskControl, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    system_control = models.ForeignKey(
        SystemControl, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    sha256 = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=20, blank=True, help_text="What the bytes are (sniffed).")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mapping__isnull=False, system_control__isnull=True)
                | models.Q(mapping__isnull=True, system_control__isnull=False),
                name="control_evidence_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.sha256[:12]})"


class TrainingModule(models.Model):
    """AI-literacy training (EU AI Act Art 4): what, for whom, which version, how long, refresh."""

    title = models.CharField(max_length=200)
    audience = models.CharField(max_length=200, blank=True, help_text="Everyone, a team, users of…")
    version = models.CharField(max_length=40, default="1")
    length_minutes = models.PositiveIntegerField(null=True, blank=True)
    link = models.URLField(blank=True)
    refresh_months = models.PositiveSmallIntegerField(
        default=12, help_text="A completion counts this many months; then it is due again."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "version"]
        constraints = [
            models.UniqueConstraint(fields=["title", "version"], name="uniq_training_module")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class TrainingAssignment(models.Model):
    """A module assigned to a person (their e-mail or user name) or to a whole team."""

    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="assignments")
    person = models.CharField(max_length=200, blank=True)
    team = models.CharField(max_length=120, blank=True)
    due_date = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.module} → {self.person or 'team ' + self.team}"


class TrainingCompletion(models.Model):
    """One person completed one module on a date (typed in or imported from an LMS export)."""

    module = models.ForeignKey(TrainingModule, on_delete=models.PROTECT, related_name="completions")
    person = models.CharField(max_length=200, help_text="E-mail or user name, lower case.")
    team = models.CharField(max_length=120, blank=True)
    completed_on = models.DateField()
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    attested = models.BooleanField(default=False)
    source = models.CharField(max_length=60, blank=True)
    expires_on = models.DateField(
        null=True, blank=True, help_text="completed_on plus the module's refresh cycle."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["module", "person", "completed_on"], name="uniq_training_completion"
            )
        ]
        indexes = [
            models.Index(fields=["person", "completed_on"]),
            models.Index(fields=["expires_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} completed {self.module} on {self.completed_on}"


class RightsRequest(models.Model):
    """A person's request under an AI or privacy law (explanation, correction, appeal, opt-out,
    access), due by the deadline the law sets (content: RightsRule, with its citation)."""

    class Identity(models.TextChoices):
        PENDING = "pending", "Not verified yet"
        VERIFIED = "verified", "Verified"
        FAILED = "failed", "Could not be verified"
        NOT_REQUIRED = "not_required", "Not required"

    class Outcome(models.TextChoices):
        GRANTED = "granted", "Granted"
        PARTIAL = "partial", "Partly granted"
        DENIED = "denied", "Denied"
        WITHDRAWN = "withdrawn", "Withdrawn"

    rule = models.ForeignKey(RightsRule, on_delete=models.PROTECT, related_name="requests")
    system = models.ForeignKey(
        "inventory.AISystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rights_requests",
    )
    reference = models.CharField(
        max_length=120, help_text="Your case reference for the person; keep personal data out."
    )
    received_on = models.DateField()
    identity = models.CharField(max_length=20, choices=Identity.choices, default=Identity.PENDING)
    due_on = models.DateField(null=True, blank=True, help_text="Empty: the law sets no period.")
    extended = models.BooleanField(default=False)
    extension_reason = models.TextField(blank=True)
    responded_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    notes = models.TextField(blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["responded_on", "due_on"])]

    def __str__(self) -> str:
        return f"{self.rule.title} · {self.reference}"

    @property
    def open(self) -> bool:
        return self.responded_on is None

    @property
    def response_days(self) -> int | None:
        return (self.responded_on - self.received_on).days if self.responded_on else None


class NoticeTemplate(_CitedItem):
    """A notice a regime requires (pre-use, adverse decision, AI interaction), as cited content;
    shown for a system whose current classification triggers one of its obligations."""

    class Kind(models.TextChoices):
        PRE_USE = "pre_use", "Pre-use notice"
        ADVERSE_DECISION = "adverse_decision", "Adverse-decision explanation"
        INTERACTION = "interaction", "AI-interaction disclosure"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    regime = models.CharField(max_length=20)
    obligations = models.JSONField(default=list)
    audience = models.CharField(max_length=200, blank=True)
    body = models.TextField(help_text="Markdown with {placeholders} filled from inventory facts.")

    class Meta:
        ordering = ["regime", "kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["content", "code"], name="uniq_notice_template")
        ]


class AnswerLink(models.Model):
    """An assessment answer linked to the risk or control it claims as its mitigation. Lives here,
    above assessments, which never imports the programme."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="+"
    )
    question_id = models.CharField(max_length=160)
    risk = models.ForeignKey(
        Risk, null=True, blank=True, on_delete=models.CASCADE, related_name="answer_links"
    )
    control = models.ForeignKey(
        Control, null=True, blank=True, on_delete=models.PROTECT, related_name="answer_links"
    )
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(risk__isnull=False, control__isnull=True)
                | models.Q(risk__isnull=True, control__isnull=False),
                name="answer_link_one_target",
            ),
            models.UniqueConstraint(
                fields=["assessment", "question_id", "risk"],
                condition=models.Q(risk__isnull=False),
                name="uniq_answer_link_risk",
            ),
            models.UniqueConstraint(
                fields=["assessment", "question_id", "control"],
                condition=models.Q(control__isnull=False),
                name="uniq_answer_link_control",
            ),
        ]

    def __str__(self) -> str:
        target = self.risk or self.control
        return f"{self.question_id} → {target}"
