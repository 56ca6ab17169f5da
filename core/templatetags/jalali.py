"""Template filters for Jalali dates and Persian digits: {{ value|jdate }}, {{ value|jdatetime }}."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import conditional_escape, format_html
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
    """Persian digits in rendered HTML (a block, a form's error list, an admin cell) in the Persian
    interface: {% filter digits_html %}…{% endfilter %}, {{ form.non_field_errors|digits_html }}.
    Markup, character references and words with Latin letters (codes, fingerprints, usernames)
    are left as they are; text that was not already safe is escaped first."""
    if hasattr(value, "__html__"):
        value = value.__html__()
    elif not isinstance(value, SafeData):
        value = conditional_escape(value)
    return mark_safe(jalali.localize_digits_html(value))  # noqa: S308 - escaped or safe above


@register.filter
def admin_readonly(field):
    """An admin read-only value: a date or time of the model in Jalali (Django's own display is
    Gregorian), anything else as the admin shows it, numbers in the reader's digits."""
    name = field.field.get("name") if isinstance(field.field, dict) else None
    instance = getattr(field.form, "instance", None)
    try:
        model_field = instance._meta.get_field(name) if instance is not None and isinstance(name, str) else None
    except FieldDoesNotExist:
        model_field = None
    if isinstance(model_field, models.JSONField):  # a stored record, as it is stored (left to right)
        return format_html('<code class="record" dir="ltr">{}</code>', field.contents())
    if isinstance(model_field, models.DateField):
        value = getattr(instance, name)
        if value is None:
            return field.contents()
        return jalali.format_jalali(value, with_time=isinstance(model_field, models.DateTimeField))
    return digits_html(field.contents())


@register.filter
def admin_inline_title(inline_form):
    """An inline row's name: its admin's `object_title` when it has one (see core.admin), else the
    object's own."""
    title = getattr(inline_form.model_admin, "object_title", None)
    named = title(inline_form.original) if title else None
    return named if named is not None else str(inline_form.original)


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


@register.filter
def figure(value):
    """A measured figure (a target, an achieved value, a percentage): whole numbers grouped as
    `amount` does, fractions to two places with the Persian decimal separator; empty as a dash."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return jalali.localize_digits(value)
    if number.is_integer():
        return amount(int(number))
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    if jalali.localize_digits("1") != "1":
        return jalali.localize_digits(text.replace(",", "\u066c").replace(".", "\u066b"))
    return text


@register.filter
def percent(value):
    """A percentage in the reader's digits and sign: ۸۵٪ in Persian, 85% in English; a dash if none."""
    if value is None or value == "":
        return "—"
    shown = figure(value)
    return f"{shown}\u066a" if jalali.localize_digits("1") != "1" else f"{shown}%"


@register.filter
def lookup(mapping, key):
    """A dict's value in a template: {{ standing|lookup:item.code }}; None when absent."""
    return mapping.get(key) if isinstance(mapping, dict) else None
