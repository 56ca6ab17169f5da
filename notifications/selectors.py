"""Reads of the notifications app."""

from notifications.calendar import WorkingCalendar
from notifications.models import CalendarSettings, Holiday


def working_calendar() -> WorkingCalendar:
    """The calendar as administrators keep it now (the settings row, or the defaults, and every holiday)."""
    settings = CalendarSettings.objects.first() or CalendarSettings()
    return WorkingCalendar(
        working_weekdays=frozenset(settings.working_weekdays),
        holidays=frozenset(Holiday.objects.values_list("date", flat=True)),
        extend_window_on_holiday=settings.extend_window_on_holiday,
    )
