"""The rules administrators keep as data are read once per process and seen again as soon as they
change: a holiday, a service level, a legal window, the council's rules."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rules.models import CouncilRules, Holiday, LegalRule, ServiceLevel
from rules.selectors import council_rules, legal_rule, service_levels, working_calendar
from rules.services import holiday_delete, holiday_save, holidays_add_fixed_solar

pytestmark = pytest.mark.django_db
DAY = dt.date(2031, 6, 3)


def test_a_second_read_asks_the_database_nothing():
    working_calendar(), service_levels(), council_rules()
    with CaptureQueriesContext(connection) as queries:
        working_calendar(), service_levels(), council_rules()
    assert len(queries) == 0


def test_a_holiday_saved_or_removed_is_seen_at_once():
    assert DAY not in working_calendar().holidays
    holiday = holiday_save(holiday=Holiday(date=DAY, name_fa="تعطیل"), acting_user=None)
    assert DAY in working_calendar().holidays
    holiday_delete(holiday=holiday, acting_user=None)
    assert DAY not in working_calendar().holidays


def test_holidays_added_in_bulk_are_seen_at_once():
    before = len(working_calendar().holidays)
    added = holidays_add_fixed_solar(first_year=1410, last_year=1410)
    assert added > 0 and len(working_calendar().holidays) == before + added


def test_service_levels_and_legal_rules_changed_by_an_administrator_are_seen(settings):
    level = service_levels()["sign_off"]
    ServiceLevel.objects.filter(pk=level.pk).update(working_days=level.working_days + 4)  # no signal sent
    assert service_levels()["sign_off"].working_days == level.working_days  # still the snapshot
    settings.RULES_CACHE_SECONDS = 0  # another process's change is seen once the snapshot is old
    assert service_levels()["sign_off"].working_days == level.working_days + 4
    settings.RULES_CACHE_SECONDS = 30
    assert legal_rule("conformity-objection").days == 14 and council_rules().quorum == 9  # read, so kept
    rule = LegalRule.objects.get(code="conformity-objection")
    rule.days = 21
    rule.save()
    assert legal_rule("conformity-objection").days == 21
    rules = CouncilRules.objects.get()
    rules.quorum = 10
    rules.save()
    assert council_rules().quorum == 10
    with pytest.raises(LegalRule.DoesNotExist):
        legal_rule("no-such-rule")
