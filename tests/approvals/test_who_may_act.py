"""Who may act, the probes that broke before: a removed seat, the drafter in the integration group,
the admin moving work, addresses behind a proxy, spraying, headers, and two 500s."""

import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import translation
from guardian.shortcuts import assign_perm
from openpyxl import load_workbook
from viewflow.workflow.models import Task

from audit.models import AuditEvent
from notifications.models import Notification
from people.middleware import client_ip
from people.models import Membership, User
from people.roles import Role
from people.services import seat_rights_reconcile
from plan.services import amendment_operations_set
from tests.factories import UserFactory
from tests.scenario import SESSION_JALALI, VOTE, WASTE
from workflows.selectors import open_task, revision_open_task
from workflows.services import (
    DecisionRefused,
    amendment_draft_start,
    amendment_withdraw,
    decide,
    revision_decide,
    revision_start,
    task_claim,
    task_reassign,
)

pytestmark = pytest.mark.django_db


def drafted(plan, people, committee="C02", member="waste-member"):
    amendment = amendment_draft_start(
        plan=plan, committee=plan.committees.get(code=committee), drafted_by=people[member], title="پ"
    )
    amendment_operations_set(amendment=amendment, operations=WASTE, acting_user=people[member])
    return amendment


def test_a_removed_seat_takes_its_rights_with_it_and_is_audited(client, plan, people):
    amendment = drafted(plan, people)
    decide(task=open_task(amendment), acting_user=people["waste-member"], outcome="submit")
    seat = Membership.objects.get(user=people["waste-chair"], seat="chair")
    root = User.objects.create_superuser("root", "root@baznegar.invalid", "x" * 20)
    client.force_login(root)
    response = client.post(f"/admin/people/membership/{seat.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Membership.objects.filter(pk=seat.pk).exists()
    former = User.objects.get(pk=people["waste-chair"].pk)
    assert not former.has_perm("plan.sign_off_amendment", plan.committees.get(code="C02"))
    assert not former.groups.filter(name=Role.COMMITTEE_CHAIR).exists()
    with pytest.raises(PermissionDenied):
        task_claim(task=open_task(amendment), acting_user=former)
    event = AuditEvent.objects.get(action="people.role.revoke")
    assert event.actor_id == root.pk and event.data["user"] == "waste-chair" and event.data["seat"] == "chair"


def test_drift_between_seats_and_rights_is_reported_and_repaired(plan, people):
    stray = UserFactory(username="stray")
    parks = plan.committees.get(code="C03")
    assign_perm("plan.sign_off_amendment", stray, parks)  # a grant no seat explains
    drift = seat_rights_reconcile(repair=True)
    assert drift["removed"] == [(stray.pk, parks.pk, "sign_off_amendment")] and drift["added"] == []
    assert not User.objects.get(pk=stray.pk).has_perm("plan.sign_off_amendment", parks)
    assert AuditEvent.objects.filter(action="people.role.reconcile").count() == 1
    assert seat_rights_reconcile(repair=True) == {"removed": [], "added": []}


def test_a_drafter_in_the_integration_group_never_integrates_their_own(plan, people):
    member = people["waste-member"]
    member.groups.add(*Group.objects.filter(name=Role.INTEGRATION))
    member = User.objects.get(pk=member.pk)
    amendment = drafted(plan, people)
    decide(task=open_task(amendment), acting_user=member, outcome="submit")
    decide(task=open_task(amendment), acting_user=people["waste-chair"], outcome="approve")
    task = open_task(amendment)
    with pytest.raises(PermissionDenied, match="drafter"):
        task_claim(task=task, acting_user=member)
    with pytest.raises(PermissionDenied, match="drafter"):
        decide(task=task, acting_user=member, outcome="approve")
    assert Task.objects.get(pk=task.pk).owner_id is None  # nothing claimed, nothing half-written
    decide(task=task, acting_user=people["integration"], outcome="approve")
    # ... nor any step of a revision that holds it
    revision = revision_start(
        plan=plan, year=1404, title="ب", amendments=[amendment], acting_user=people["integration"]
    )
    with pytest.raises(PermissionDenied, match="drafted an amendment of this revision"):
        revision_decide(task=revision_open_task(revision), acting_user=member, outcome="submit")


def test_a_draft_withdrawn_before_submission_stays_the_committees(client, plan, people):
    amendment = drafted(plan, people)
    task = open_task(amendment)
    amendment_withdraw(amendment=amendment, acting_user=people["waste-member"], reason="نه")
    client.force_login(people["integration"])
    assert client.get(f"/tasks/{task.pk}/").status_code == 404


def test_the_admin_reads_processes_and_moves_work_only_with_a_reason(client, plan, people, accepted):
    amendment = drafted(plan, people)
    decide(task=open_task(amendment), acting_user=people["waste-member"], outcome="submit")
    task = open_task(amendment)
    root = User.objects.create_superuser("root", "root@baznegar.invalid", "x" * 20)
    client.force_login(root)
    edit = client.post(f"/admin/viewflow/task/{task.pk}/change/", {"owner_permission_obj_pk": "3"})
    assert (
        edit.status_code == 403 and Task.objects.get(pk=task.pk).owner_permission_obj_pk == task.owner_permission_obj_pk
    )
    assert client.post(f"/admin/viewflow/process/{task.process_id}/delete/", {"post": "yes"}).status_code == 403
    page = client.get(f"/admin/viewflow/task/{task.pk}/reassign/")
    options = page.content.decode()
    assert page.status_code == 200 and f'value="{people["waste-chair"].pk}"' in options
    assert f'value="{people["waste-member"].pk}"' not in options  # the drafter is no candidate
    refused = client.post(f"/admin/viewflow/task/{task.pk}/reassign/", {"to_user": people["waste-chair"].pk})
    assert refused.status_code == 200 and Task.objects.get(pk=task.pk).owner_id is None
    done = client.post(
        f"/admin/viewflow/task/{task.pk}/reassign/", {"to_user": people["waste-chair"].pk, "reason": "مرخصی"}
    )
    assert done.status_code == 302 and Task.objects.get(pk=task.pk).owner_id == people["waste-chair"].pk
    event = AuditEvent.objects.get(action="workflows.task.reassign")
    assert event.data["to"] == "waste-chair" and event.data["reason"] == "مرخصی" and event.actor_id == root.pk
    assert Notification.objects.filter(recipient=people["waste-chair"], event="task.reassigned").exists()
    translation.activate("en")  # the admin's pages switched this thread to the reader's language
    with pytest.raises(PermissionDenied):
        task_reassign(task=task, to_user=people["parks-chair"], reason="x", acting_user=people["integration"])
    with pytest.raises(DecisionRefused, match="may not take"):
        task_reassign(task=task, to_user=people["parks-chair"], reason="x", acting_user=root)


def test_the_demo_administrator_decides_nothing(capsys):
    from django.core.management import call_command

    from approvals.selectors import inbox, queue

    call_command("load_demo")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and inbox(admin) == [] and queue(admin) == []


@pytest.mark.parametrize(
    ("count", "forwarded", "remote", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1", "10.0.0.1"),  # no proxy: the header is the client's, ignored
        (1, "1.2.3.4", "10.0.0.1", "1.2.3.4"),
        (1, "6.6.6.6, 1.2.3.4", "10.0.0.1", "1.2.3.4"),  # what the client wrote itself is ignored
        (2, "6.6.6.6, 1.2.3.4, 10.0.0.9", "10.0.0.1", "1.2.3.4"),
        (2, "1.2.3.4", "10.0.0.1", "10.0.0.1"),  # fewer hops than proxies: not trusted
    ],
)
def test_the_client_address_behind_proxies(rf, settings, count, forwarded, remote, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_ip(request) == expected


def test_behind_a_proxy_guessing_locks_one_person_at_one_address_and_spraying_locks_the_address(settings, db):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 8
    cache.clear()
    UserFactory(username="victim", password="pass-1234-word")
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    colleague = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="5.6.7.8")  # the same proxy
    for _ in range(5):
        attacker.post("/login/", {"username": "victim", "password": "wrong"})
    assert attacker.post("/login/", {"username": "victim", "password": "pass-1234-word"}).status_code == 429
    # the lock is the attacker's address, not the proxy's: the victim still signs in from elsewhere
    assert colleague.post("/login/", {"username": "victim", "password": "pass-1234-word"}).status_code == 302
    sprayer = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9")
    for n in range(8):
        UserFactory(username=f"target{n}")
        sprayer.post("/login/", {"username": f"target{n}", "password": "Winter2026"})
    UserFactory(username="next", password="pass-1234-word")
    assert sprayer.post("/login/", {"username": "next", "password": "pass-1234-word"}).status_code == 429
    cache.clear()


@pytest.mark.parametrize("url", ["/login/", "/", "/plan/", "/admin/login/", "/healthz", "/no-such-page/"])
def test_every_kind_of_page_carries_the_security_headers(client, people, url):
    client.force_login(people["waste-member"])
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "camera=()" in response["Permissions-Policy"]


def test_no_template_carries_an_inline_script():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for template in root.glob("*/templates/**/*.html"):
        text = template.read_text()
        for chunk in text.split("<script")[1:]:
            assert "src=" in chunk.split(">", 1)[0], f"inline script in {template}"
        assert " onclick=" not in text and " onload=" not in text, template


def test_a_long_resolution_number_is_a_form_error_not_a_500(client, plan, people, accepted):
    revision = revision_start(
        plan=plan, year=1404, title="ب", amendments=[accepted("C02", WASTE)], acting_user=people["integration"]
    )
    revision_decide(task=revision_open_task(revision), acting_user=people["integration"], outcome="submit")
    revision_decide(task=revision_open_task(revision), acting_user=people["policy"], outcome="approve")
    task = revision_open_task(revision)
    client.force_login(people["council"])
    data = {
        **{k: v for k, v in VOTE.items() if k != "session_date"},
        "outcome": "approve",
        "session_date": SESSION_JALALI,
    }
    response = client.post(f"/tasks/{task.pk}/", {**data, "resolution_number": "۱" * 150})
    assert response.status_code == 200 and "resolution_number" in response.content.decode()
    assert revision_open_task(revision).pk == task.pk


def test_a_title_with_control_characters_still_exports(client, plan, people):
    amendment = amendment_draft_start(
        plan=plan, committee=plan.committees.get(code="C02"), drafted_by=people["waste-member"], title="عنوان\x0bبد\x1f"
    )
    auditor = UserFactory(username="reader", roles=[Role.AUDITOR])
    client.force_login(auditor)
    response = client.get("/audit/export.xlsx", {"amendment": amendment.pk})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert any("\ufffd" in str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value)


def test_a_claimed_step_is_lost_with_the_seat_behind_it(plan, people):
    amendment = drafted(plan, people)
    decide(task=open_task(amendment), acting_user=people["waste-member"], outcome="submit")
    task_claim(task=open_task(amendment), acting_user=people["waste-chair"])
    from people.services import membership_revoke

    membership_revoke(membership=Membership.objects.get(user=people["waste-chair"], seat="chair"), reason="پایان دوره")
    former = User.objects.get(pk=people["waste-chair"].pk)
    task = open_task(amendment)
    assert task.owner_id is None  # back in the committee's queue
    with pytest.raises(PermissionDenied):
        decide(task=task, acting_user=former, outcome="approve")
    assert AuditEvent.objects.get(action="people.role.revoke").data["released_tasks"] == [task.pk]


def test_a_draft_goes_no_further_with_a_member_who_lost_their_seat(plan, people, client):
    """Removed from the committee, the drafter may neither edit nor send their draft, in the pages
    as through the services (the API answered so already); they may still withdraw it."""
    from people.services import membership_revoke
    from plan.models import Amendment

    amendment = drafted(plan, people)
    before = list(amendment.operations.values_list("values", flat=True))
    membership_revoke(membership=Membership.objects.get(user=people["waste-member"], seat="member"), reason="جابه‌جایی")
    former = User.objects.get(pk=people["waste-member"].pk)
    edited = [{**WASTE[0], "values": {"targets.1405": {"new": 95}}}]
    with pytest.raises(PermissionDenied):
        decide(task=open_task(amendment), acting_user=former, outcome="submit")
    with pytest.raises(PermissionDenied):
        amendment_operations_set(amendment=amendment, operations=edited, acting_user=former)
    client.force_login(former)
    page = client.get(f"/plan/amendments/{amendment.pk}/").content.decode()
    assert "شما دیگر عضو کمیته این اصلاحیه نیستید" in page and "می‌توان پس گرفت" in page  # said before they type
    assert client.post(f"/plan/amendments/{amendment.pk}/submit/").status_code == 302  # refused, back to the draft
    assert Amendment.objects.get(pk=amendment.pk).status == "draft" and open_task(amendment).flow_task.name == "draft"
    assert list(amendment.operations.values_list("values", flat=True)) == before
    assert not AuditEvent.objects.filter(action="workflows.amendment.submit").exists()
    # a colleague cannot edit another's draft either, through the service
    with pytest.raises(PermissionDenied):
        amendment_operations_set(amendment=amendment, operations=edited, acting_user=people["waste-chair"])
    amendment_withdraw(amendment=amendment, acting_user=former, reason="دیگر عضو نیستم")
    assert Amendment.objects.get(pk=amendment.pk).status == "withdrawn"


def _form_fields(page: str, form_id: str) -> dict:
    """What a browser would send for an admin form as it stands: its inputs, checked boxes and
    selected options."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside, self.select, self.data = False, None, {}

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.inside = attrs.get("id") == form_id
            if not self.inside or "name" not in attrs and tag != "option":
                return
            if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
                if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                    return
                checkable = attrs.get("type") in ("checkbox", "radio")
                self.data.setdefault(attrs["name"], []).append(attrs.get("value", "on" if checkable else ""))
            elif tag == "select":
                self.select = attrs["name"]
            elif tag == "option" and self.select and "selected" in attrs:
                self.data.setdefault(self.select, []).append(attrs.get("value", ""))
            elif tag == "textarea":
                self.data.setdefault(attrs["name"], []).append("")

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            if tag == "form":
                self.inside = False

    parser = Fields()
    parser.feed(page)
    return parser.data


def test_a_claimed_step_goes_back_to_its_queue_when_its_role_or_its_holder_goes(plan, people, accepted, client):
    """A role taken in the admin, or the person deactivated: what they had claimed goes back to the
    queue at once, audited, and the hourly reconciliation catches what changed past the admin."""
    from people.tasks import reconcile_seat_rights
    from tests.factories import UserFactory

    integration = people["integration"]
    colleague = UserFactory(username="integration-2", roles=[Role.INTEGRATION])
    first = accepted("C02", WASTE)
    revision = revision_start(plan=plan, year=1405, title="ب", amendments=[first], acting_user=integration)
    task = revision_open_task(revision)
    task_claim(task=task, acting_user=integration)

    root = User.objects.create_superuser("root", "root@baznegar.invalid", "x" * 20)
    client.force_login(root)
    form = client.get(f"/admin/people/user/{integration.pk}/change/")
    assert form.status_code == 200
    data = _form_fields(form.content.decode(), "user_form")
    data.pop("groups", None)  # the integration group's role taken away
    answer = client.post(f"/admin/people/user/{integration.pk}/change/", data)
    assert answer.status_code == 302, re.findall(r"errorlist[^>]*>(.*?)</ul>", answer.content.decode(), re.S)
    task.refresh_from_db()
    assert task.owner_id is None and task.status == "NEW"
    event = AuditEvent.objects.get(action="people.claims.release")
    assert event.data["released_tasks"] == [task.pk] and event.actor == root
    task_claim(task=task, acting_user=colleague)  # a colleague may take it now

    # deactivated past the admin (a shell, the database): the hourly reconciliation releases it
    User.objects.filter(pk=colleague.pk).update(is_active=False)
    assert reconcile_seat_rights()["released"] == 1
    task.refresh_from_db()
    assert task.owner_id is None


def test_a_superuser_drafts_and_assembles_nothing(client, plan, people, accepted):
    root = User.objects.create_superuser("root", "root@baznegar.invalid", "x" * 20)
    with pytest.raises(PermissionDenied):
        amendment_draft_start(plan=plan, committee=plan.committees.get(code="C02"), drafted_by=root, title="x")
    with pytest.raises(PermissionDenied):
        revision_start(plan=plan, year=1404, title="x", amendments=[accepted("C02", WASTE)], acting_user=root)
    client.force_login(root)
    assert client.get("/plan/amendments/new/").status_code in (403, 404)


def test_a_delegation_needs_every_delegated_role_to_allow_the_substitute(plan, people):
    """A member who is also in the integration group cannot hand integration to a committee colleague."""

    from django.utils import timezone

    from people.services import DelegationInvalid, delegation_create

    member = people["waste-member"]
    member.groups.add(*Group.objects.filter(name=Role.INTEGRATION))
    colleague = UserFactory(username="colleague")
    from people.services import membership_grant

    membership_grant(committee=plan.committees.get(code="C02"), user=colleague, seat=Membership.Seat.MEMBER)
    today = timezone.localdate()
    with pytest.raises(DelegationInvalid):
        delegation_create(
            delegator=User.objects.get(pk=member.pk), substitute=colleague, starts_on=today, ends_on=today
        )


def test_spraying_is_refused_at_the_admin_sign_in_too(settings, db):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 3
    cache.clear()
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(3):
        UserFactory(username=f"t{n}")
        sprayer.post("/login/", {"username": f"t{n}", "password": "Winter2026"})
    User.objects.create_superuser("boss", "b@baznegar.invalid", "pass-1234-word")
    response = sprayer.post("/admin/login/", {"username": "boss", "password": "pass-1234-word"})
    assert response.status_code == 200 and "_auth_user_id" not in sprayer.session
    cache.clear()


def test_an_address_from_outside_the_proxies_cannot_choose_itself(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="198.51.100.7")  # not a proxy of ours
    assert client_ip(request) == "198.51.100.7"
    garbage = rf.get("/", HTTP_X_FORWARDED_FOR="unknown", REMOTE_ADDR="10.0.0.1")
    assert client_ip(garbage) == "10.0.0.1"


def test_a_seat_changed_is_audited_and_its_old_role_goes(plan, people):
    from people.services import membership_grant

    member = people["waste-member"]
    membership_grant(committee=plan.committees.get(code="C02"), user=member, seat=Membership.Seat.CHAIR)
    member = User.objects.get(pk=member.pk)
    assert not member.groups.filter(name=Role.COMMITTEE_MEMBER).exists()
    assert member.groups.filter(name=Role.COMMITTEE_CHAIR).exists()
    revoked = AuditEvent.objects.get(action="people.role.revoke")
    assert revoked.data["seat"] == "member" and revoked.data["user"] == "waste-member"


def test_a_groups_committee_right_is_drift(plan, people):
    from guardian.shortcuts import assign_perm as grant

    parks = plan.committees.get(code="C03")
    group = Group.objects.create(name="hand-made")
    grant("plan.sign_off_amendment", group, parks)
    drift = seat_rights_reconcile(repair=True)
    assert drift["removed"] and not Group.objects.get(pk=group.pk).groupobjectpermission_set.exists()


def test_the_people_told_of_a_step_are_those_who_may_take_it(plan, people):
    """The drafter who also sits in the integration group is not told of their own amendment's
    integration, nor is anyone deactivated."""
    member = people["waste-member"]
    member.groups.add(*Group.objects.filter(name=Role.INTEGRATION))
    retired = UserFactory(username="retired", roles=[Role.INTEGRATION])
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    amendment = drafted(plan, people)
    decide(task=open_task(amendment), acting_user=member, outcome="submit")
    decide(task=open_task(amendment), acting_user=people["waste-chair"], outcome="approve")
    told = set(
        Notification.objects.filter(
            event="task.waiting", object_id=str(amendment.pk), context__step="integration"
        ).values_list("recipient__username", flat=True)
    )
    assert told == {"integration"}


def test_the_people_told_of_a_revision_step_leave_out_the_packages_drafters(plan, people):
    """A role's step of a revision: the drafter of one of its amendments who also sits on the
    policy council is not told of it; the council's other members are."""
    member = people["waste-member"]
    member.groups.add(*Group.objects.filter(name=Role.POLICY_COUNCIL))
    colleague = UserFactory(username="policy-colleague", roles=[Role.POLICY_COUNCIL])
    amendment = drafted(plan, people)
    decide(task=open_task(amendment), acting_user=member, outcome="submit")
    decide(task=open_task(amendment), acting_user=people["waste-chair"], outcome="approve")
    decide(task=open_task(amendment), acting_user=people["integration"], outcome="approve")
    revision = revision_start(
        plan=plan, year=1404, title="ب", amendments=[amendment], acting_user=people["integration"]
    )
    revision_decide(task=revision_open_task(revision), acting_user=people["integration"], outcome="submit")
    told = set(
        Notification.objects.filter(
            event="task.waiting", object_id=str(revision.pk), context__step="policy_council"
        ).values_list("recipient__username", flat=True)
    )
    assert colleague.username in told and member.username not in told


def test_a_release_for_a_delegator_names_them_and_a_reassignment_tells_both(plan, people, waste):

    from django.utils import timezone

    from people.services import delegation_create, membership_grant
    from workflows.services import task_release

    deputy = UserFactory(username="deputy-chair")
    membership_grant(committee=waste, user=deputy, seat=Membership.Seat.MEMBER)
    delegation_create(
        delegator=people["waste-chair"], substitute=deputy, starts_on=timezone.localdate(), ends_on=timezone.localdate()
    )
    amendment = drafted(plan, people)
    decide(task=open_task(amendment), acting_user=people["waste-member"], outcome="submit")
    task = task_claim(task=open_task(amendment), acting_user=people["waste-chair"])
    task_release(task=task, acting_user=User.objects.get(pk=deputy.pk))
    released = AuditEvent.objects.get(action="workflows.task.release")
    assert released.actor_id == deputy.pk and released.on_behalf_of_id == people["waste-chair"].pk
    second = UserFactory(username="second-chair")
    membership_grant(committee=waste, user=second, seat=Membership.Seat.CHAIR)
    task_claim(task=open_task(amendment), acting_user=people["waste-chair"])
    root = User.objects.create_superuser("root", "root@baznegar.invalid", "x" * 20)
    task_reassign(task=open_task(amendment), to_user=User.objects.get(pk=second.pk), reason="مرخصی", acting_user=root)
    told = set(Notification.objects.filter(event="task.reassigned").values_list("recipient__username", flat=True))
    assert told == {"second-chair", "waste-chair"}


def test_spraying_from_one_ipv6_network_counts_together(settings, db):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 3
    cache.clear()
    for n in range(3):  # a new address of the same /64 for each try
        UserFactory(username=f"v6-{n}")
        Client(REMOTE_ADDR=f"2001:db8:1:2::{n + 10}").post("/login/", {"username": f"v6-{n}", "password": "x"})
    UserFactory(username="v6-next", password="pass-1234-word")
    blocked = Client(REMOTE_ADDR="2001:db8:1:2::99").post(
        "/login/", {"username": "v6-next", "password": "pass-1234-word"}
    )
    assert blocked.status_code == 429
    elsewhere = Client(REMOTE_ADDR="2001:db8:9:9::1").post(
        "/login/", {"username": "v6-next", "password": "pass-1234-word"}
    )
    assert elsewhere.status_code == 302
    cache.clear()
