"""Every write of the notifications app."""

import datetime as dt
import logging
import threading
import time

import jdatetime
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from approvals import audit
from approvals.models import User
from approvals.services import audit_record
from notifications.models import CalendarSettings, Deadline, Holiday, Notification, Outbox, Reminder, ServiceLevel
from notifications.selectors import working_calendar

# Iran's official holidays on fixed solar dates: (month, day, Persian, English)
FIXED_SOLAR_HOLIDAYS = [
    (1, 1, "عید نوروز", "Nowruz"),
    (1, 2, "عید نوروز", "Nowruz"),
    (1, 3, "عید نوروز", "Nowruz"),
    (1, 4, "عید نوروز", "Nowruz"),
    (1, 12, "روز جمهوری اسلامی", "Islamic Republic Day"),
    (1, 13, "روز طبیعت", "Nature Day"),
    (3, 14, "رحلت امام خمینی", "Death of Imam Khomeini"),
    (3, 15, "قیام ۱۵ خرداد", "15 Khordad uprising"),
    (11, 22, "پیروزی انقلاب اسلامی", "Victory of the Islamic Revolution"),
    (12, 29, "ملی شدن صنعت نفت", "Nationalisation of the oil industry"),
]


def register_audit_actions() -> None:
    audit.register_action("notifications.calendar.change", _("Working calendar changed"))
    audit.register_action("notifications.holiday.add", _("Holidays added"))
    audit.register_action("notifications.holiday.delete", _("Holiday removed"))
    audit.register_action("notifications.outbox.retry", _("Message sent again"))


@transaction.atomic
def calendar_settings_update(
    *, working_weekdays: list[int], extend_window_on_holiday: bool, acting_user: User | None
) -> CalendarSettings:
    """Change the working week or the window rule; Friday can never be a working day."""
    settings = CalendarSettings.objects.select_for_update().first() or CalendarSettings()
    before = {"working_weekdays": settings.working_weekdays, "extend": settings.extend_window_on_holiday}
    settings.working_weekdays = list(working_weekdays)
    settings.extend_window_on_holiday = extend_window_on_holiday
    settings.full_clean()
    settings.save()
    audit_record(
        action="notifications.calendar.change",
        actor=acting_user,
        obj=settings,
        data={
            "before": before,
            "after": {"working_weekdays": settings.working_weekdays, "extend": extend_window_on_holiday},
        },
    )
    return settings


@transaction.atomic
def holidays_add_fixed_solar(*, first_year: int, last_year: int, acting_user: User | None = None) -> int:
    """Add the fixed solar holidays of Jalali years first_year..last_year; returns how many were new."""
    wanted = [
        Holiday(date=jdatetime.date(year, month, day).togregorian(), name_fa=fa, name_en=en, kind=Holiday.Kind.SOLAR)
        for year in range(first_year, last_year + 1)
        for month, day, fa, en in FIXED_SOLAR_HOLIDAYS
    ]
    existing = set(Holiday.objects.filter(date__in=[h.date for h in wanted]).values_list("date", flat=True))
    new = [h for h in wanted if h.date not in existing]
    Holiday.objects.bulk_create(new)
    working_calendar.changed()  # a bulk write sends no signals
    if new:
        audit_record(
            action="notifications.holiday.add",
            actor=acting_user,
            data={"years": [first_year, last_year], "dates": sorted(str(h.date) for h in new)},
        )
    return len(new)


@transaction.atomic
def holiday_save(*, holiday: Holiday, acting_user: User | None) -> Holiday:
    """Add or correct one holiday (a lunar holiday is entered each year when it is announced)."""
    holiday.full_clean()
    holiday.save()
    audit_record(
        action="notifications.holiday.add",
        actor=acting_user,
        obj=holiday,
        data={"date": str(holiday.date), "name": holiday.name_fa, "kind": holiday.kind},
    )
    return holiday


@transaction.atomic
def holiday_delete(*, holiday: Holiday, acting_user: User | None) -> None:
    audit_record(
        action="notifications.holiday.delete",
        actor=acting_user,
        obj=holiday,
        data={"date": str(holiday.date), "name": holiday.name_fa},
    )
    holiday.delete()


# Working days each step may take; administrators change them (ServiceLevel rows).
SERVICE_LEVEL_DEFAULTS = {
    "draft": 10,
    "sign_off": 5,
    "integration": 10,
    "assemble": 10,
    "policy_council": 10,
    "city_council": 15,
    "issuance": 5,
}


def service_levels_ensure(*, using: str = "default") -> None:
    """Create the default service levels if missing; never overwrites a change."""
    for stage, days in SERVICE_LEVEL_DEFAULTS.items():
        ServiceLevel.objects.using(using).get_or_create(stage=stage, defaults={"working_days": days})


