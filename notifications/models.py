"""The working calendar administrators maintain: the working week, holidays, the window rule."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.jalali import format_jalali
from notifications.calendar import FRIDAY, SATURDAY_TO_WEDNESDAY

WEEKDAYS = [
    (5, _("Saturday")),
    (6, _("Sunday")),
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
]


def default_working_weekdays():
    return list(SATURDAY_TO_WEDNESDAY)


class CalendarSettings(models.Model):
    """One row: which weekdays are worked, and whether a statutory window ending on a day off extends."""

    working_weekdays = models.JSONField(
        _("working weekdays"),
        default=default_working_weekdays,
        help_text=_("Python weekday numbers: Saturday 5, Sunday 6, Monday 0 … Thursday 3. Friday is never worked."),
    )
    extend_window_on_holiday = models.BooleanField(
        _("a window ending on a day off runs to the next working day"),
        default=False,
        help_text=_("The law does not settle it; decide with the municipality's legal office."),
    )

    class Meta:
        verbose_name = _("calendar settings")
        verbose_name_plural = _("calendar settings")

    def __str__(self):
        return str(_("Working calendar"))

    def clean(self):
        days = self.working_weekdays
        if not isinstance(days, list) or not days or any(d not in range(7) for d in days):
            raise ValidationError({"working_weekdays": _("Choose at least one weekday.")})
        if FRIDAY in days:
            raise ValidationError({"working_weekdays": _("Friday is always a day off.")})
        self.working_weekdays = sorted(set(days), key=lambda d: (d - 5) % 7)


class Holiday(models.Model):
    """An official holiday: fixed solar ones repeat, lunar ones move and are entered each year."""

    class Kind(models.TextChoices):
        SOLAR = "solar", _("Solar (fixed)")
        LUNAR = "lunar", _("Lunar (moves each year)")
        OTHER = "other", _("Other (announced)")

    date = models.DateField(_("date"), unique=True)
    name_fa = models.CharField(_("name (Persian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SOLAR)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self):
        # Jalali, in digits any reader's page localises (the text is also kept in audit rows)
        return f"{format_jalali(self.date, language='en')} {self.name_fa}"


class ServiceLevel(models.Model):
    """How long a step may take, in working days, and when to remind and escalate (data)."""

    stage = models.CharField(_("step"), max_length=40, unique=True)
    working_days = models.PositiveSmallIntegerField(_("working days to act"))
    remind_days_before = models.PositiveSmallIntegerField(_("remind this many working days before"), default=2)
    escalate_days_after = models.PositiveSmallIntegerField(_("escalate this many working days after"), default=3)

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["stage"]

    def __str__(self):
        return f"{self.stage}: {self.working_days}"


class Deadline(models.Model):
    """The due date of one open human task; the reminder sweep reads only the rows that are due."""

    task = models.OneToOneField("viewflow.Task", on_delete=models.CASCADE, related_name="deadline")
    stage = models.CharField(_("step"), max_length=40)
    due_on = models.DateField(_("due on"))
    statutory = models.BooleanField(_("a legal window"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [models.Index(fields=["due_on"], name="deadline_due_idx")]

    def __str__(self):
        return f"{self.stage} {format_jalali(self.due_on, language='en')}"


class Notification(models.Model):
    """What one person is told in the app; shown in their own language when they read it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    event = models.CharField(_("event"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"], name="notification_unread_idx")]

    def __str__(self):
        return f"{self.recipient} · {self.event}"


class Outbox(models.Model):
    """A message that leaves the database (an email), written in the transaction of its cause and
    delivered after commit or by the periodic sweep; its key makes delivery idempotent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    to_address = models.EmailField(_("address"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self):
        return f"{self.to_address}: {self.subject}"


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
