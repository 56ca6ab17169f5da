"""Every write of the notifications app."""

import jdatetime
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import audit
from approvals.models import User
from approvals.services import audit_record
from notifications.models import CalendarSettings, Deadline, Holiday, Notification, ServiceLevel

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
    return Notification.objects.bulk_create(rows)


def task_due_on(*, task, stage: str):
    """(due date, statutory?) of a new task: legal windows in calendar days, other steps in working days."""
    from approvals.models import ConformityReview, LegalRule
    from notifications.selectors import working_calendar

    today = timezone.localdate()
    if stage == "governorate":
        review = ConformityReview.objects.filter(revision_id=task.process.artifact_object_id).latest("id")
        return timezone.localdate(review.window_ends_at), True
    if stage == "reconsideration":
        rule = LegalRule.objects.get(code="council-reconsideration")
        return working_calendar().statutory_deadline(today, rule.days), True
    level = ServiceLevel.objects.filter(stage=stage).first()
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
