"""Working days and statutory windows, on the calendar administrators maintain.

Pure date arithmetic: the calendar (working weekdays, holidays, the extension rule) is passed in,
so due dates can be computed for any moment and tested without a database. Dates are Gregorian
`datetime.date`s inside; Jalali only when shown.
"""

import datetime as dt
from dataclasses import dataclass, field

FRIDAY = 4  # Python's weekday(): Monday is 0
SATURDAY_TO_WEDNESDAY = (5, 6, 0, 1, 2)


@dataclass(frozen=True)
class WorkingCalendar:
    working_weekdays: frozenset[int] = frozenset(SATURDAY_TO_WEDNESDAY)
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    # Whether a statutory window ending on a day off runs to the next working day: not settled
    # in law, so it is a setting (see docs/calendar.md).
    extend_window_on_holiday: bool = False

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.working_weekdays and day not in self.holidays

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The day `days` working days after `start` (start itself not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        counted = 0
        guard = 0
        while counted < days:
            day += dt.timedelta(days=1)
            guard += 1
            if guard > 3660:
                raise ValueError("no working day in ten years: check the working week")
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative when `end` is earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + dt.timedelta(days=n)))

    def next_working_day(self, day: dt.date) -> dt.date:
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def statutory_deadline(self, start: dt.date, calendar_days: int) -> dt.date:
        """The last day of a window counted in calendar days, as the law counts them; moved to the
        next working day when it ends on a day off and the setting says so."""
        end = start + dt.timedelta(days=calendar_days)
        return self.next_working_day(end) if self.extend_window_on_holiday else end
