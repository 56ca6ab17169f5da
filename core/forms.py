"""Form fields shared by every app's forms: dates are typed in Jalali, with any digits."""

import datetime as dt

import jdatetime
from django import forms
from django.utils.translation import gettext_lazy as _

from core.jalali import ARABIC_DIGITS, PERSIAN_DIGITS, localize_digits, parse_jalali_date


class JalaliDateField(forms.CharField):
    """A Jalali date typed with any digits (۱۴۰۴/۰۲/۲۰), cleaned to a Gregorian date."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"data-jdp": "", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        """A stored (Gregorian) date shown as the Jalali date people type, in their digits."""
        if isinstance(value, dt.date):
            local = jdatetime.date.fromgregorian(date=value)
            return localize_digits(f"{local.year:04d}/{local.month:02d}/{local.day:02d}")
        return value

    def to_python(self, value):
        value = super().to_python(value)
        return parse_jalali_date(value) if value else None


_SEPARATORS = {",", "٬", "،", "'", " ", "\u202f"}


class NumberField(forms.IntegerField):
    """A whole number typed with Persian, Arabic-Indic or Latin digits, with or without thousands
    separators. A text input (inputmode numeric): a browser's type=number field silently drops
    Persian digits. One script per number: "۱2" is refused with a message, never guessed."""

    default_error_messages = {
        "mixed": _("write the number in one kind of digits (۱۲ or 12), not both"),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr", "autocomplete": "off"})
        )
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        """A stored number shown in the reader's digits (read back by `to_python`)."""
        return localize_digits(value) if isinstance(value, int) and not isinstance(value, bool) else value

    def to_python(self, value):
        if isinstance(value, str):
            text = "".join(ch for ch in value.strip() if ch not in _SEPARATORS)
            scripts = {
                "persian" if ch in PERSIAN_DIGITS else "arabic" if ch in ARABIC_DIGITS else "latin"
                for ch in text
                if ch.isdigit()
            }
            if len(scripts) > 1:
                raise forms.ValidationError(self.error_messages["mixed"], code="mixed")
            value = text.translate(str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, "0123456789" * 2))
        return super().to_python(value)