def notify(*, recipients, event: str, obj=None, context: dict | None = None) -> list[Notification]:
    """Tell people something in the app, in the caller's transaction (so nothing is told of a
    change that rolled back). Each person is told once per call."""
    return _notifications_save(_notification_rows(recipients=recipients, event=event, obj=obj, context=context))


def _notification_rows(*, recipients, event: str, obj=None, context: dict | None = None) -> list[Notification]:
    """Unsaved notifications of one event: each active person once."""
    from notifications.events import EVENTS

    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    seen, rows = set(), []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient=user,
                event=event,
                context=context or {},
                object_type=obj._meta.label_lower if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "",
            )
        )
    return rows


def _notifications_save(rows: list[Notification]) -> list[Notification]:
    """Save notifications with their emails' outbox rows, in one statement each; deliver after commit."""
    created = Notification.objects.bulk_create(rows) if rows else []
    _deliver_after_commit([o.pk for o in _outbox_rows_for(created) if o.pk])
    return created


def task_due_on(*, task, stage: str):
    """(due date, statutory?) of a new task: legal windows in calendar days, other steps in working days."""
    from approvals.models import ConformityReview
    from approvals.selectors import legal_rule
    from notifications.selectors import service_levels, working_calendar

    today = timezone.localdate()
    if stage == "governorate":
        review = ConformityReview.objects.filter(revision_id=task.process.artifact_object_id).latest("id")
        return timezone.localdate(review.window_ends_at), True
    if stage == "reconsideration":
        rule = legal_rule("council-reconsideration")
        return working_calendar().statutory_deadline(today, rule.days), True
    level = service_levels().get(stage)
    if level is None:
        return None, False
    return working_calendar().add_working_days(today, level.working_days), False


def task_opened(*, task, subject) -> Deadline | None:
    """A human task was created: give it its due date and tell those who may act on it."""
    from notifications.selectors import task_candidates

    stage = task.flow_task.name
    due_on, statutory = task_due_on(task=task, stage=stage)
    deadline = None
    if due_on is not None:
        deadline = Deadline.objects.create(task=task, stage=stage, due_on=due_on, statutory=statutory)
    notify(
        recipients=task_candidates(task),
        event="task.waiting",
        obj=subject,
        context={"subject": str(subject), "step": stage, "due": due_on.isoformat() if due_on else ""},
    )
    return deadline


