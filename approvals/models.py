"""Users, and the append-only audit trail whose events are chained by hash."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who uses Baznegar; roles come from groups, committee rights from object permissions."""

    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)

    class EmailPreference(models.TextChoices):
        IMMEDIATE = "immediate", _("At once")
        DIGEST = "digest", _("A daily digest")
        OFF = "off", _("No email")

    email_preference = models.CharField(
        _("email"), max_length=10, choices=EmailPreference.choices, default=EmailPreference.IMMEDIATE
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username


class AuditEvent(models.Model):
    """One recorded action. Rows are never updated or deleted (a PostgreSQL trigger refuses it).

    Each event stores the hash of the event before it, so that altering, removing or
    reordering any row breaks the chain and `manage.py verify_audit` names where.
    The user columns carry no database constraint and a copy of the username, so an
    event outlives the deletion of the user it names.
    """

    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(_("actor's username"), max_length=150, blank=True)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    on_behalf_of_username = models.CharField(_("on behalf of (username)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # Where the event belongs, for the auditor's filters and timelines (ids, no constraint: an
    # event outlives what it names). Hashed with the rest.
    scope_plan = models.BigIntegerField(_("plan"), null=True, blank=True)
    scope_revision = models.BigIntegerField(_("revision"), null=True, blank=True)
    scope_amendment = models.BigIntegerField(_("amendment"), null=True, blank=True)
    scope_committee = models.BigIntegerField(_("committee"), null=True, blank=True)
    prev_hash = models.CharField(_("previous event's hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx"),
            models.Index(fields=["actor", "id"], name="audit_actor_idx"),
            models.Index(fields=["on_behalf_of", "id"], name="audit_on_behalf_idx"),
            models.Index(fields=["action", "id"], name="audit_action_idx"),
            models.Index(fields=["scope_plan", "id"], name="audit_plan_idx"),
            models.Index(fields=["scope_revision", "id"], name="audit_revision_idx"),
            models.Index(fields=["scope_amendment", "id"], name="audit_amendment_idx"),
            models.Index(fields=["scope_committee", "id"], name="audit_committee_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.action} {self.object_repr}"

    @property
    def scope(self) -> dict:
        """The scope as it is hashed: only the keys that are set."""
        values = {
            "plan": self.scope_plan,
            "revision": self.scope_revision,
            "amendment": self.scope_amendment,
            "committee": self.scope_committee,
        }
        return {key: value for key, value in values.items() if value is not None}


class AuditChainHead(models.Model):
    """The newest event's id and hash: the lock that serialises appends, and the tail check."""

    last_event_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"#{self.last_event_id} {self.last_hash[:12]}"


class AuditVerification(models.Model):
    """The outcome of one check of the whole chain."""

    checked_at = models.DateTimeField(_("checked at"), default=timezone.now, db_index=True)
    ok = models.BooleanField(_("intact"))
    events_checked = models.BigIntegerField(_("events checked"))
    last_verified_event_id = models.BigIntegerField(_("last verified event"), null=True, blank=True)
    broken_event_id = models.BigIntegerField(_("first broken event"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("audit verification")
        verbose_name_plural = _("audit verifications")
        ordering = ["-checked_at"]

    def __str__(self):
        outcome = _("intact") if self.ok else _("broken")
        return f"{self.checked_at:%Y-%m-%d %H:%M} {outcome}"


class Membership(models.Model):
    """A person's seat on a specialised committee; the rights it gives are object permissions on the committee."""

    class Seat(models.TextChoices):
        MEMBER = "member", _("Member")
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    committee = models.ForeignKey(
        "plan.Committee", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("committee")
    )
    seat = models.CharField(_("seat"), max_length=20, choices=Seat.choices, default=Seat.MEMBER)
    since = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("committee membership")
        verbose_name_plural = _("committee memberships")
        constraints = [models.UniqueConstraint(fields=["user", "committee"], name="one_seat_per_committee")]

    def __str__(self):
        return f"{self.user} · {self.committee} · {self.get_seat_display()}"

    def audit_scope(self) -> dict:
        return {"committee": self.committee_id}


class Decision(models.Model):
    """One person's decision on one step of an amendment's or a revision's process.

    A task has at most one decision (a unique key), so when two people decide the same task at
    once exactly one decision counts. The decision keeps the fingerprint of the diff the person
    saw, and on whose behalf a delegate acted.
    """

    class Outcome(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        APPROVE = "approve", _("Approved")
        RETURN = "return", _("Returned")
        REJECT = "reject", _("Rejected")
        WITHDRAW = "withdraw", _("Withdrawn")
        APPROVE_PARTIAL = "approve_partial", _("Approved without some amendments")
        OBJECT = "object", _("Objected")
        CONFIRM = "confirm", _("Confirmed")
        CONFIRM_BY_SILENCE = "confirm_by_silence", _("Confirmed by silence")
        AMEND = "amend", _("Reopened to amend the content")
        INSIST = "insist", _("Insisted")
        UPHELD = "upheld", _("Resolution upheld")
        OVERTURNED = "overturned", _("Resolution overturned")
        ISSUE = "issue", _("Issued")
        REMOVE = "remove", _("Removed from the revision")
        REASSEMBLE = "reassemble", _("Sent back to assembly")

    task = models.OneToOneField(
        "viewflow.Task",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decision",
        verbose_name=_("task"),
    )
    amendment = models.ForeignKey(
        "plan.Amendment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("amendment"),
    )
    revision = models.ForeignKey(
        "workflows.Revision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("revision"),
    )
    step = models.CharField(_("step"), max_length=40)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    reason = models.TextField(_("reason"), blank=True)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("decided by"),
        help_text=_("Empty when the system decided under a legal rule."),
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now, db_index=True)
    diff_fingerprint = models.CharField(_("fingerprint of the diff decided on"), max_length=64, blank=True)
    # The diff itself as the person saw it (language-neutral entries), so an auditor can read years
    # later exactly what was signed and check it against the fingerprint in the audit chain.
    diff = models.JSONField(_("diff decided on"), default=list, blank=True)
    # the issued version the diff was read against: an amendment's base, or the version in force
    against_version = models.ForeignKey(
        "plan.IssuedVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided against version"),
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_at"]
        constraints = [
            # a decision is on an amendment or on a revision, never both, never neither
            models.CheckConstraint(
                condition=(models.Q(amendment__isnull=False) & models.Q(revision__isnull=True))
                | (models.Q(amendment__isnull=True) & models.Q(revision__isnull=False)),
                name="decision_exactly_one_subject",
            ),
        ]

    def __str__(self):
        return f"{self.step}: {self.get_outcome_display()} ({self.decided_by})"


class LegalRule(models.Model):
    """A legal window as data: the law, the article and the days, which differ between texts."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_fa = models.CharField(_("name (Persian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    law = models.CharField(_("law"), max_length=500)
    article = models.CharField(_("article"), max_length=100)
    days = models.PositiveSmallIntegerField(_("days"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("legal rule")
        verbose_name_plural = _("legal rules")

    def __str__(self):
        return f"{self.name_fa} ({self.days})"


class CouncilRules(models.Model):
    """How a city council vote passes: members seated, quorum, and whose majority counts."""

    class Majority(models.TextChoices):
        OF_PRESENT = "present", _("more than half of the members present")
        OF_MEMBERS = "members", _("more than half of all members")

    members = models.PositiveSmallIntegerField(_("members of the council"), default=13)
    quorum = models.PositiveSmallIntegerField(_("members present for a quorum"), default=9)
    majority = models.CharField(_("majority"), max_length=10, choices=Majority.choices, default=Majority.OF_PRESENT)

    class Meta:
        verbose_name = _("city council rules")
        verbose_name_plural = _("city council rules")

    def __str__(self):
        return f"{self.members} / {self.quorum} / {self.get_majority_display()}"


class CouncilVote(models.Model):
    """A city council session's vote on a revision: its resolution number and date, and the tally."""

    revision = models.ForeignKey(
        "workflows.Revision", on_delete=models.PROTECT, related_name="council_votes", verbose_name=_("revision")
    )
    session_date = models.DateField(_("session date"))
    resolution_number = models.CharField(_("resolution number"), max_length=100)
    members = models.PositiveSmallIntegerField(_("members"))
    present = models.PositiveSmallIntegerField(_("present"))
    votes_for = models.PositiveSmallIntegerField(_("for"))
    votes_against = models.PositiveSmallIntegerField(_("against"))
    abstentions = models.PositiveSmallIntegerField(_("abstentions"))
    passed = models.BooleanField(_("passed"))
    excluded_amendments = models.ManyToManyField(
        "plan.Amendment", blank=True, related_name="+", verbose_name=_("amendments not approved")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("council vote")
        verbose_name_plural = _("council votes")
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    present__gte=models.F("votes_for") + models.F("votes_against") + models.F("abstentions")
                )
                & models.Q(present__lte=models.F("members")),
                name="council_vote_tally_adds_up",
            ),
        ]

    def __str__(self):
        return f"{self.resolution_number} ({self.votes_for}/{self.present})"


class ConformityReview(models.Model):
    """The governorate board's review of a council resolution: the window, and how it ended."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Within the window")
        OBJECTED = "objected", _("Objected")
        CONFIRMED = "confirmed", _("Confirmed")
        CONFIRMED_BY_SILENCE = "confirmed_by_silence", _("Confirmed by silence")

    revision = models.ForeignKey(
        "workflows.Revision", on_delete=models.PROTECT, related_name="conformity_reviews", verbose_name=_("revision")
    )
    vote = models.ForeignKey(CouncilVote, on_delete=models.PROTECT, related_name="+", verbose_name=_("council vote"))
    rule = models.ForeignKey(LegalRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("legal rule"))
    notified_on = models.DateField(_("notified on"))
    window_ends_at = models.DateTimeField(_("window ends at"))
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices, default=Outcome.PENDING)
    legal_ground = models.TextField(_("legal ground of the objection"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("conformity review")
        verbose_name_plural = _("conformity reviews")
        ordering = ["-notified_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision"], condition=models.Q(outcome="pending"), name="one_pending_review_per_revision"
            ),
        ]

    def __str__(self):
        return f"{self.revision} · {self.get_outcome_display()}"


class Delegation(models.Model):
    """An approver names a substitute for a date range; the substitute acts for them, and the record names both."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_given",
        verbose_name=_("delegator"),
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name=_("substitute"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(starts_on__lte=models.F("ends_on")), name="delegation_dates"),
            models.CheckConstraint(
                condition=~models.Q(delegator=models.F("substitute")), name="delegation_not_to_oneself"
            ),
        ]
        indexes = [models.Index(fields=["substitute", "starts_on", "ends_on"], name="delegation_active_idx")]

    def __str__(self):
        return f"{self.delegator} → {self.substitute} ({self.starts_on} – {self.ends_on})"
