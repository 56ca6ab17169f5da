"""Decisions on the steps of the approval path, the councils' votes and reviews, and each open
task's deadline and the reminders sent for it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.jalali import format_jalali
from core.tenancy import city_column
from rules.models import LegalRule
from rules.steps import Outcome, Step


class Decision(models.Model):
    """One person's decision on one step of an amendment's or a revision's process.

    A task has at most one decision (a unique key), so when two people decide the same task at
    once exactly one decision counts. The decision keeps the fingerprint of the diff the person
    saw, and on whose behalf a delegate acted.
    """

    Outcome = Outcome  # rules.steps: one source for every outcome

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
        "plan.Revision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("revision"),
    )
    step = models.CharField(_("step"), max_length=40, choices=Step.choices)
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
    # the attachments shown with the text (id, name, sha256, size): the fingerprint covers them too
    files = models.JSONField(_("files shown with the text"), default=list, blank=True)
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


class CouncilVote(models.Model):
    """A city council session's vote on a revision: its resolution number and date, and the tally."""

    revision = models.ForeignKey(
        "plan.Revision", on_delete=models.PROTECT, related_name="council_votes", verbose_name=_("revision")
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
        "plan.Revision", on_delete=models.PROTECT, related_name="conformity_reviews", verbose_name=_("revision")
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


class Deadline(models.Model):
    """The due date of one open human task; the reminder sweep reads only the rows that are due."""

    task = models.OneToOneField("viewflow.Task", on_delete=models.CASCADE, related_name="deadline")
    stage = models.CharField(_("step"), max_length=40, choices=Step.choices)
    due_on = models.DateField(_("due on"))
    statutory = models.BooleanField(_("a legal window"), default=False)
    # the subject's city, whose holidays and service levels the reminders count by
    municipality = city_column()
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [models.Index(fields=["due_on"], name="deadline_due_idx")]

    def __str__(self):
        return f"{self.stage} {format_jalali(self.due_on, language='en')}"


class Reminder(models.Model):
    """One reminder or escalation sent for a deadline on a day: the unique key makes the sweep
    idempotent, however often it runs or is interrupted."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the due date")
        DUE = "due", _("On the due date")
        OVERDUE = "overdue", _("Overdue")
        ESCALATION = "escalation", _("Escalation")

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    on_date = models.DateField(_("on"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["deadline", "kind", "on_date"], name="one_reminder_per_kind_per_day")
        ]

    def __str__(self):
        return f"{self.deadline} {self.kind} {self.on_date}"


class Comment(models.Model):
    """A word in the discussion of an amendment, before and while it is decided: on the amendment as
    a whole or on one of its operations; a reply hangs under the comment that opened its thread. It
    can be edited for a short while (each earlier text kept as a `CommentEdit`), then it is fixed."""

    amendment = models.ForeignKey(
        "plan.Amendment", on_delete=models.PROTECT, related_name="comments", verbose_name=_("amendment")
    )
    operation = models.PositiveIntegerField(
        _("operation"), null=True, blank=True, help_text=_("The operation's number, when the comment is on one.")
    )
    thread = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies", verbose_name=_("thread")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["amendment", "created_at", "pk"]
        indexes = [models.Index(fields=["amendment", "thread"], name="comment_amendment_thread_idx")]

    def __str__(self):
        return f"{self.author} · {format_jalali(self.created_at)}"

    def audit_scope(self) -> dict:
        return {
            "plan": self.amendment.plan_id,
            "amendment": self.amendment_id,
            "committee": self.amendment.committee_id,
        }


class CommentEdit(models.Model):
    """A comment's text before an edit: every edit is kept."""

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="edits", verbose_name=_("comment"))
    body = models.TextField(_("earlier text"))
    replaced_at = models.DateTimeField(_("replaced at"), default=timezone.now)

    class Meta:
        verbose_name = _("comment's earlier text")
        verbose_name_plural = _("comments' earlier texts")
        ordering = ["comment", "replaced_at"]

    def __str__(self):
        return format_jalali(self.replaced_at)
