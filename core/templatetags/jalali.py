"""Template filters for Jalali dates and Persian digits: {{ value|jdate }}, {{ value|jdatetime }}."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

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


@register.filter(is_safe=True)
def digits_html(value):
    """Persian digits in rendered HTML (a block, a form's error list) in the Persian interface:
    {% filter digits_html %}…{% endfilter %}, {{ form.non_field_errors|digits_html }}. Markup and
    character references are left as they are; text that was not already safe is escaped first."""
    if hasattr(value, "__html__"):
        value = value.__html__()
    elif not isinstance(value, SafeData):
        value = conditional_escape(value)
    return mark_safe(jalali.localize_digits_html(value))  # noqa: S308 - escaped or safe above


@register.filter(is_safe=True)
def digits_cells(value):
    """Like `digits_html`, for the admin's cells and read-only values: numbers and dates in Persian
    digits, words with Latin letters (codes, fingerprints, usernames) as they are."""
    if hasattr(value, "__html__"):
        value = value.__html__()
    elif not isinstance(value, SafeData):
        value = conditional_escape(value)
    return mark_safe(jalali.localize_cells_html(value))  # noqa: S308 - escaped or safe above


@register.filter
def amount(value):
    """A sum of rials with its thousands separated, in the reader's digits: ۵٬۰۰۰٬۰۰۰٬۰۰۰ in
    Persian, 5,000,000,000 in English. Anything not a whole number is shown as it is."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return jalali.localize_digits(value)
    grouped = f"{number:,}"
    if jalali.localize_digits("1") != "1":  # the Persian interface
        return jalali.localize_digits(grouped.replace(",", "\u066c"))
    return grouped
