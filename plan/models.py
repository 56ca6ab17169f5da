"""The plan, its issued versions, and amendments as field-level changesets.

An issued version is never rewritten. Item states are rows valid over a range of versions
(`valid_from` ≤ N < `valid_to`): issuing version N+1 closes the rows of the items it changes and
adds their new states, so every earlier version reads back exactly as it was issued, and a diff
between two versions reads only the rows that changed between them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plan.schema import Kind


class Plan(models.Model):
    """A city's strategic-operational plan, e.g. Ahvaz 1407."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_fa = models.CharField(_("name (Persian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    city_fa = models.CharField(_("city (Persian)"), max_length=100)
    city_en = models.CharField(_("city (English)"), max_length=100, blank=True)
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
    number = models.CharField(_("letter number"), max_length=100, unique=True)
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
