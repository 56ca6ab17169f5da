"""Reads of the rules, each from a per-process snapshot refreshed when an administrator edits them."""

import jdatetime

from core.snapshots import snapshot
from rules.calendar import WorkingCalendar
from rules.models import CalendarSettings, CouncilRules, Holiday, LegalRule, ServiceLevel


@snapshot(CalendarSettings, Holiday)
def working_calendar() -> WorkingCalendar:
    """The calendar as administrators keep it (the settings row, or the defaults, and every holiday)."""
    settings = CalendarSettings.objects.first() or CalendarSettings()
    return WorkingCalendar(
        working_weekdays=frozenset(settings.working_weekdays),
        holidays=frozenset(Holiday.objects.values_list("date", flat=True)),
        extend_window_on_holiday=settings.extend_window_on_holiday,
    )


@snapshot(ServiceLevel)
def service_levels() -> dict[str, ServiceLevel]:
    """Each step's service level (working days to take, when to remind and escalate), by stage."""
    return {level.stage: level for level in ServiceLevel.objects.all()}


@snapshot(LegalRule)
def _legal_rules() -> dict[str, LegalRule]:
    return {rule.code: rule for rule in LegalRule.objects.all()}


def legal_rule(code: str) -> LegalRule:
    """The legal rule with this code (a window in days, its law and article), as administrators keep it."""
    try:
        return _legal_rules()[code]
    except KeyError:
        raise LegalRule.DoesNotExist(f"no legal rule {code!r}") from None


@snapshot(CouncilRules)
def council_rules() -> CouncilRules:
    """The city council's size, quorum and majority rule (the defaults until administrators set them)."""
    return CouncilRules.objects.first() or CouncilRules()


def lunar_holidays_unconfirmed(year: int) -> bool:
    """Whether Jalali year `year` has lunar holidays to confirm, or none computed yet."""
    start = jdatetime.date(year, 1, 1).togregorian()
    end = jdatetime.date(year + 1, 1, 1).togregorian()
    lunar = Holiday.objects.filter(kind=Holiday.Kind.LUNAR, date__gte=start, date__lt=end)
    return not lunar.exists() or lunar.filter(tentative=True).exists()
