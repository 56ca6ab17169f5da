"""Reads of the rules, each from a per-process snapshot refreshed when an administrator edits them."""

import jdatetime

from core.snapshots import snapshot
from rules.calendar import WorkingCalendar
from rules.models import CalendarSettings, CouncilRules, Holiday, LegalRule, ServiceLevel


@snapshot(CalendarSettings, Holiday)
def calendar_rows() -> dict:
    """The settings row (or the defaults), the national holidays, and each city's own."""
    settings = CalendarSettings.objects.first() or CalendarSettings()
    holidays: dict = {}
    for day, city in Holiday.objects.values_list("date", "municipality_id"):
        holidays.setdefault(city, set()).add(day)
    return {"settings": settings, "holidays": holidays, "made": {}}


def working_calendar(municipality_id: int | None = None) -> WorkingCalendar:
    """The calendar as administrators keep it: the working weekdays, the national holidays and, for
    a city, its own holidays too."""
    kept = calendar_rows()
    made = kept["made"]
    if municipality_id not in made:
        national = kept["holidays"].get(None, set())
        local = kept["holidays"].get(municipality_id, set()) if municipality_id is not None else set()
        settings = kept["settings"]
        made[municipality_id] = WorkingCalendar(
            working_weekdays=frozenset(settings.working_weekdays),
            holidays=frozenset(national | local),
            extend_window_on_holiday=settings.extend_window_on_holiday,
        )
    return made[municipality_id]


def cities_with_holidays() -> list[int]:
    """The cities that keep holidays of their own."""
    return [city for city in calendar_rows()["holidays"] if city is not None]


@snapshot(ServiceLevel)
def _service_levels() -> dict:
    found: dict = {}
    for level in ServiceLevel.objects.all():
        found.setdefault(level.municipality_id, {})[level.stage] = level
    return found


def service_levels(municipality_id: int | None = None) -> dict[str, ServiceLevel]:
    """Each step's service level (working days to take, when to remind and escalate), by stage: the
    installation's, each replaced by the city's own where it has one."""
    kept = _service_levels()
    if municipality_id is None or municipality_id not in kept:
        return kept.get(None, {})
    return {**kept.get(None, {}), **kept[municipality_id]}


def remind_days_at_most() -> int:
    """The longest reminder look-ahead of any service level, in any city (the sweep reads that far)."""
    return max([level.remind_days_before for levels in _service_levels().values() for level in levels.values()] or [2])


@snapshot(LegalRule)
def _legal_rules() -> dict:
    return {(rule.code, rule.municipality_id): rule for rule in LegalRule.objects.all()}


def legal_rule(code: str, municipality_id: int | None = None) -> LegalRule:
    """The legal rule with this code (a window in days, its law and article): the national one, or
    the city's own where the national rule lets a city set it."""
    rules = _legal_rules()
    try:
        national = rules[(code, None)]
    except KeyError:
        raise LegalRule.DoesNotExist(f"no legal rule {code!r}") from None
    local = rules.get((code, municipality_id)) if municipality_id is not None else None
    return local if local is not None and national.city_may_override else national


@snapshot(CouncilRules)
def _council_rules() -> dict:
    return {rules.municipality_id: rules for rules in CouncilRules.objects.all()}


def council_rules(municipality_id: int | None = None) -> CouncilRules:
    """A city council's size, quorum and majority rule: its city's row, else the row for every
    council, else the defaults until administrators set them."""
    kept = _council_rules()
    return kept.get(municipality_id) or kept.get(None) or CouncilRules()


def lunar_holidays_unconfirmed(year: int) -> bool:
    """Whether Jalali year `year` has lunar holidays to confirm, or none computed yet."""
    start = jdatetime.date(year, 1, 1).togregorian()
    end = jdatetime.date(year + 1, 1, 1).togregorian()
    lunar = Holiday.objects.filter(kind=Holiday.Kind.LUNAR, date__gte=start, date__lt=end, municipality=None)
    return not lunar.exists() or lunar.filter(tentative=True).exists()
