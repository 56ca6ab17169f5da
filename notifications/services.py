"""Every write of the notifications app."""

import jdatetime
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from approvals import audit
from approvals.models import User
from approvals.services import audit_record
from notifications.models import CalendarSettings, Holiday

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
