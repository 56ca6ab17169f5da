"""Template filters for Jalali dates and Persian digits: {{ value|jdate }}, {{ value|jdatetime }}."""

from django import template

from core import jalali

register = template.Library()


@register.filter
def jdate(value, style=""):
    """A date in Jalali; `|jdate:"long"` spells the month."""
    return jalali.format_jalali(value, long=(style == "long"))


@register.filter
def jdatetime(value):
    """A datetime in Jalali with the local time."""
    return jalali.format_jalali(value, with_time=True)


@register.filter
def digits(value):
    """Persian digits in the Persian interface."""
    return jalali.localize_digits(value)