@transaction.atomic
def notification_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    """Mark some (or all) of a person's notifications read; returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


# ---------------------------------------------------------------------------------------------
# Email through the outbox

MAX_ATTEMPTS = 5
logger = logging.getLogger(__name__)


def _email_for(notification: Notification, recipient: User) -> tuple[str, str]:
    from notifications.events import render

    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        text = render(notification, recipient.language)
        subject = f"{translation.gettext('Baznegar')}: {text}"[:300]
        return subject, text


def _outbox_rows_for(notifications: list[Notification]) -> list[Outbox]:
    rows = []
    for notification in notifications:
        user = notification.recipient
        if user.email_preference != User.EmailPreference.IMMEDIATE or not user.email:
            continue
        subject, body = _email_for(notification, user)
        rows.append(
            Outbox(
                idempotency_key=f"notification:{notification.pk}",
                recipient=user,
                to_address=user.email,
                subject=subject,
                body=body,
            )
        )
    return Outbox.objects.bulk_create(rows) if rows else []  # keys are unique per notification


def _deliver_after_commit(ids: list[int]) -> None:
    """Hand the messages to Celery once the transaction has committed; if the broker is down the
    periodic sweep delivers them, so nothing is lost and nothing is sent for a rolled-back change."""
    if not ids:
        return

    def enqueue():
        from notifications.tasks import deliver_outbox, deliver_outbox_many

        if broker_breaker.is_open():
            return  # the broker failed a moment ago: the sweep delivers, the request does not wait
        try:
            if len(ids) == 1:
                deliver_outbox.apply_async(args=[ids[0]], retry=False)
            else:  # one broker message for the lot: publishing costs more than the email's row
                deliver_outbox_many.apply_async(args=[list(ids)], retry=False)
        except Exception:  # the broker is down: the sweep will find the rows pending
            broker_breaker.trip()
            logger.warning("broker unavailable; outbox %s left for the sweep", ids)

    transaction.on_commit(enqueue)


class _Breaker:
    """After a failed hand-off, this process stops trying the broker for BROKER_BREAKER_SECONDS:
    nothing is lost (the rows stay pending for the sweep), and no request waits on a broker that
    is known to be down."""

    def __init__(self):
        self.open_until = 0.0
        self.lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self) -> None:
        with self.lock:
            self.open_until = time.monotonic() + getattr(settings, "BROKER_BREAKER_SECONDS", 30)

    def reset(self) -> None:
        self.open_until = 0.0


broker_breaker = _Breaker()


def outbox_deliver(*, outbox_id: int) -> str:
    """Send one pending message, at most once at a time (row lock), and record the outcome."""
    with transaction.atomic():
        message = (
            Outbox.objects.select_for_update(skip_locked=True)
            .filter(pk=outbox_id, status=Outbox.Status.PENDING)
            .first()
        )
        if message is None:
            return "skipped"  # already sent, failed, or being sent by another worker
        message.attempts += 1
        try:
            EmailMessage(
                subject=message.subject,
                body=message.body,
                to=[message.to_address],
                headers={"Message-ID": f"<{message.idempotency_key.replace(':', '.')}@baznegar>"},
            ).send()
        except Exception as error:  # any failure of the mail server is recorded and retried
            message.last_error = f"{error.__class__.__name__}: {error}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = Outbox.Status.FAILED
            else:
                message.next_attempt_at = timezone.now() + dt.timedelta(minutes=2**message.attempts)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return message.status
        message.status = Outbox.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return "sent"


def outbox_sweep(*, limit: int = 500) -> dict:
    """Deliver whatever is pending and due (after a broker outage, a crash, or a retry delay)."""
    ids = list(
        Outbox.objects.filter(status=Outbox.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    results: dict[str, int] = {}
    for outbox_id in ids:
        outcome = outbox_deliver(outbox_id=outbox_id)
        results[outcome] = results.get(outcome, 0) + 1
    return results


@transaction.atomic
def outbox_retry(*, outbox: Outbox, acting_user: User | None) -> Outbox:
    """Send a failed message again (from the admin)."""
    outbox = Outbox.objects.select_for_update().get(pk=outbox.pk)
    if outbox.status != Outbox.Status.FAILED:
        return outbox
    outbox.status, outbox.attempts, outbox.next_attempt_at = Outbox.Status.PENDING, 0, timezone.now()
    outbox.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_record(
        action="notifications.outbox.retry", actor=acting_user, obj=outbox, data={"key": outbox.idempotency_key}
    )
    _deliver_after_commit([outbox.pk])
    return outbox


# ---------------------------------------------------------------------------------------------
# Reminders and escalation


def _supervisors(task) -> list:
    """Who hears of a step left overdue: a draft's committee chairs, else the planning office."""
    from guardian.shortcuts import get_users_with_perms

    from approvals.roles import Role

    subject = task.process.artifact
    if task.flow_task.name == "draft" and getattr(subject, "committee", None) is not None:
        return list(get_users_with_perms(subject.committee, only_with_perms_in=["sign_off_amendment"]))
    return list(User.objects.filter(groups__name=Role.PLANNING_OFFICE, is_active=True))


def reminders_sweep(*, today: dt.date | None = None) -> dict:
    """Remind before the due date, on it, and every working day after; escalate once after the
    delay. Reads only deadlines due within the look-ahead (indexed), so its cost follows the
    number of tasks that are due, not the number of tasks. Each reminder is recorded with a
    unique key in the same transaction as its notifications: never twice, never lost."""
    from notifications.selectors import service_levels, task_candidates, working_calendar

    today = today or timezone.localdate()
    calendar = working_calendar()
    levels = service_levels()
    lookahead = max([level.remind_days_before for level in levels.values()] or [2])
    horizon = calendar.add_working_days(today, lookahead)
    counts = dict.fromkeys(Reminder.Kind.values, 0)
    due = (
        Deadline.objects.filter(due_on__lte=horizon, task__status__in=["NEW", "ASSIGNED"])
        .select_related("task", "task__process", "task__owner")
        .order_by("due_on")
    )
    due = list(due)
    # reminders already sent today are skipped without touching the database again
    already = set(Reminder.objects.filter(deadline__in=due, on_date=today).values_list("deadline_id", "kind"))
    wanted = []
    for deadline in due:
        level = levels.get(deadline.stage)
        before = level.remind_days_before if level else 2
        escalate_after = level.escalate_days_after if level else 3
        kinds = []
        if deadline.due_on > today:
            if calendar.working_days_between(today, deadline.due_on) == before:
                kinds.append(Reminder.Kind.BEFORE)
        elif deadline.due_on == today:
            kinds.append(Reminder.Kind.DUE)
        elif calendar.is_working_day(today):
            kinds.append(Reminder.Kind.OVERDUE)
            if calendar.working_days_between(deadline.due_on, today) == escalate_after:
                kinds.append(Reminder.Kind.ESCALATION)
        wanted.extend((deadline, kind) for kind in kinds if (deadline.pk, kind) not in already)
    people = _RecipientCache(task_candidates)
    batch = max(1, settings.REMINDER_BATCH_SIZE)
    for start in range(0, len(wanted), batch):
        for kind in _remind_batch(wanted[start : start + batch], today=today, people=people):
            counts[kind] += 1
    return counts


