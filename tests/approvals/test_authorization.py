"""Who may act, generated from the data: every demo user against every waiting step, and every
pair of demo roles in a delegation. What each person should be able to do is worked out from the
role permissions, the seats, the delegation rules and the separation of duties (the tables the
product reads), then checked through the pages: the decision form, the claim, the 404."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.duties import DRAFTER, ENTERED, PACKAGE, SEPARATION_OF_DUTIES
from approvals.selectors import may_act_on
from people.models import CityAccess, Delegation, Membership, Municipality, User
from people.roles import DELEGATION_RULES, NEVER_SUBSTITUTES, ROLE_PERMISSIONS, SAME_COMMITTEE
from people.services import SEAT_PERMISSIONS, DelegationInvalid, delegation_create

pytestmark = pytest.mark.django_db
ROLE_USERS = ["member", "chair", "integration", "policy", "council", "governorate", "planning", "auditor", "admin"]


def rights(user) -> tuple[set, set]:
    roles = set(user.groups.values_list("name", flat=True))
    perms = {perm for role, listed in ROLE_PERMISSIONS.items() if role in roles for perm in listed}
    seats = {
        (committee_id, perm)
        for committee_id, seat in Membership.objects.filter(user=user).values_list("committee_id", "seat")
        for perm in SEAT_PERMISSIONS[Membership.Seat(seat)]
    }
    return perms, seats


def conflicted(task, people) -> bool:
    rule = SEPARATION_OF_DUTIES.get(task.flow_task.name)
    subject = task.process.artifact
    ids = {p.pk for p in people}
    if rule == DRAFTER:
        return subject.drafted_by_id in ids
    if rule == PACKAGE:
        return subject.amendments.filter(drafted_by_id__in=ids).exists()
    if rule == ENTERED:
        return subject.entered_by_id in ids
    return False


def cities(user) -> set | None:
    """Where a person's roles apply: every city while there is one (or for a superuser); else the
    cities given them (a seat in another city carries no role there; the demo has two cities)."""
    if user.is_superuser or Municipality.objects.count() == 1:
        return None
    return set(CityAccess.objects.filter(user=user).values_list("municipality_id", flat=True))


def city_of(task) -> int:
    subject = task.process.artifact
    plan = subject.plan if hasattr(subject, "plan") else subject.call.plan
    return plan.municipality_id


def may_take(task, user) -> bool:
    perms, seats = rights(user)
    if task.owner_id:
        allowed = task.owner_id == user.pk
    elif task.owner_permission_obj_pk:
        allowed = (int(task.owner_permission_obj_pk), task.owner_permission) in seats
    else:
        where = cities(user)
        allowed = task.owner_permission in perms and (where is None or city_of(task) in where)
    return allowed and not conflicted(task, [user])


def open_tasks():
    return list(
        Task.objects.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]).select_related("process")
    )


def test_every_person_against_every_waiting_step(client, demo):
    users = list(User.objects.filter(is_active=True).order_by("username"))
    tasks = open_tasks()
    steps = {t.flow_task.name for t in tasks}
    assert {"draft", "sign_off", "integration", "policy_council", "city_council", "governorate", "issuance"} <= steps
    mismatches, deciders = [], 0
    for task in tasks:
        for user in users:
            expected = may_take(task, user)
            deciders += expected
            if may_act_on(user, task.pk) != expected:
                mismatches.append(f"{user.username} at {task.flow_task.name} #{task.pk}: expected {expected}")
                continue
            client.force_login(user)
            # a report's confirmation and a committee's answer to the call have pages of their own
            page = client.get(f"/tasks/{task.pk}/", follow=True)
            has_form = page.status_code == 200 and 'id="decide-title"' in page.content.decode()
            if has_form != expected or page.status_code not in (200, 404):
                mismatches.append(f"{user.username} page of {task.flow_task.name} #{task.pk}: {page.status_code}")
            if task.status == STATUS.NEW:
                with transaction.atomic():
                    claimed = client.post(f"/tasks/{task.pk}/claim/")
                    task.refresh_from_db()
                    took = task.status == STATUS.ASSIGNED
                    transaction.set_rollback(True)
                task.refresh_from_db()
                if took != expected or (not expected and claimed.status_code != 404):
                    mismatches.append(
                        f"{user.username} claim of {task.flow_task.name} #{task.pk}: {claimed.status_code}"
                    )
    assert not mismatches, "\n".join(mismatches[:30])
    assert deciders >= len(tasks)  # every waiting step has someone who may take it


def delegation_allowed(delegator, substitute) -> bool:
    sub_roles = set(substitute.groups.values_list("name", flat=True))
    if sub_roles & {r.value for r in NEVER_SUBSTITUTES}:
        return False
    for role in delegator.groups.values_list("name", flat=True):
        rule = DELEGATION_RULES.get(role)
        if rule == SAME_COMMITTEE:
            mine = set(Membership.objects.filter(user=delegator).values_list("committee_id", flat=True))
            theirs = set(Membership.objects.filter(user=substitute).values_list("committee_id", flat=True))
            if mine and mine <= theirs:
                return True
        elif rule and sub_roles & {r.value for r in rule}:
            return True
    return False


def test_every_pair_of_roles_in_a_delegation(client, demo):
    """Allowed exactly by the rules; when allowed, the substitute may act on every waiting step the
    delegator may take (within the separation of duties) and sees its page."""
    users = {name: User.objects.get(username=name) for name in ROLE_USERS}
    users["member-c03"] = User.objects.get(username="member-c03")
    today = timezone.localdate()
    problems, allowed_pairs = [], 0
    for delegator in users.values():
        for substitute in users.values():
            if delegator == substitute:
                continue
            expected = delegation_allowed(delegator, substitute)
            with transaction.atomic():
                try:
                    delegation_create(
                        delegator=delegator, substitute=substitute, starts_on=today, ends_on=today + dt.timedelta(3)
                    )
                    created = True
                except DelegationInvalid:
                    created = False
                if created != expected:
                    problems.append(f"{delegator.username} → {substitute.username}: created={created}")
                if created:
                    allowed_pairs += 1
                    fresh = User.objects.get(pk=substitute.pk)
                    client.force_login(fresh)
                    for task in open_tasks():
                        should = may_take(task, delegator) and not conflicted(task, [fresh, delegator])
                        should = should or may_take(task, fresh)
                        if may_act_on(fresh, task.pk) != should:
                            problems.append(f"{substitute.username} for {delegator.username} at #{task.pk}: {should}")
                        elif should and client.get(f"/tasks/{task.pk}/", follow=True).status_code != 200:
                            problems.append(f"{substitute.username} cannot open #{task.pk} they may act on")
                transaction.set_rollback(True)
    assert not problems, "\n".join(problems[:30])
    assert allowed_pairs >= 4 and Delegation.objects.count() == 0


def test_an_overlapping_or_back_dated_delegation_is_refused(demo):
    policy, planning = User.objects.get(username="policy"), User.objects.get(username="planning")
    today = timezone.localdate()
    with pytest.raises(DelegationInvalid, match="start in the past"):
        delegation_create(delegator=policy, substitute=planning, starts_on=today - dt.timedelta(1), ends_on=today)
    delegation_create(delegator=policy, substitute=planning, starts_on=today, ends_on=today + dt.timedelta(5))
    with pytest.raises(DelegationInvalid, match="already have a delegation"):
        delegation_create(
            delegator=policy, substitute=planning, starts_on=today + dt.timedelta(2), ends_on=today + dt.timedelta(9)
        )
    auditor = User.objects.get(username="auditor")
    with pytest.raises(DelegationInvalid, match="may not act for you|auditor"):
        delegation_create(
            delegator=User.objects.get(username="chair"), substitute=auditor, starts_on=today, ends_on=today
        )
