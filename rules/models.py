"""The rules administrators keep: the working calendar, each step's service level, the legal windows
and the city council's voting rules."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.jalali import format_jalali
from core.tenancy import city_column
from rules.calendar import FRIDAY, SATURDAY_TO_WEDNESDAY
from rules.steps import Step

WEEKDAYS = [
    (5, _("Saturday")),
    (6, _("Sunday")),
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
]


def default_working_weekdays():
    return list(SATURDAY_TO_WEDNESDAY)


class CalendarSettings(models.Model):
    """One row: which weekdays are worked, and whether a statutory window ending on a day off extends."""

    working_weekdays = models.JSONField(
        _("working weekdays"),
        default=default_working_weekdays,
        help_text=_("Python weekday numbers: Saturday 5, Sunday 6, Monday 0 … Thursday 3. Friday is never worked."),
    )
    extend_window_on_holiday = models.BooleanField(
        _("a window ending on a day off runs to the next working day"),
        default=False,
        help_text=_("The law does not settle it; decide with the municipality's legal office."),
    )

    class Meta:
        verbose_name = _("calendar settings")
        verbose_name_plural = _("calendar settings")

    def __str__(self):
        return str(_("Working calendar"))

    def clean(self):
        days = self.working_weekdays
        if not isinstance(days, list) or not days or any(d not in range(7) for d in days):
            raise ValidationError({"working_weekdays": _("Choose at least one weekday.")})
        if FRIDAY in days:
            raise ValidationError({"working_weekdays": _("Friday is always a day off.")})
        self.working_weekdays = sorted(set(days), key=lambda d: (d - 5) % 7)


class Holiday(models.Model):
    """An official holiday: fixed solar ones repeat, lunar ones move and are entered each year."""

    class Kind(models.TextChoices):
        SOLAR = "solar", _("Solar (fixed)")
        LUNAR = "lunar", _("Lunar (moves each year)")
        OTHER = "other", _("Other (announced)")

    date = models.DateField(_("date"))
    # empty: the national rule (or the installation's); a city's own row overrides it for that city
    municipality = city_column(
        _("Empty for a national holiday; a city's own holiday (its local day) counts only there.")
    )
    name_fa = models.CharField(_("name (Persian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SOLAR)
    # a lunar holiday computed from the Hijri calendar: Iran's official calendar may differ by a day,
    # so it counts as a holiday but waits for an administrator to confirm it or move it a day
    tentative = models.BooleanField(_("to be confirmed"), default=False)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(municipality=None), name="one_national_holiday"
            ),
            models.UniqueConstraint(fields=["date", "municipality"], name="one_city_holiday"),
        ]

    def __str__(self):
        # Jalali, in digits any reader's page localises (the text is also kept in audit rows)
        return f"{format_jalali(self.date, language='en')} {self.name_fa}"


MAX_WORKING_DAYS = 250  # a working year


class ServiceLevel(models.Model):
    """How long a step may take, in working days, and when to remind and escalate (data)."""

    stage = models.CharField(_("step"), max_length=40, choices=Step.choices)
    # empty: the national rule (or the installation's); a city's own row overrides it for that city
    municipality = city_column(_("Empty for the installation's service level; a city's own replaces it there."))

    working_days = models.PositiveSmallIntegerField(_("working days to act"))
    remind_days_before = models.PositiveSmallIntegerField(_("remind this many working days before"), default=2)
    escalate_days_after = models.PositiveSmallIntegerField(_("escalate this many working days after"), default=3)

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["stage"]
        constraints = [
            models.UniqueConstraint(fields=["stage"], condition=models.Q(municipality=None), name="one_level_per_step"),
            models.UniqueConstraint(fields=["stage", "municipality"], name="one_city_level_per_step"),
            # within a working year: a longer one has no due date the calendar can count to
            models.CheckConstraint(
                condition=models.Q(
                    working_days__gte=1,
                    working_days__lte=MAX_WORKING_DAYS,
                    remind_days_before__lte=models.F("working_days"),
                    escalate_days_after__gte=1,
                    escalate_days_after__lte=MAX_WORKING_DAYS,
                ),
                name="service_level_within_a_year",
                violation_error_message=_(
                    "A step takes 1 to 250 working days, is reminded no earlier than it opens, and escalated "
                    "1 to 250 working days after it is due."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.stage}: {self.working_days}"


class LegalRule(models.Model):
    """A legal window as data: the law, the article and the days, which differ between texts."""

    code = models.SlugField(_("code"), max_length=60)
    # empty: the national rule (or the installation's); a city's own row overrides it for that city
    municipality = city_column(_("Empty for the national rule; a city's own only where the national rule allows one."))
    # whether the law lets a municipality set its own window (a city's row is refused otherwise)
    city_may_override = models.BooleanField(_("a city may set its own"), default=False)
    name_fa = models.CharField(_("name (Persian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    law = models.CharField(_("law"), max_length=500)
    article = models.CharField(_("article"), max_length=100)
    days = models.PositiveSmallIntegerField(_("days"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("legal rule")
        verbose_name_plural = _("legal rules")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=models.Q(municipality=None), name="one_national_rule"),
            models.UniqueConstraint(fields=["code", "municipality"], name="one_city_rule"),
            models.CheckConstraint(
                condition=models.Q(days__gte=1, days__lte=366),
                name="legal_window_within_a_year",
                violation_error_message=_("A legal window is 1 to 366 days."),
            ),
        ]

    def __str__(self):
        return f"{self.name_fa} ({self.days})"

    def clean(self):
        if self.municipality_id is None:
            return
        national = LegalRule.objects.filter(code=self.code, municipality=None).first()
        if national is None or not national.city_may_override:
            raise ValidationError(
                {"municipality": _("The law sets this window for every city: no city may set its own.")}
            )


class CouncilRules(models.Model):
    """How a city council vote passes: members seated, quorum, and whose majority counts."""

    class Majority(models.TextChoices):
        OF_PRESENT = "present", _("more than half of the members present")
        OF_MEMBERS = "members", _("more than half of all members")

    # empty: the rules every council follows unless its city has its own row (its size differs)
    municipality = models.OneToOneField(
        "people.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    members = models.PositiveSmallIntegerField(_("members of the council"), default=13)
    quorum = models.PositiveSmallIntegerField(_("members present for a quorum"), default=9)
    majority = models.CharField(_("majority"), max_length=10, choices=Majority.choices, default=Majority.OF_PRESENT)

    class Meta:
        verbose_name = _("city council rules")
        verbose_name_plural = _("city council rules")
        constraints = [
            # a quorum larger than the council refused every vote: its revisions could never pass it
            models.CheckConstraint(
                condition=models.Q(members__gte=1, quorum__gte=1, quorum__lte=models.F("members")),
                name="council_quorum_within_members",
                violation_error_message=_("The quorum is at least one member and at most the council's members."),
            )
        ]

    def __str__(self):
        return f"{self.members} / {self.quorum} / {self.get_majority_display()}"
