"""What every app's admin shares: dates and times shown in Jalali, as everywhere else people read them."""

import functools

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.forms import JalaliDateField, NumberField
from core.jalali import format_jalali


@functools.cache
def _jalali_column(model, name):
    """A list column showing the date or datetime field `name` in Jalali, sorted by the field; None
    for anything else."""
    if not isinstance(name, str):
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not isinstance(field, models.DateField):  # DateTimeField is one too
        return None
    with_time = isinstance(field, models.DateTimeField)

    @admin.display(description=field.verbose_name, ordering=name)
    def column(obj):
        return format_jalali(getattr(obj, name), with_time=with_time)

    column.__name__ = f"jalali_{name}"
    return column


class JalaliDatesAdmin(admin.ModelAdmin):
    """The admin every app of ours uses: lists show every date and time column in Jalali, in the
    reader's digits and local time (times are stored in UTC), sortable as before; dates are typed in
    Jalali and whole numbers with any digits (tests/browser/test_persian_digits.py holds every admin
    to it)."""

    def get_list_display(self, request):
        return [_jalali_column(self.model, name) or name for name in super().get_list_display(request)]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # a date is typed in Jalali, with any digits, as in every form of the product
        if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
            return JalaliDateField(
                label=db_field.verbose_name, required=not db_field.blank, help_text=_("Jalali, e.g. 1404/01/01")
            )
        # a whole number is typed with any digits: the browser's number input drops Persian ones
        if isinstance(db_field, models.IntegerField) and not db_field.choices and not db_field.primary_key:
            kwargs.pop("widget", None)  # the admin's default is a number input
            return db_field.formfield(form_class=NumberField, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def object_title(self, obj) -> str | None:
        """How the change page names its object (title and breadcrumb), when the model's own
        `__str__` is not for people (a third-party model's English); None keeps `__str__`."""
        return None

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        title = self.object_title(obj) if obj is not None else None
        if title is not None:
            context["original"] = _Titled(obj, title)
            context["subtitle"] = title
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)


class _Titled:
    """An object in the admin's context, named for people and otherwise itself."""

    def __init__(self, obj, title):
        self._obj, self._title = obj, title

    def __getattr__(self, name):
        return getattr(self._obj, name)

    def __str__(self):
        return self._title


class ReadOnlyAdmin(JalaliDatesAdmin):
    """A record (the audit trail, decisions, votes): the admin reads it and nothing else."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
