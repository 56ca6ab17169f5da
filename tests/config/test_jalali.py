import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core import jalali


def test_digits_and_letters_are_normalised():
    assert jalali.ascii_digits("۱۴۰۳/٠٣/۱۷") == "1403/03/17"
    assert jalali.normalize_persian(" كميته پسماند ي ") == "کمیته پسماند ی"
    assert jalali.persian_digits("1405") == "۱۴۰۵"


def test_free_text_keeps_its_digits_and_search_folds_them():
    # stored as typed: Persian digits stay Persian, Latin stay Latin; only the Arabic letters and the ends
    assert jalali.tidy_text("\u200c بازنگري سالانه ۱۴۰۴ ") == "بازنگری سالانه ۱۴۰۴"
    assert jalali.tidy_text("بند 12") == "بند 12"
    # searching and comparing fold both ways to one key
    assert jalali.search_fold("بند ۱۲") == jalali.search_fold("بند 12") == "بند12"
    assert jalali.search_fold("PRJ-٠٤٥") == "prj-045"


def test_shown_digits_are_persian_except_in_codes():
    # a code, a fingerprint or a username is copied as written; numbers and dates read in Persian
    assert jalali.localize_digits("EO3.6 به ACT-S1403 در 1404/01/02", "fa") == "EO3.6 به ACT-S1403 در ۱۴۰۴/۰۱/۰۲"
    assert jalali.localize_digits(12, "fa") == "۱۲" and jalali.localize_digits("EO3.6", "en") == "EO3.6"


def test_seed_date_converts_both_ways():
    # The announcement is dated 17 Khordad 1403 = 6 June 2024.
    assert jalali.parse_jalali_date("1403/03/17") == dt.date(2024, 6, 6)
    assert jalali.parse_jalali_date("۱۴۰۳-۳-۱۷") == dt.date(2024, 6, 6)
    with translation.override("fa"):
        assert jalali.format_jalali(dt.date(2024, 6, 6)) == "۱۴۰۳/۰۳/۱۷"
        assert jalali.format_jalali(dt.date(2024, 6, 6), long=True) == "۱۷ خرداد ۱۴۰۳"
    with translation.override("en"):
        assert jalali.format_jalali(dt.date(2024, 6, 6)) == "1403/03/17"
        assert jalali.format_jalali(dt.date(2024, 6, 6), long=True) == "17 Khordad 1403"


def test_aware_datetime_is_shown_in_tehran_time():
    # 21:00 UTC on 19 March 2024 is 00:30 on 1 Farvardin 1403 in Tehran (UTC+3:30).
    moment = dt.datetime(2024, 3, 19, 21, 0, tzinfo=dt.UTC)
    with translation.override("en"):
        assert jalali.format_jalali(moment, with_time=True) == "1403/01/01 00:30"
    assert jalali.jalali_year(moment) == 1403


def test_parsed_datetime_is_utc():
    value = jalali.parse_jalali_datetime("1403/01/01", "۰۰:۳۰")
    assert value == dt.datetime(2024, 3, 19, 21, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("text", ["", "1403/13/01", "1403/12/31", "hello", "14030317"])
def test_bad_dates_get_a_translated_error(text):
    with translation.override("fa"), pytest.raises(ValidationError) as error:
        jalali.parse_jalali_date(text)
    assert error.value.code == "invalid_jalali_date"


def test_bad_time_is_refused():
    with pytest.raises(ValidationError):
        jalali.parse_jalali_datetime("1403/01/01", "25:00")


def test_year_bounds_follow_farvardin_to_esfand():
    first, last = jalali.jalali_year_bounds(1403)
    assert first == dt.date(2024, 3, 20)
    assert last == dt.date(2025, 3, 20)  # 1403 is a leap year: 30 Esfand
    assert jalali.jalali_year(last) == 1403
    assert jalali.jalali_year(last + dt.timedelta(days=1)) == 1404


def test_a_date_before_the_calendars_epoch_is_shown_as_stored_not_a_server_error():
    # the services refuse such dates; one that still reaches a page (an old row, a database edit)
    # is shown in ISO rather than taking the page down
    assert jalali.format_jalali(dt.date(1, 1, 1), language="fa") == "0001-01-01"
    assert jalali.format_jalali(dt.date(622, 3, 21), language="fa") == "۰۰۰۱/۰۱/۰۱"
