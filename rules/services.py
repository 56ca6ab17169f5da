"""Every write of the rules administrators keep: the working calendar and holidays, service
levels, the legal windows and the city council's voting rules."""

import datetime as dt

import jdatetime
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from hijridate import Gregorian, Hijri

from audit import chain
from audit.services import audit_record, field_changes, fields_snapshot
from core.errors import BaznegarError
from rules.models import CalendarSettings, CouncilRules, Holiday, LegalRule, ServiceLevel
from rules.selectors import calendar_rows
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


# Iran's official holidays on Hijri dates: (month, day, Persian, English). Day 0 of a month is the
# last day of the month before it (the martyrdom of Imam Reza is on the last day of Safar).
LUNAR_HOLIDAYS = [
    (1, 9, "تاسوعای حسینی", "Tasua"),
    (1, 10, "عاشورای حسینی", "Ashura"),
    (2, 20, "اربعین حسینی", "Arbaeen"),
    (2, 28, "رحلت پیامبر و شهادت امام حسن مجتبی", "Death of the Prophet and martyrdom of Imam Hasan"),
    (3, 0, "شهادت امام رضا", "Martyrdom of Imam Reza"),
    (3, 8, "شهادت امام حسن عسکری", "Martyrdom of Imam Hasan Askari"),
    (3, 17, "میلاد رسول اکرم و امام جعفر صادق", "Birth of the Prophet and of Imam Sadiq"),
    (6, 3, "شهادت حضرت فاطمه زهرا", "Martyrdom of Fatima"),
    (7, 13, "ولادت امام علی", "Birth of Imam Ali"),
    (7, 27, "مبعث رسول اکرم", "Mab'ath"),
    (8, 15, "ولادت حضرت قائم", "Birth of Imam Mahdi"),
    (9, 21, "شهادت حضرت علی", "Martyrdom of Imam Ali"),
    (10, 1, "عید سعید فطر", "Eid al-Fitr"),
    (10, 2, "تعطیل به مناسبت عید سعید فطر", "Eid al-Fitr holiday"),
    (10, 25, "شهادت امام جعفر صادق", "Martyrdom of Imam Sadiq"),
    (12, 10, "عید سعید قربان", "Eid al-Adha"),
    (12, 18, "عید سعید غدیر خم", "Eid al-Ghadir"),
]


def register_audit_actions() -> None:
    chain.register_action("rules.calendar.change", _("Working calendar changed"))
    chain.register_action("rules.holiday.add", _("Holidays added"))
    chain.register_action("rules.holiday.change", _("Holiday corrected"))
    chain.register_action("rules.holiday.delete", _("Holiday removed"))
    chain.register_action("rules.holiday.confirm", _("Lunar holiday confirmed"))


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
    existing = set(
        Holiday.objects.filter(date__in=[h.date for h in wanted], municipality=None).values_list("date", flat=True)
    )
    new = [h for h in wanted if h.date not in existing]
    Holiday.objects.bulk_create(new)
    calendar_rows.changed()  # a bulk write sends no signals
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


def _hijri_to_date(year: int, month: int, day: int):
    """A Hijri date (Umm al-Qura tables, through hijridate) in Gregorian; day 0 is the last day of
    the month before; None outside the tables."""
    try:
        if day == 0:
            return dt.date(*Hijri(year, month, 1).to_gregorian().datetuple()) - dt.timedelta(days=1)
        return dt.date(*Hijri(year, month, day).to_gregorian().datetuple())
    except (ValueError, OverflowError):
        return None


@transaction.atomic
def holidays_add_lunar(*, first_year: int, last_year: int, acting_user=None) -> int:
    """Add the lunar holidays of Jalali years first_year..last_year, computed from the Hijri
    calendar and marked tentative (Iran's official dates may differ by a day: an administrator
    confirms each or moves it); a date already a holiday is left as it is. Returns how many."""
    start = jdatetime.date(first_year, 1, 1).togregorian()
    end = jdatetime.date(last_year + 1, 1, 1).togregorian()
    first_hijri = Gregorian(start.year, start.month, start.day).to_hijri().year
    last_hijri = Gregorian(end.year, end.month, end.day).to_hijri().year
    wanted = {}
    for hijri_year in range(first_hijri, last_hijri + 1):
        for month, day, fa, en in LUNAR_HOLIDAYS:
            date = _hijri_to_date(hijri_year, month, day)
            if date is not None and start <= date < end:
                wanted.setdefault(date, (fa, en))
    existing = set(Holiday.objects.filter(date__in=list(wanted), municipality=None).values_list("date", flat=True))
    new = [
        Holiday(date=date, name_fa=fa, name_en=en, kind=Holiday.Kind.LUNAR, tentative=True)
        for date, (fa, en) in sorted(wanted.items())
        if date not in existing
    ]
    Holiday.objects.bulk_create(new)
    calendar_rows.changed()  # a bulk write sends no signals
    if new:
        audit_record(
            action="rules.holiday.add",
            actor=acting_user,
            data={"years": [first_year, last_year], "lunar": True, "dates": sorted(str(h.date) for h in new)},
        )
    return len(new)


@transaction.atomic
def holiday_confirm(*, holiday: Holiday, shift_days: int = 0, acting_user) -> Holiday:
    """Confirm a tentative lunar holiday as announced, moving it a day when the official calendar
    differs from the computed one (-1, 0 or +1)."""
    if shift_days not in (-1, 0, 1):
        raise BaznegarError(_("a lunar holiday moves by one day at most"))
    holiday = Holiday.objects.select_for_update().get(pk=holiday.pk)
    before = fields_snapshot(holiday)
    holiday.date = holiday.date + dt.timedelta(days=shift_days)
    holiday.tentative = False
    holiday.full_clean()
    holiday.save()
    audit_record(
        action="rules.holiday.confirm",
        actor=acting_user,
        obj=holiday,
        data={"shift": shift_days, "fields": field_changes(before, fields_snapshot(holiday))},
    )
    return holiday


# Working days each step may take; administrators change them (ServiceLevel rows).
SERVICE_LEVEL_DEFAULTS = {
    Step.DRAFT: 10,
    Step.SIGN_OFF: 5,
    Step.INTEGRATION: 10,
    Step.ASSEMBLE: 10,
    Step.POLICY_COUNCIL: 10,
    Step.CITY_COUNCIL: 15,
    Step.ISSUANCE: 5,
    Step.CONFIRM_ACTUALS: 5,
}


def service_levels_ensure(*, using: str = "default") -> None:
    """Create the default service levels if missing; never overwrites a change."""
    for stage, days in SERVICE_LEVEL_DEFAULTS.items():
        ServiceLevel.objects.using(using).get_or_create(stage=stage, municipality=None, defaults={"working_days": days})


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
            municipality=None,
            defaults={
                "name_fa": name_fa,
                "name_en": name_en,
                "law": LAW_FA,
                "article": "80",
                "days": days,
                "source": "dotic.ir/news/444",
            },
        )
    if not CouncilRules.objects.using(using).filter(municipality=None).exists():
        CouncilRules.objects.using(using).create()
