"""Every write of the rules administrators keep: the working calendar and holidays, service
levels, the legal windows and the city council's voting rules."""

import jdatetime
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit import chain
from audit.services import audit_record, field_changes, fields_snapshot
from rules.models import CalendarSettings, CouncilRules, Holiday, LegalRule, ServiceLevel
from rules.selectors import working_calendar
from rules.steps import Step

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
    chain.register_action("rules.calendar.change", _("Working calendar changed"))
    chain.register_action("rules.holiday.add", _("Holidays added"))
    chain.register_action("rules.holiday.change", _("Holiday corrected"))
    chain.register_action("rules.holiday.delete", _("Holiday removed"))


@transaction.atomic
def calendar_settings_update(
    *, working_weekdays: list[int], extend_window_on_holiday: bool, acting_user
) -> CalendarSettings:
    """Change the working week or the window rule; Friday can never be a working day."""
    settings = CalendarSettings.objects.select_for_update().first() or CalendarSettings()
    before = {"working_weekdays": settings.working_weekdays, "extend": settings.extend_window_on_holiday}
    settings.working_weekdays = list(working_weekdays)
    settings.extend_window_on_holiday = extend_window_on_holiday
    settings.full_clean()
    settings.save()
    audit_record(
        action="rules.calendar.change",
        actor=acting_user,
        obj=settings,
        data={
            "before": before,
            "after": {"working_weekdays": settings.working_weekdays, "extend": extend_window_on_holiday},
        },
    )
    return settings


@transaction.atomic
def holidays_add_fixed_solar(*, first_year: int, last_year: int, acting_user=None) -> int:
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
            action="rules.holiday.add",
            actor=acting_user,
            data={"years": [first_year, last_year], "dates": sorted(str(h.date) for h in new)},
        )
    return len(new)


@transaction.atomic
def holiday_save(*, holiday: Holiday, acting_user) -> Holiday:
    """Add or correct one holiday (a lunar holiday is entered each year when it is announced)."""
    stored = Holiday.objects.filter(pk=holiday.pk).first() if holiday.pk else None
    before = fields_snapshot(stored)
    holiday.full_clean()
    holiday.save()
    audit_record(
        action="rules.holiday.change" if stored is not None else "rules.holiday.add",
        actor=acting_user,
        obj=holiday,
        data={
            "date": str(holiday.date),
            "name": holiday.name_fa,
            "kind": holiday.kind,
            "fields": field_changes(before, fields_snapshot(holiday)),
        },
    )
    return holiday


@transaction.atomic
def holiday_delete(*, holiday: Holiday, acting_user) -> None:
    audit_record(
        action="rules.holiday.delete",
        actor=acting_user,
        obj=holiday,
        data={
            "date": str(holiday.date),
            "name": holiday.name_fa,
            "fields": field_changes(fields_snapshot(holiday), {}),
        },
    )
    holiday.delete()


# Working days each step may take; administrators change them (ServiceLevel rows).
SERVICE_LEVEL_DEFAULTS = {
    Step.DRAFT: 10,
    Step.SIGN_OFF: 5,
    Step.INTEGRATION: 10,
    Step.ASSEMBLE: 10,
    Step.POLICY_COUNCIL: 10,
    Step.CITY_COUNCIL: 15,
    Step.ISSUANCE: 5,
}


def service_levels_ensure(*, using: str = "default") -> None:
    """Create the default service levels if missing; never overwrites a change."""
    for stage, days in SERVICE_LEVEL_DEFAULTS.items():
        ServiceLevel.objects.using(using).get_or_create(stage=stage, defaults={"working_days": days})


# The legal windows (docs/domain.md): Article 80 of the law on the organisation, duties and
# elections of the Islamic councils (as amended 1395) and its 1396 implementing regulation. Article
# numbers differ between consolidated texts, so these are defaults an administrator can change.
LAW_FA = "قانون تشکیلات، وظایف و انتخابات شوراهای اسلامی کشور (اصلاحی ۱۳۹۵) و آیین‌نامه اجرایی آن (۱۳۹۶)"


LEGAL_RULE_DEFAULTS = {
    "conformity-objection": ("مهلت اعتراض هیئت تطبیق", "Conformity board's objection window", 14),
    "council-reconsideration": ("مهلت رسیدگی مجدد شورا", "City council's reconsideration window", 10),
}


def legal_defaults_ensure(*, using: str = "default") -> None:
    """Create the legal windows and the council's voting rules if missing; never overwrites a change."""
    for code, (name_fa, name_en, days) in LEGAL_RULE_DEFAULTS.items():
        LegalRule.objects.using(using).get_or_create(
            code=code,
            defaults={
                "name_fa": name_fa,
                "name_en": name_en,
                "law": LAW_FA,
                "article": "80",
                "days": days,
                "source": "dotic.ir/news/444",
            },
        )
    if not CouncilRules.objects.using(using).exists():
        CouncilRules.objects.using(using).create()
