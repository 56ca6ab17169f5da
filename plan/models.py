"""The plan, its issued versions, and amendments as field-level changesets.

An issued version is never rewritten. Item states are rows valid over a range of versions
(`valid_from` ≤ N < `valid_to`): issuing version N+1 closes the rows of the items it changes and
adds their new states, so every earlier version reads back exactly as it was issued, and a diff
between two versions reads only the rows that changed between them.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from plan.schema import Kind


class Plan(models.Model):
    """A city's strategic-operational plan, e.g. Ahvaz 1407."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_fa = models.CharField(_("name (Persian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    city_fa = models.CharField(_("city (Persian)"), max_length=100)
    city_en = models.CharField(_("city (English)"), max_length=100, blank=True)
    # the tenant: who may see the plan and act on it (people.selectors.cities_of); found or made
    # from the city's Persian name when a plan is saved without one (an import, the admin)
    municipality = models.ForeignKey(
        "people.Municipality",
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("municipality"),
        blank=True,
    )
    strategic_start_year = models.PositiveSmallIntegerField(_("strategic horizon from"))
    strategic_end_year = models.PositiveSmallIntegerField(_("strategic horizon to"))
    operational_start_year = models.PositiveSmallIntegerField(_("operational horizon from"))
    operational_end_year = models.PositiveSmallIntegerField(_("operational horizon to"))

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(operational_start_year__lte=models.F("operational_end_year")),
                name="plan_operational_horizon_ordered",
            ),
        ]

    def __str__(self):
        return self.name_fa

    def save(self, *args, **kwargs):
        if self.municipality_id is None:
            from people.services import municipality_ensure

            self.municipality = municipality_ensure(name_fa=self.city_fa, name_en=self.city_en)
        super().save(*args, **kwargs)

    def audit_scope(self) -> dict:
        return {"plan": self.pk}

    @property
    def operational_years(self) -> range:
        return range(self.operational_start_year, self.operational_end_year + 1)


