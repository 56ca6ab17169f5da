"""Every write an administrator can make in the admin is an audit event, generated from the admin's
own registry: every registered ModelAdmin, and each of add, change and delete it allows a superuser.

A form is submitted as the browser would submit the page (its inputs as rendered, with one field
changed), so what is tested is the admin an administrator uses. A new admin that allows a write
and has no entry in WRITES below fails the test until someone says how to exercise it."""

import datetime as dt
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification, Outbox
from people.models import DirectoryRule, Membership, Municipality, User
from people.services import city_access_grant, membership_grant
from plan.models import Amendment, Committee, LetterSettings, Plan, ProgressRules, Revision
from rules.models import CalendarSettings, CouncilRules, Holiday, LegalRule, ServiceLevel
from tests.factories import UserFactory


class _Form(HTMLParser):
    """The name=value pairs a browser submits for the admin's main form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.in_form = False
        self.select = None
        self.textarea = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form or "name" not in a and tag not in ("option",):
            if tag == "option" and self.select is not None and "selected" in a:
                self._add(self.select, a.get("value", ""))
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(a["name"], a.get("value", "on"))
                return
            self._add(a["name"], a.get("value", ""))
        elif tag == "select":
            self.select = a["name"]
        elif tag == "textarea":
            self.textarea = a["name"]
            self._add(self.textarea, "")
        elif tag == "option" and self.select is not None and "selected" in a:
            self._add(self.select, a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.in_form = False

    def handle_data(self, data):
        if self.textarea is not None:
            self.data[self.textarea][-1] += data


def _page_form(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Form()
    parser.feed(response.content.decode())
    return parser.data


def _plan(**kw):
    values = {"code": f"p-{Plan.objects.count()}", "name_fa": "برنامه", "city_fa": "اهواز"}
    values.update(strategic_start_year=1403, strategic_end_year=1414, operational_start_year=1403)
    values.update(operational_end_year=1407)
    values.update(kw)
    return Plan.objects.create(**values)


def _amendment():
    plan = Plan.objects.filter(versions__isnull=False).first()
    return Amendment.objects.create(
        plan=plan,
        base_version=plan.versions.first(),
        committee=plan.committees.first(),
        drafted_by=UserFactory(),
        title="اصلاحیه",
    )


def _revision():
    amendment = _amendment()
    return Revision.objects.create(plan=amendment.plan, year=1404, title="بازنگری", created_by=amendment.drafted_by)


def _seat():
    committee = Committee.objects.create(plan=_plan(), code="C99", name_fa="کمیته")
    return Membership.objects.get(pk=membership_grant(committee=committee, user=UserFactory(), seat="member").pk)


# model label -> how to exercise it: "make" (an object to change or delete), "add" (what the add form
# needs beyond what it renders; a callable is called then), "change" (one field and its new value, as
# submitted). A write the admin allows but that is not named here fails the test.
WRITES = {
    "auth.group": {
        "make": lambda: Group.objects.create(name="test-group"),
        "add": {"name": "another-group"},
        "change": ("name", "renamed-group"),
    },
    "axes.accessattempt": {
        "make": lambda: AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", failures_since_start=3),
    },
    "axes.accesslog": {"make": lambda: AccessLog.objects.create(username="x", ip_address="10.0.0.1")},
    "axes.accessfailurelog": {
        "make": lambda: AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1", locked_out=False)
    },
    "people.user": {
        "make": lambda: UserFactory(username="someone"),
        "add": {"username": "newcomer", "password1": "a-Long-pass-1234", "password2": "a-Long-pass-1234"},
        "change": ("first_name", "نام‌نو"),
    },
    "people.membership": {"make": _seat},
    # a city added in the admin goes through people.services.municipality_ensure (one event)
    "people.municipality": {
        "make": lambda: Municipality.objects.create(code="sample-city", name_fa="شهر نمونه"),
        "add": {"code": "another-city", "name_fa": "شهر دیگر", "name_en": "Another"},
        "change": ("name_en", "Sample city"),
    },
    # given and taken away by the services (taking away releases the person's claims there)
    "people.cityaccess": {
        "make": lambda: city_access_grant(user=UserFactory(), municipality=Municipality.objects.order_by("pk").first()),
        "add": {
            "user": lambda: UserFactory().pk,
            "municipality": lambda: Municipality.objects.order_by("pk").first().pk,
        },
    },
    "people.directoryrule": {
        "make": lambda: DirectoryRule.objects.create(group="cn=planning,ou=groups,dc=x", role="planning_office"),
        "add": {"group": "cn=auditors,ou=groups,dc=x", "role": "auditor"},
        "change": ("group", "cn=planners,ou=groups,dc=x"),
    },
    # a service account's token: made by an administrator, recorded once by people.tokens
    "people.accesstoken": {
        "make": lambda: _service_token(),
        "add": {"user": lambda: _service_account().pk, "name": "GIS", "scope": "read", "days": "۳۰"},
        "add_status": 200,
    },
    "rules.calendarsettings": {
        "make": lambda: CalendarSettings.objects.first() or CalendarSettings.objects.create(),
        "change": ("extend_window_on_holiday", None),  # unticked
    },
    "rules.holiday": {
        "make": lambda: Holiday.objects.create(date=dt.date(2031, 3, 21), name_fa="نوروز"),
        "add": {"date": "۱۴۱۰/۰۱/۱۲", "name_fa": "روز طبیعت", "kind": "solar"},  # typed in Jalali
        "change": ("name_fa", "عید نوروز"),
    },
    "rules.servicelevel": {
        "make": lambda: ServiceLevel.objects.get_or_create(stage="draft", defaults={"working_days": 10})[0],
        "change": ("working_days", "7"),
    },
    "rules.legalrule": {
        "make": lambda: LegalRule.objects.create(code="x-rule", name_fa="قاعده", law="قانون", article="1", days=5),
        "add": {"code": "y-rule", "name_fa": "قاعده", "law": "قانون", "article": "2", "days": "9"},
        "change": ("days", "21"),
    },
    "rules.councilrules": {
        "make": lambda: CouncilRules.objects.first() or CouncilRules.objects.create(),
        "change": ("quorum", "8"),
    },
    "plan.plan": {
        "make": _plan,
        # no "add": adding a plan is importing it (its page leads there; the import is audited by
        # plan_import, tests/plan/test_admin.py)
        "change": ("name_fa", "برنامه بازنگری‌شده"),
    },
    "plan.committee": {
        "make": lambda: Committee.objects.create(plan=_plan(), code="C98", name_fa="کمیته"),
        "change": ("name_fa", "کمیته نو"),
    },
    "plan.lettersettings": {
        "make": lambda: LetterSettings.objects.create(plan=_plan()),
        "add": {
            "plan": lambda: _plan(code="letter-plan").pk,
            "recipients": "معاونان",
            "opening": "آغاز",
            "closing": "پایان",
            "signatory_office": "شهردار",
        },
        "change": ("signatory_office", "سرپرست شهرداری"),
    },
    "plan.progressrules": {
        "make": lambda: ProgressRules.objects.create(plan=_plan()),
        "add": {"plan": lambda: _plan(code="rules-plan").pk, "on_track": "85", "at_risk": "60"},
        "change": ("on_track", "80"),
    },
    "plan.amendment": {"make": _amendment},  # read here; drafted and decided through its workflow
    "plan.revision": {"make": _revision},
    "notifications.outbox": {
        "make": lambda: Outbox.objects.create(
            idempotency_key="k-1", recipient=UserFactory(), to_address="a@example.org", subject="s", body="b"
        )
    },
    "notifications.notification": {
        "make": lambda: Notification.objects.create(recipient=UserFactory(), event="task.waiting"),
    },
}


def _service_account():
    from people.models import User

    return User.objects.filter(username="gis-system").first() or UserFactory(username="gis-system", is_service=True)


def _service_token():
    from people.tokens import token_create

    admin_user = UserFactory(is_superuser=True, is_staff=True)
    return token_create(user=_service_account(), name="nightly", scope="read", days=5, made_by=admin_user)[0]


def _registry():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower)


def _allowed(model_admin, superuser, obj=None):
    request = RequestFactory().get("/")
    request.user = superuser
    return {
        "add": model_admin.has_add_permission(request),
        "change": model_admin.has_change_permission(request, obj),
        "delete": model_admin.has_delete_permission(request, obj),
    }


def _new_events(since):
    return list(AuditEvent.objects.filter(id__gt=since).order_by("id"))


def _last_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.django_db
def test_every_admin_write_is_one_audit_event_naming_its_fields(client, plan):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    exercised = []
    for model, model_admin in _registry():
        label = model._meta.label_lower
        allowed = _allowed(model_admin, superuser)
        if not any(allowed.values()):
            continue
        spec = WRITES.get(label)
        assert spec is not None, f"the admin of {label} allows writes {allowed}: say in WRITES how to exercise them"
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        by_service = getattr(model_admin, "audited_by_services", frozenset())
        obj = spec["make"]()

        if allowed["add"] and "add" in spec:
            data = _page_form(client, reverse(f"{prefix}_add"))
            # a value may be made at the time (a row the new one names)
            data.update({key: [value() if callable(value) else value] for key, value in spec["add"].items()})
            before, count = _last_id(), model._default_manager.count()
            response = client.post(reverse(f"{prefix}_add"), data)
            expected = spec.get("add_status", 302)  # a token's page shows its secret instead of redirecting
            assert response.status_code == expected, (label, "add", response.content.decode()[:3000])
            assert model._default_manager.count() == count + 1
            events = _new_events(before)
            assert len(events) == 1, (label, "add", [e.action for e in events])
            if "add" not in by_service:
                assert events[0].action == "audit.admin.add" and events[0].data["fields"], label
            exercised.append((label, "add"))

        if allowed["change"] and "change" not in spec:
            # a change page with nothing to edit (a record shown read only) writes nothing
            data = _page_form(client, reverse(f"{prefix}_change", args=[obj.pk]))
            editable = [key for key in data if key != "csrfmiddlewaretoken" and "-" not in key]
            assert not editable, f"{label}'s change form edits {editable}: say in WRITES how to exercise it"
        if "change" in spec:
            assert allowed["change"], label
            field, value = spec["change"]
            url = reverse(f"{prefix}_change", args=[obj.pk])
            data = _page_form(client, url)
            data.pop(field, None)
            if value is not None:
                data[field] = [value]
            before = _last_id()
            response = client.post(url, data)
            assert response.status_code == 302, (label, "change", response.content.decode()[:3000])
            events = _new_events(before)
            assert len(events) == 1, (label, "change", [e.action for e in events])
            if "change" not in by_service:
                event = events[0]
                assert event.action == "audit.admin.change" and event.actor_id == superuser.pk
                assert event.object_id == str(obj.pk) and event.data["model"] == label
                changed = event.data["fields"][field]
                assert changed["before"] != changed["after"], (label, changed)
            exercised.append((label, "change"))

        deletable = _allowed(model_admin, superuser, obj)["delete"]
        if allowed["delete"] and not deletable:  # not this one (a national legal window): refused, kept
            assert client.post(reverse(f"{prefix}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
            assert model._default_manager.filter(pk=obj.pk).exists(), label
        elif allowed["delete"]:
            url = reverse(f"{prefix}_delete", args=[obj.pk])
            before = _last_id()
            response = client.post(url, {"post": "yes"})
            assert response.status_code == 302, (label, "delete", response.content.decode()[:3000])
            assert not model._default_manager.filter(pk=obj.pk).exists(), label
            events = _new_events(before)
            assert len(events) == 1, (label, "delete", [e.action for e in events])
            if "delete" not in by_service:
                assert events[0].action == "audit.admin.delete" and events[0].object_id == str(obj.pk)
                assert events[0].data["fields"], label
            exercised.append((label, "delete"))
    # the floor: the governance rules and people are among what was exercised
    for needed in [("rules.legalrule", "change"), ("rules.councilrules", "change"), ("people.user", "change")]:
        assert needed in exercised


@pytest.mark.django_db
def test_a_superuser_flag_and_a_group_given_in_the_admin_are_named_before_and_after(client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    person = UserFactory(username="person")
    group = Group.objects.create(name="auditor-like")
    url = reverse("admin:people_user_change", args=[person.pk])
    data = _page_form(client, url)
    data.update({"is_superuser": ["on"], "is_staff": ["on"], "groups": [str(group.pk)]})
    before = _last_id()
    assert client.post(url, data).status_code == 302
    (event,) = _new_events(before)
    fields = event.data["fields"]
    assert fields["is_superuser"] == {"before": False, "after": True}
    assert fields["is_staff"] == {"before": False, "after": True}
    assert fields["groups"] == {"before": [], "after": ["auditor-like"]}
    assert "password" not in fields  # unchanged; and a password is never recorded, only that it changed
    assert User.objects.get(pk=person.pk).is_superuser


@pytest.mark.django_db
def test_a_password_set_in_the_admin_is_recorded_without_the_password(client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    person = UserFactory(username="person")
    url = reverse("admin:auth_user_password_change", args=[person.pk])  # Django names it so
    before = _last_id()
    response = client.post(url, {"password1": "a-New-pass-98765", "password2": "a-New-pass-98765"})
    assert response.status_code == 302
    (event,) = _new_events(before)
    changed = event.data["fields"]["password"]
    assert changed["before"] != changed["after"] and "a-New-pass" not in str(event.data)
    assert User.objects.get(pk=person.pk).check_password("a-New-pass-98765")


def test_every_action_an_admin_names_is_one_it_has():
    """Django drops an action it cannot find without a word: the holidays' confirm actions had been
    written into another admin's class and were offered nowhere."""
    from django.contrib import admin as django_admin

    missing = [
        f"{model._meta.label}.{name}"
        for model, model_admin in django_admin.site._registry.items()
        for name in (model_admin.actions or ())
        if isinstance(name, str)
        and not callable(getattr(model_admin, name, None))
        and django_admin.site.get_action(name) is None
    ]
    assert not missing, missing
