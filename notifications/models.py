"""The working calendar administrators maintain: the working week, holidays, the window rule."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.calendar import FRIDAY, SATURDAY_TO_WEDNESDAY

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

    date = models.DateField(_("date"), unique=True)
    name_fa = models.CharField(_("name (Persian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SOLAR)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name_fa}"
