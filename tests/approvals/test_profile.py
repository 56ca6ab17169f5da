"""The profile page: language, email preference and delegation, each change audited; bad input
is a message beside the field and changes nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.jalali import to_jalali
from people.models import Delegation, User
from people.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def jalali(day: dt.date) -> str:
    value = to_jalali(day)
    return f"{value.year}/{value.month:02d}/{value.day:02d}"


@pytest.fixture
def person(db):
    return UserFactory(username="chair-person", language="en", roles=[Role.POLICY_COUNCIL])


@pytest.fixture
def deputy(db):
    return UserFactory(username="deputy", language="en", roles=[Role.POLICY_COUNCIL])


def test_language_and_email_preference_are_saved_and_audited(client, person):
    client.force_login(person)
    response = client.post(reverse("profile"), {"pref-language": "fa", "pref-email_preference": "digest"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.language, person.email_preference) == ("fa", "digest")
    event = AuditEvent.objects.get(action="people.user.preferences_change")
    assert event.data == {
        "before": {"language": "en", "email_preference": "immediate"},
        "after": {"language": "fa", "email_preference": "digest"},
    }
    assert response.cookies["django_language"].value == "fa"
    html = client.get(reverse("profile")).content.decode()
    assert 'dir="rtl"' in html and "تنظیمات شما ذخیره شد" in html


def test_an_unknown_preference_is_refused_and_changes_nothing(client, person):
    client.force_login(person)
    response = client.post(reverse("profile"), {"pref-language": "de", "pref-email_preference": "sometimes"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    person.refresh_from_db()
    assert (person.language, person.email_preference) == ("en", "immediate")
    assert not AuditEvent.objects.filter(action="people.user.preferences_change").exists()


def test_a_delegation_is_created_shown_and_revoked(client, person, deputy):
    client.force_login(person)
    today = timezone.localdate()
    response = client.post(
        reverse("profile"),
        {"del-substitute": "deputy", "del-starts_on": jalali(today), "del-ends_on": jalali(today + dt.timedelta(7))},
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get(delegator=person, substitute=deputy)
    assert (delegation.starts_on, delegation.ends_on) == (today, today + dt.timedelta(7))
    assert AuditEvent.objects.filter(action="people.delegation.create", object_id=str(delegation.pk)).exists()
    assert "deputy" in client.get(reverse("profile")).content.decode()

    client.force_login(deputy)  # the substitute sees whom they act for, and cannot revoke it
    assert "People I act for" in client.get(reverse("profile")).content.decode()
    assert client.post(reverse("delegation_revoke", args=[delegation.pk])).status_code == 404
    client.force_login(person)
    client.post(reverse("delegation_revoke", args=[delegation.pk]))
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    assert AuditEvent.objects.filter(action="people.delegation.revoke").count() == 1


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"del-substitute": "nobody"}, "substitute", "this person may not act for you"),  # no account confirmed
        ({"del-substitute": "chair-person"}, "substitute", "you cannot delegate to yourself"),
        ({"del-starts_on": "1404/13/01"}, "starts_on", "Jalali"),
        ({"del-ends_on": "yesterday"}, "ends_on", "Jalali"),
        ({"offset_end": -3}, "ends_on", "The end of the range is before its start."),
        ({"offset_start": -10, "offset_end": -5}, None, "the delegation would end in the past"),
    ],
)
def test_a_bad_delegation_is_a_message_beside_its_field(client, person, deputy, data, field, message):
    client.force_login(person)
    today = timezone.localdate()
    form = {
        "del-substitute": "deputy",
        "del-starts_on": jalali(today + dt.timedelta(data.pop("offset_start", 0))),
        "del-ends_on": jalali(today + dt.timedelta(data.pop("offset_end", 5))),
        **data,
    }
    response = client.post(reverse("profile"), form)
    assert response.status_code == 200
    errors = response.context["delegation_form"].errors
    assert any(message in text for text in errors.get(field or "__all__", [])), errors
    assert form["del-substitute"] in response.content.decode()  # what was typed stays
    assert not Delegation.objects.exists()
    assert User.objects.get(pk=person.pk).delegations_given.count() == 0