REMINDER_EVENTS = {
    Reminder.Kind.BEFORE: "task.reminder",
    Reminder.Kind.DUE: "task.due_today",
    Reminder.Kind.OVERDUE: "task.overdue",
    Reminder.Kind.ESCALATION: "task.escalated",
}


class _RecipientCache:
    """Who is told of a task, looked up once per owner, or per permission and object, in a sweep:
    a thousand due tasks of one committee's sign-off cost one permission query, not a thousand."""

    def __init__(self, candidates):
        self.candidates = candidates
        self.found: dict = {}

    def of(self, task, kind) -> list:
        if kind == Reminder.Kind.ESCALATION:
            key = ("supervisors", task.flow_task.name == "draft", getattr(task.process.artifact, "committee_id", None))
            compute = _supervisors
        elif task.owner_id:
            return [task.owner]
        else:
            key = (
                "candidates",
                task.owner_permission,
                task.owner_permission_content_type_id,
                task.owner_permission_obj_pk,
            )
            compute = self.candidates
        if key not in self.found:
            self.found[key] = compute(task)
        return self.found[key]


def _attach_artifacts(deadlines) -> None:
    """Load the amendments and revisions of many tasks with one query per kind (not one per task)."""
    from django.contrib.contenttypes.models import ContentType

    wanted: dict[int, set] = {}
    for deadline in deadlines:
        process = deadline.task.process
        wanted.setdefault(process.artifact_content_type_id, set()).add(process.artifact_object_id)
    loaded = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        for pk, obj in model.objects.in_bulk(list(ids)).items():
            loaded[(type_id, pk)] = obj
    for deadline in deadlines:
        process = deadline.task.process
        artifact = loaded.get((process.artifact_content_type_id, process.artifact_object_id))
        if artifact is not None:
            process.artifact = artifact  # the generic relation's cache: no query when read


def _remind_batch(items, *, today: dt.date, people: _RecipientCache) -> list[str]:
    """Record a batch of reminders and their notifications in one transaction (REMINDER_BATCH_SIZE):
    a killed worker loses at most the batch it was writing, which the next sweep redoes. Returns
    the kinds sent.
    If another sweep recorded one of them meanwhile (the unique key), the batch is rolled back
    and redone one by one, so each reminder is still sent exactly once."""
    try:
        with transaction.atomic():
            Reminder.objects.bulk_create([Reminder(deadline=d, kind=kind, on_date=today) for d, kind in items])
            _attach_artifacts([d for d, _kind in items])
            rows = []
            for deadline, kind in items:
                task = deadline.task
                subject = task.process.artifact
                rows += _notification_rows(
                    recipients=people.of(task, kind),
                    event=REMINDER_EVENTS[kind],
                    obj=subject,
                    context={"subject": str(subject), "step": deadline.stage, "due": deadline.due_on.isoformat()},
                )
            _notifications_save(rows)
            return [kind for _deadline, kind in items]
    except IntegrityError:
        return [kind for deadline, kind in items if _remind(deadline=deadline, kind=kind, today=today, people=people)]


def _remind(*, deadline: Deadline, kind: str, today: dt.date, people: _RecipientCache) -> bool:
    try:
        with transaction.atomic():
            Reminder.objects.create(deadline=deadline, kind=kind, on_date=today)
            task = deadline.task
            subject = task.process.artifact
            notify(
                recipients=people.of(task, kind),
                event=REMINDER_EVENTS[kind],
                obj=subject,
                context={"subject": str(subject), "step": deadline.stage, "due": deadline.due_on.isoformat()},
            )
            return True
    except IntegrityError:
        return False  # this reminder was already sent today


def digests_send(*, day: dt.date | None = None) -> int:
    """Once a day: one email per person who chose a digest, listing what they were told since."""
    from notifications.events import render

    day = day or timezone.localdate()
    since = timezone.now() - dt.timedelta(days=1)
    made = 0
    for user in User.objects.filter(email_preference=User.EmailPreference.DIGEST, is_active=True).exclude(email=""):
        recent = list(Notification.objects.filter(recipient=user, created_at__gte=since).order_by("created_at"))
        if not recent:
            continue
        key = f"digest:{user.pk}:{day.isoformat()}"
        if Outbox.objects.filter(idempotency_key=key).exists():
            continue  # today's digest was already written
        with transaction.atomic(), translation.override(user.language or settings.LANGUAGE_CODE):
            lines = [f"- {render(n, user.language)}" for n in recent]
            subject = translation.gettext("Your Baznegar digest: %(count)s notifications.") % {"count": len(recent)}
            message = Outbox.objects.create(
                idempotency_key=key, recipient=user, to_address=user.email, subject=subject, body="\n".join(lines)
            )
            _deliver_after_commit([message.pk])
            made += 1
    return made
