"""Form fields shared by every app's forms: dates are typed in Jalali, with any digits."""

from django import forms

from config.jalali import parse_jalali_date


class JalaliDateField(forms.CharField):
    """A Jalali date typed with any digits (۱۴۰۴/۰۲/۲۰), cleaned to a Gregorian date."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"data-jdp": "", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return parse_jalali_date(value) if value else None
