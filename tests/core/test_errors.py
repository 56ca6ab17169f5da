"""One family of refusals, shown one way at the edge."""

import ast
import pathlib

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from core.errors import BaznegarError, NotAllowed, refusal_messages, refuse
from people.services import DelegationInvalid
from plan.changesets import ChangesetInvalid, Problem
from plan.services import PlanConflict
from workflows.services import DecisionRefused

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ["approvals", "workflows", "plan", "notifications", "people", "rules", "audit", "core", "config"]


def test_every_refusal_of_ours_is_one_family():
    for error in (DecisionRefused, ChangesetInvalid, PlanConflict, DelegationInvalid, NotAllowed):
        assert issubclass(error, BaznegarError)
    assert issubclass(NotAllowed, PermissionDenied)  # Django's handlers still treat it as a 403
    # and no other ValidationError or PermissionDenied subclass is declared anywhere in the apps
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ClassDef):
                    bases = {ast.unparse(b) for b in node.bases}
                    if bases & {"ValidationError", "PermissionDenied"}:
                        assert path.name == "errors.py", f"{path}: {node.name} should join core.errors' family"


def test_no_view_catches_refusals_one_by_one():
    for app in APPS:
        for path in (ROOT / app).rglob("*views.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ExceptHandler) and node.type is not None:
                    caught = ast.unparse(node.type)
                    assert "ValidationError" not in caught and "PermissionDenied" not in caught, (path, caught)


class _Form(forms.Form):
    title = forms.CharField()


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: DecisionRefused("این گام بسته است"), ["این گام بسته است"]),
        (lambda: NotAllowed("you may not decide this step"), ["you may not decide this step"]),
        (lambda: PermissionDenied("not yours"), ["not yours"]),
        (lambda: ValidationError(["one", "two"]), ["one", "two"]),
        (
            lambda: ChangesetInvalid([Problem(index=0, code="", field="", message="bad value")]),
            ["operation 1: bad value"],
        ),
    ],
)
def test_a_refusal_goes_above_the_form_or_onto_the_page(make, expected):
    error = make()  # made in the test's language
    assert refusal_messages(error) == expected
    form = _Form(data={"title": "typed"})
    form.is_valid()
    refuse(form, error)
    assert form.non_field_errors() == expected and form.data["title"] == "typed"  # what was typed stays
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    refuse(request, error)
    assert [m.message for m in get_messages(request)] == ["; ".join(expected)]
