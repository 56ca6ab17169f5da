"""Persian digits typed into every whole-number field of every form are stored as the number. The
product's forms are walked in `test_walkthrough` (a revision's year, the council's tally, the audit
filter); here, generated from the registries: every form class of ours and every admin form."""

import importlib
import inspect

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory

from core.forms import NumberField
from people.models import User
from tests.browser.test_phone_width import demo_password, signed_in
from tests.browser.test_walkthrough import browser  # noqa: F401 - the Chromium fixture

OURS = ("core", "audit", "people", "rules", "plan", "notifications", "approvals", "workflows")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _is_number(field) -> bool:
    return isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField) and not field.widget.is_hidden


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = User(username="probe", is_staff=True, is_superuser=True, is_active=True)
    return request


@pytest.mark.django_db
def test_every_number_field_of_ours_and_of_the_admin_takes_any_digits():
    """No form field a person types a number into is a browser number input (which drops ۰–۹)."""
    plain = []
    for label in OURS:
        try:
            module = importlib.import_module(f"{label}.forms")
        except ModuleNotFoundError:
            continue
        for name, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == module.__name__:
                plain += [
                    f"{name}.{f}"
                    for f, field in form.base_fields.items()
                    if _is_number(field) and not isinstance(field, NumberField)
                ]
    request = _superuser_request()
    for model, model_admin in admin.site._registry.items():
        if not (model_admin.has_change_permission(request) or model_admin.has_add_permission(request)):
            continue
        form = model_admin.get_form(request, None)
        plain += [
            f"{model._meta.label}.{name}"
            for name, field in form.base_fields.items()
            if _is_number(field) and not isinstance(field, NumberField)
        ]
    assert plain == [], plain


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_persian_digits_typed_into_every_admin_number_field_are_stored(browser, live_server):  # noqa: F811
    password = demo_password()
    page = signed_in(browser, live_server, "admin", password)
    request = _superuser_request()
    checked = []
    for model, model_admin in admin.site._registry.items():
        row = model._default_manager.order_by("pk").first()
        if row is None or not model_admin.has_change_permission(request, row):
            continue
        form = model_admin.get_form(request, row)
        names = [n for n, f in form.base_fields.items() if _is_number(f) and getattr(row, n, None) is not None]
        if not names:
            continue
        meta = model._meta
        page.goto(f"{live_server.url}/admin/{meta.app_label}/{meta.model_name}/{row.pk}/change/")
        for name in names:
            page.fill(f"#id_{name}", str(getattr(row, name)).translate(PERSIAN))
        page.click('input[name="_save"]')
        page.wait_for_url(f"{live_server.url}/admin/{meta.app_label}/{meta.model_name}/")  # saved, no error
        stored = model._default_manager.get(pk=row.pk)
        assert [getattr(stored, n) for n in names] == [getattr(row, n) for n in names], meta.label
        checked.append(meta.label)
    # the rules an administrator tunes are among them
    assert {"rules.ServiceLevel", "rules.CouncilRules"} <= set(checked), checked
    page.context.close()
