import datetime as dt

import jdatetime
import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from rules.calendar import WorkingCalendar
from rules.models import Holiday
from rules.selectors import working_calendar
from rules.services import calendar_settings_update, holidays_add_fixed_solar


def jd(year, month, day):
    return jdatetime.date(year, month, day).togregorian()


def test_working_days_skip_thursday_friday_and_holidays():
    # Wednesday 1403/07/04 → the next working day is Saturday 1403/07/07
    wednesday = jd(1403, 7, 4)
    assert wednesday.weekday() == 2
    calendar = WorkingCalendar()
    assert calendar.add_working_days(wednesday, 1) == jd(1403, 7, 7)
    assert calendar.add_working_days(wednesday, 5) == jd(1403, 7, 11)
    with_holiday = WorkingCalendar(holidays=frozenset({jd(1403, 7, 7)}))
    assert with_holiday.add_working_days(wednesday, 1) == jd(1403, 7, 8)
    assert with_holiday.working_days_between(wednesday, jd(1403, 7, 11)) == 4


def test_thursday_can_be_a_working_day():
    calendar = WorkingCalendar(working_weekdays=frozenset({5, 6, 0, 1, 2, 3}))
    assert calendar.add_working_days(jd(1403, 7, 4), 1) == jd(1403, 7, 5)


def test_nowruz_holidays_push_a_due_date_past_them():
    holidays = {jd(1403, 12, 29)} | {jd(1404, 1, d) for d in (1, 2, 3, 4, 12, 13)}
    calendar = WorkingCalendar(holidays=frozenset(holidays))
    # Monday 27 Esfand 1403 + 3 working days: Tuesday 28 Esfand; 29 Esfand is a holiday, then
    # Thursday, Friday and Nowruz (Friday 1 to Monday 4 Farvardin); Tuesday 5, Wednesday 6 Farvardin
    start = jd(1403, 12, 27)
    assert start.weekday() == 0
    assert calendar.add_working_days(start, 3) == jd(1404, 1, 6)


def test_statutory_windows_count_calendar_days_and_may_extend():
    notified = jd(1404, 1, 1)
    plain = WorkingCalendar()
    assert plain.statutory_deadline(notified, 14) == jd(1404, 1, 15)
    # the 14th day falls on a Friday (1404/01/15): extended only when the setting says so
    assert jd(1404, 1, 15).weekday() == 4
    extended = WorkingCalendar(extend_window_on_holiday=True)
    assert extended.statutory_deadline(notified, 14) == jd(1404, 1, 16)
    assert WorkingCalendar(extend_window_on_holiday=True).statutory_deadline(jd(1404, 1, 2), 10) == jd(1404, 1, 12)


@pytest.mark.django_db
def test_the_calendar_is_data_administrators_change():
    assert working_calendar() == WorkingCalendar()
    added = holidays_add_fixed_solar(first_year=1403, last_year=1404)
    assert added == 20 and holidays_add_fixed_solar(first_year=1403, last_year=1404) == 0
    assert Holiday.objects.filter(date=jd(1403, 11, 22), name_en="Victory of the Islamic Revolution").exists()
    calendar_settings_update(working_weekdays=[5, 6, 0, 1, 2, 3], extend_window_on_holiday=True, acting_user=None)
    calendar = working_calendar()
    assert calendar.is_working_day(jd(1403, 7, 5))  # a Thursday
    assert not calendar.is_working_day(jd(1404, 1, 13))  # Nature Day
    assert calendar.extend_window_on_holiday
    event = AuditEvent.objects.get(action="rules.calendar.change")
    assert event.data["after"] == {"working_weekdays": [5, 6, 0, 1, 2, 3], "extend": True}


@pytest.mark.django_db
def test_friday_is_never_a_working_day():
    with pytest.raises(ValidationError, match="Friday"):
        calendar_settings_update(working_weekdays=[4, 5], extend_window_on_holiday=False, acting_user=None)
    assert not AuditEvent.objects.filter(action="rules.calendar.change").exists()
    assert working_calendar().working_weekdays == frozenset({5, 6, 0, 1, 2})


def test_the_demo_needs_a_working_day_somewhere():
    with pytest.raises(ValueError):
        WorkingCalendar(working_weekdays=frozenset()).add_working_days(dt.date(2025, 1, 1), 1)


@pytest.mark.django_db
def test_lunar_holidays_are_computed_tentative_and_confirmed_or_moved_a_day(client):
    from audit.models import AuditEvent
    from people.roles import Role
    from rules.services import holiday_confirm, holidays_add_lunar
    from tests.factories import UserFactory

    added = holidays_add_lunar(first_year=1404, last_year=1404)
    lunar = Holiday.objects.filter(kind=Holiday.Kind.LUNAR)
    assert added == lunar.count() >= 17 and not lunar.filter(tentative=False).exists()
    ashura = lunar.get(name_en="Ashura")
    assert ashura.date == dt.date(2025, 7, 5)  # computed; the official date that year was a day later
    assert working_calendar().is_working_day(ashura.date) is False  # counted meanwhile
    assert holidays_add_lunar(first_year=1404, last_year=1404) == 0  # run again: nothing twice
    admin = UserFactory(username="keeper", roles=[Role.ADMINISTRATOR], is_staff=True)
    confirmed = holiday_confirm(holiday=ashura, shift_days=1, acting_user=admin)
    assert confirmed.date == dt.date(2025, 7, 6) and not confirmed.tentative
    event = AuditEvent.objects.get(action="rules.holiday.confirm")
    assert event.data["fields"]["date"] == {"before": "2025-07-05", "after": "2025-07-06"}
    with pytest.raises(Exception, match="one day at most"):
        holiday_confirm(holiday=lunar.filter(tentative=True).first(), shift_days=2, acting_user=admin)
    # and from the holidays' list in the admin, as the keeper of the calendar does it
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    arbaeen = lunar.get(name_en="Arbaeen")
    page = client.get("/admin/rules/holiday/").content.decode()
    assert 'value="confirm_a_day_later"' in page
    answer = client.post(
        "/admin/rules/holiday/", {"action": "confirm_a_day_later", "_selected_action": [arbaeen.pk], "index": 0}
    )
    assert answer.status_code == 302
    moved = Holiday.objects.get(pk=arbaeen.pk)
    assert moved.date == arbaeen.date + dt.timedelta(days=1) and not moved.tentative
    assert AuditEvent.objects.filter(action="rules.holiday.confirm").count() == 2


@pytest.mark.django_db
def test_who_keeps_the_calendar_is_told_until_next_years_lunar_holidays_are_confirmed(client):
    from django.utils import timezone

    from core.jalali import jalali_year
    from people.roles import Role
    from rules.services import holidays_add_lunar
    from tests.factories import UserFactory

    next_year = jalali_year(timezone.localdate()) + 1
    planning = UserFactory(username="planner", roles=[Role.PLANNING_OFFICE], language="en")
    member = UserFactory(username="someone", language="en")
    client.force_login(planning)
    assert "wait to be confirmed" in client.get("/").content.decode()  # none computed yet
    holidays_add_lunar(first_year=next_year, last_year=next_year)
    assert "wait to be confirmed" in client.get("/").content.decode()
    Holiday.objects.filter(kind=Holiday.Kind.LUNAR).update(tentative=False)
    assert "wait to be confirmed" not in client.get("/").content.decode()
    Holiday.objects.filter(kind=Holiday.Kind.LUNAR).update(tentative=True)
    client.force_login(member)
    assert "wait to be confirmed" not in client.get("/").content.decode()  # not theirs to keep