class Committee(models.Model):
    """A specialised committee: owns the outputs of its theme; its members draft amendments to them."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="committees", verbose_name=_("plan"))
    code = models.CharField(_("code"), max_length=20)
    name_fa = models.CharField(_("name (Persian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["plan", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="committee_code_unique_in_plan")]
        permissions = [
            ("draft_amendment", _("Can draft amendments for this committee")),
            ("sign_off_amendment", _("Can sign off amendments of this committee")),
        ]

    def __str__(self):
        return self.name_fa

    def audit_scope(self) -> dict:
        return {"plan": self.plan_id, "committee": self.pk}


class IssuedVersion(models.Model):
    """One issued version of a plan: the legal record; the newest is the version in force."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions", verbose_name=_("plan"))
    number = models.PositiveIntegerField(_("version"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issuance_number = models.CharField(_("issuance number"), max_length=100)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    item_count = models.PositiveIntegerField(_("items"), default=0)
    fingerprint = models.CharField(_("content fingerprint"), max_length=64)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("issued version")
        verbose_name_plural = _("issued versions")
        ordering = ["plan", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="version_number_unique_in_plan"),
            models.UniqueConstraint(fields=["plan", "issuance_number"], name="issuance_number_unique_in_plan"),
        ]

    def __str__(self):
        return f"{self.plan} · v{self.number}"

    def audit_scope(self) -> dict:
        return {"plan": self.plan_id}


class PlanItem(models.Model):
    """The state of one item (objective, output, indicator ...) over a range of versions."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="item_states", verbose_name=_("plan"))
    code = models.CharField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent_code = models.CharField(_("parent"), max_length=40, blank=True)
    name_fa = models.CharField(_("name (Persian)"), max_length=500)
    name_en = models.CharField(_("name (English)"), max_length=500, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    valid_from = models.PositiveIntegerField(_("from version"))
    valid_to = models.PositiveIntegerField(_("until version"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan item state")
        verbose_name_plural = _("plan item states")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code", "valid_from"], name="item_state_unique_per_version"),
            models.UniqueConstraint(
                fields=["plan", "code"], condition=Q(valid_to__isnull=True), name="item_one_current_state"
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "valid_from"], name="item_valid_from_idx"),
            models.Index(fields=["plan", "valid_to"], name="item_valid_to_idx"),
            models.Index(fields=["plan", "kind", "code"], name="item_kind_code_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.name_fa}"


class Amendment(models.Model):
    """A set of field-level changes to a named issued version, drafted for one committee."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting committee sign-off")
        SIGNED_OFF = "signed_off", _("Awaiting integration")
        ACCEPTED = "accepted", _("Accepted into the revision")
        RETURNED = "returned", _("Returned for changes")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ISSUED = "issued", _("Issued")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="amendments", verbose_name=_("plan"))
    base_version = models.ForeignKey(
        IssuedVersion, on_delete=models.PROTECT, related_name="amendments", verbose_name=_("base version")
    )
    committee = models.ForeignKey(
        Committee,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
        verbose_name=_("committee"),
        help_text=_("Empty for an amendment of the integration working group."),
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="drafted_amendments",
        verbose_name=_("drafted by"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    issued_in = models.ForeignKey(
        IssuedVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_amendments",
        verbose_name=_("issued in"),
    )

    rounds = models.PositiveSmallIntegerField(_("drafting rounds"), default=1)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["-created_at"]
        permissions = [("integrate_amendment", _("Can review amendments for the year's revision"))]
        # a committee's newest amendments, on every member's dashboard
        indexes = [models.Index(fields=["committee", "-updated_at"], name="amendment_committee_recent_idx")]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    def audit_scope(self) -> dict:
        return {"plan": self.plan_id, "amendment": self.pk, "committee": self.committee_id}


class AmendmentOperation(models.Model):
    """One operation of an amendment: add, change fields, retire or move an item, with its justification."""

    class Action(models.TextChoices):
        ADD = "add", _("Add an item")
        CHANGE = "change", _("Change fields")
        RETIRE = "retire", _("Retire an item")
        MOVE = "move", _("Move an item")

    amendment = models.ForeignKey(
        Amendment, on_delete=models.CASCADE, related_name="operations", verbose_name=_("amendment")
    )
    position = models.PositiveIntegerField(_("order"))
    action = models.CharField(_("operation"), max_length=10, choices=Action.choices)
    code = models.CharField(_("item code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    # add: {field: value}; change: {field: {"old": .., "new": ..}}; move: {"parent"|"portfolio": {"old", "new"}}
    values = models.JSONField(_("values"), default=dict, blank=True)
    cascade = models.BooleanField(_("retire its children too"), default=False)
    justification = models.TextField(_("justification"))

    class Meta:
        verbose_name = _("amendment operation")
        verbose_name_plural = _("amendment operations")
        ordering = ["amendment", "position"]
        constraints = [
            models.UniqueConstraint(fields=["amendment", "position"], name="operation_position_unique"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.code}"

    def as_dict(self) -> dict:
        return {
            "action": self.action,
            "code": self.code,
            "kind": self.kind,
            "values": self.values,
            "cascade": self.cascade,
            "justification": self.justification,
        }


class Revision(models.Model):
    """The year's package of accepted amendments, put to the councils and issued together."""

    class Status(models.TextChoices):
        ASSEMBLING = "assembling", _("Being assembled by the integration working group")
        POLICY_COUNCIL = "policy_council", _("At the municipality's policy council")
        CITY_COUNCIL = "city_council", _("At the city council")
        GOVERNORATE = "governorate", _("At the governorate's conformity board")
        RECONSIDERATION = "reconsideration", _("Reconsidered by the city council after an objection")
        DISPUTE = "dispute", _("Disputed outside the product")
        CONFIRMED = "confirmed", _("Confirmed, awaiting issuance")
        ISSUED = "issued", _("Issued")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn by the integration working group")

    plan = models.ForeignKey("plan.Plan", on_delete=models.PROTECT, related_name="revisions", verbose_name=_("plan"))
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ASSEMBLING)
    amendments = models.ManyToManyField("plan.Amendment", related_name="revisions", verbose_name=_("amendments"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # 1 until the package is first sent back to assembly; each return adds one, as for amendments
    rounds = models.PositiveSmallIntegerField(_("rounds"), default=1)
    issued_version = models.OneToOneField(
        "plan.IssuedVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revision",
        verbose_name=_("issued version"),
    )

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.title} ({self.year})"

    def audit_scope(self) -> dict:
        return {"plan": self.plan_id, "revision": self.pk}


# a revision in one of these has ended: its amendments that were not issued are back in the pool
REVISION_CLOSED = (Revision.Status.ISSUED, Revision.Status.REJECTED, Revision.Status.WITHDRAWN)


class IssuanceLetter(models.Model):
    """The official letter (ابلاغیه) that issued a version: its PDF, made once when the version was
    issued and never again (what is downloaded later is these bytes), and their SHA-256, which the
    issuance's audit event also names."""

    version = models.OneToOneField(
        IssuedVersion, on_delete=models.PROTECT, related_name="letter", verbose_name=_("issued version")
    )
    # the version's issuance number: unique in its plan (two cities may both issue "1404/112"); the
    # verification page asks for the city where one number was used by several
    number = models.CharField(_("letter number"), max_length=100, db_index=True)
    pdf = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    made_at = models.DateTimeField(_("made at"), default=timezone.now)

    class Meta:
        verbose_name = _("issuance letter")
        verbose_name_plural = _("issuance letters")

    def __str__(self):
        return str(self.number)


class LetterSettings(models.Model):
    """What the planning office words on its letters: the letterhead, who it is sent to, the opening
    and closing, and the signatory's office. Edited in the admin (audited); one row per plan."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="letter_settings", verbose_name=_("plan"))
    letterhead = models.CharField(_("letterhead"), max_length=300, blank=True, help_text=_("Empty: the plan's name"))
    recipients = models.TextField(
        _("recipients, one a line"),
        default="معاونان شهردار\nشهرداران مناطق\nسازمان‌ها و شرکت‌های وابسته",
    )
    opening = models.TextField(
        _("opening"),
        default="به پیوست، بازنگری برنامهٔ راهبردی-عملیاتی شهر که به تصویب شورای اسلامی شهر رسیده و "
        "هیئت تطبیق مصوبات فرمانداری آن را مغایر قانون ندانسته است، برای اجرا ابلاغ می‌شود.",
    )
    closing = models.TextField(_("closing"), default="اجرای دقیق و گزارش پیشرفت آن در موعدهای مقرر الزامی است.")
    signatory_office = models.CharField(_("signatory's office"), max_length=200, default="شهردار")

    class Meta:
        verbose_name = _("letter settings")
        verbose_name_plural = _("letter settings")

    def __str__(self):
        return str(self.plan)


class HorizonRoll(models.Model):
    """A roll-forward: the integration working group's amendment that moves the operational horizon
    on by a year, and how each committee's figures for the new year are prefilled."""

    class Rule(models.TextChoices):
        CARRY = "carry", _("Carry the last year's figure")
        TREND = "trend", _("Extend the trend of the last two years")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="rolls", verbose_name=_("plan"))
    amendment = models.OneToOneField(
        Amendment, on_delete=models.PROTECT, related_name="roll", verbose_name=_("amendment")
    )
    from_start = models.PositiveSmallIntegerField(_("operational horizon from (before)"))
    from_end = models.PositiveSmallIntegerField(_("operational horizon to (before)"))
    to_start = models.PositiveSmallIntegerField(_("operational horizon from (after)"))
    to_end = models.PositiveSmallIntegerField(_("operational horizon to (after)"))
    indicator_rule = models.CharField(_("indicators' new targets"), max_length=10, choices=Rule.choices)
    project_rule = models.CharField(_("projects' new budgets"), max_length=10, choices=Rule.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("horizon roll-forward")
        verbose_name_plural = _("horizon roll-forwards")
        ordering = ["plan", "-to_end"]

    def __str__(self):
        return f"{self.from_start}–{self.from_end} → {self.to_start}–{self.to_end}"

    def audit_scope(self) -> dict:
        return {"plan": self.plan_id, "amendment": self.amendment_id}

    @property
    def new_year(self) -> int:
        return self.to_end


class ProgressRules(models.Model):
    """Where on track ends and at risk begins: the share of the way from the baseline to the target
    (or of the planned progress) an item must have made, as data, one row per plan."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="progress_rules", verbose_name=_("plan"))
    on_track = models.PositiveSmallIntegerField(
        _("on track from (percent)"), default=90, help_text=_("At least this share of the way: on track.")
    )
    at_risk = models.PositiveSmallIntegerField(
        _("at risk from (percent)"),
        default=70,
        help_text=_("At least this share, below on track: at risk; less: off track."),
    )

    class Meta:
        verbose_name = _("progress thresholds")
        verbose_name_plural = _("progress thresholds")
        constraints = [
            models.CheckConstraint(
                condition=Q(at_risk__lt=models.F("on_track"), on_track__lte=100), name="progress_thresholds_ordered"
            )
        ]

    def __str__(self):
        return str(self.plan)

    def audit_scope(self) -> dict:
        return {"plan": self.plan_id}


class ActualReport(models.Model):
    """A committee's report of how a year went for some of its items, entered by a member and
    confirmed by its chair; once confirmed its figures are the record. Nothing in it is ever
    edited: a correction is a new report whose entries name the figures they replace."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the chair's confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        RETURNED = "returned", _("Returned by the chair")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="actual_reports", verbose_name=_("plan"))
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="actual_reports", verbose_name=_("committee")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed or returned by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason for returning"), blank=True)

    class Meta:
        verbose_name = _("actuals report")
        verbose_name_plural = _("actuals reports")
        ordering = ["-entered_at"]
        indexes = [models.Index(fields=["committee", "status"], name="actual_report_committee_idx")]

    def __str__(self):
        return gettext("%(committee)s: figures for %(year)s") % {"committee": self.committee, "year": self.year}

    def audit_scope(self) -> dict:
        return {"plan": self.plan_id, "committee": self.committee_id}


class Actual(models.Model):
    """One figure of a report: an indicator's achieved value, or a project's physical progress and
    spend, for one year; `current` marks the confirmed figure in force for the item and year."""

    report = models.ForeignKey(ActualReport, on_delete=models.PROTECT, related_name="entries", verbose_name=_("report"))
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="actuals", verbose_name=_("plan"))
    code = models.CharField(_("item code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("achieved value"), max_digits=24, decimal_places=4, null=True, blank=True)
    progress = models.DecimalField(
        _("physical progress (percent)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    spend = models.BigIntegerField(_("spend (rials)"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    over_budget_reason = models.TextField(_("why the spend is beyond the budget"), blank=True)
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    current = models.BooleanField(_("in force"), default=False)

    class Meta:
        verbose_name = _("actual")
        verbose_name_plural = _("actuals")
        ordering = ["plan", "year", "code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code", "year"], condition=Q(current=True), name="actual_one_in_force"
            ),
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__gte=0, progress__lte=100),
                name="actual_progress_percent",
            ),
            models.CheckConstraint(condition=Q(spend__isnull=True) | Q(spend__gte=0), name="actual_spend_positive"),
        ]
        indexes = [models.Index(fields=["plan", "current", "year"], name="actual_in_force_idx")]

    def __str__(self):
        return f"{self.code} {self.year}"


class AnnualCall(models.Model):
    """The planning office's call that opens the year's revision: every committee is asked, by a
    date, to propose amendments or to declare that it has none, with the past year's performance in
    front of it."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="calls", verbose_name=_("plan"))
    year = models.PositiveSmallIntegerField(_("year of the revision"))
    deadline = models.DateField(_("answer by"))
    note = models.TextField(_("note to the committees"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)

    class Meta:
        verbose_name = _("annual call")
        verbose_name_plural = _("annual calls")
        ordering = ["plan", "-year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="one_call_per_plan_and_year")]

    def __str__(self):
        return f"{self.plan} · {self.year}"

    def audit_scope(self) -> dict:
        return {"plan": self.plan_id}


class CallAnswer(models.Model):
    """A committee's answer to the year's call: amendments proposed, or none."""

    class Answer(models.TextChoices):
        PENDING = "pending", _("Not answered yet")
        PROPOSED = "proposed", _("Amendments proposed")
        NONE = "none", _("No amendment this year")

    call = models.ForeignKey(AnnualCall, on_delete=models.PROTECT, related_name="answers", verbose_name=_("call"))
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="call_answers", verbose_name=_("committee")
    )
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices, default=Answer.PENDING)
    amendments = models.ManyToManyField(
        Amendment, blank=True, related_name="call_answers", verbose_name=_("amendments proposed")
    )
    note = models.TextField(_("note"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("committee's answer")
        verbose_name_plural = _("committees' answers")
        ordering = ["call", "committee__position"]
        constraints = [models.UniqueConstraint(fields=["call", "committee"], name="one_answer_per_committee")]

    def __str__(self):
        return f"{self.committee} · {self.call.year}"

    def audit_scope(self) -> dict:
        return {"plan": self.call.plan_id, "committee": self.committee_id}


def _attachment_path(instance, filename: str) -> str:
    """Where a file is stored: a random name under the month it came, never the name a person gave
    (which is kept, for display, in `name`)."""
    ending = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ending}"


class Attachment(models.Model):
    """A supporting document of an amendment (a study, the committee's minutes, a map) or of a
    revision: its bytes in the storage, its SHA-256 recorded here and in the audit event, and its
    type read from its content. Removing one keeps the row and the bytes: a decision taken while it
    was shown still names it, and auditors can still read it."""

    amendment = models.ForeignKey(
        Amendment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("amendment"),
    )
    revision = models.ForeignKey(
        Revision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("revision"),
    )
    name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("removed by"),
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amendment__isnull=False, revision__isnull=True)
                | Q(amendment__isnull=True, revision__isnull=False),
                name="attachment_of_one_subject",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def subject(self):
        return self.amendment if self.amendment_id else self.revision

    def audit_scope(self) -> dict:
        return self.subject.audit_scope()

    def shown(self) -> dict:
        """How a decision records the file it was taken with."""
        return {"id": self.pk, "name": self.name, "sha256": self.sha256, "size": self.size}
