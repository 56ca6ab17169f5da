"""Inbox, queue and archive: who sees which task, claiming, delegation, and constant query counts."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.models import Decision
from approvals.selectors import archive, inbox, queue
from audit.models import AuditEvent
from people.services import DelegationInvalid, delegation_create, delegation_revoke
from plan.services import amendment_operations_set
from workflows.selectors import open_task
from workflows.services import DecisionRefused, amendment_draft_start, decide, task_claim, task_release

pytestmark = pytest.mark.django_db


def submitted(plan, people, committee_code="C02", n=1):
    committee = plan.committees.get(code=committee_code)
    prefix = {"C02": "waste", "C03": "parks"}[committee_code]
    member = people[f"{prefix}-member"]
    made = []
    for i in range(n):
        amendment = amendment_draft_start(plan=plan, committee=committee, drafted_by=member, title=f"t{i}")
        code = "IND3.1.1" if committee_code == "C02" else "IND3.4.1"
        amendment_operations_set(
            amendment=amendment,
            acting_user=member,
            operations=[
                {"action": "change", "code": code, "justification": "j", "values": {"targets.1406": {"new": 100 + i}}}
            ],
        )
        decide(task=open_task(amendment), acting_user=member, outcome="submit")
        made.append(amendment)
    return made


def test_queues_follow_role_and_committee(plan, people):
    waste = submitted(plan, people, "C02", 2)
    parks = submitted(plan, people, "C03", 1)
    assert {row.subject for row in queue(people["waste-chair"])} == set(waste)
    assert {row.subject for row in queue(people["parks-chair"])} == set(parks)
    assert queue(people["integration"]) == [] and queue(people["waste-member"]) == []
    assert [row.stage for row in queue(people["waste-chair"], stage="sign_off")] == ["sign_off", "sign_off"]
    assert queue(people["waste-chair"], stage="integration") == []
    waste_committee = plan.committees.get(code="C02")
    assert len(queue(people["waste-chair"], committee=waste_committee)) == 2
    assert queue(people["parks-chair"], committee=waste_committee) == []


def test_claim_moves_a_task_to_the_inbox_and_release_puts_it_back(plan, people):
    (amendment,) = submitted(plan, people)
    chair = people["waste-chair"]
    task = open_task(amendment)
    with pytest.raises(PermissionDenied):
        task_claim(task=task, acting_user=people["parks-chair"])
    task_claim(task=task, acting_user=chair)
    assert [row.subject for row in inbox(chair)] == [amendment] and queue(chair) == []
    with pytest.raises(DecisionRefused, match="already claimed"):
        task_claim(task=task, acting_user=chair)
    with pytest.raises(DecisionRefused, match="only the person who claimed"):
        task_release(task=task, acting_user=people["parks-chair"])
    task_release(task=task, acting_user=chair)
    assert inbox(chair) == [] and len(queue(chair)) == 1
    assert AuditEvent.objects.filter(action__in=["workflows.task.claim", "workflows.task.release"]).count() == 2


@pytest.fixture
def waste_deputy(people, waste):
    """A second member of the waste committee: the chair's substitute must sit on the same committee."""
    from people.models import Membership
    from people.services import membership_grant
    from tests.factories import UserFactory

    deputy = UserFactory(username="waste-deputy")
    membership_grant(committee=waste, user=deputy, seat=Membership.Seat.MEMBER)
    return type(deputy).objects.get(pk=deputy.pk)


def test_a_substitute_acts_for_the_approver_and_the_record_names_both(plan, people, waste_deputy):
    (amendment,) = submitted(plan, people)
    chair, substitute = people["waste-chair"], waste_deputy
    today = timezone.localdate()
    assert queue(substitute) == []
    with pytest.raises(PermissionDenied):
        decide(task=open_task(amendment), acting_user=substitute, outcome="approve")
    delegation = delegation_create(
        delegator=chair, substitute=substitute, starts_on=today, ends_on=today + dt.timedelta(days=7)
    )
    assert [row.subject for row in queue(substitute)] == [amendment]
    decision = decide(task=open_task(amendment), acting_user=substitute, outcome="approve")
    assert (decision.decided_by, decision.on_behalf_of) == (substitute, chair)
    event = AuditEvent.objects.get(action="workflows.amendment.sign_off")
    assert (event.actor_id, event.on_behalf_of_id) == (substitute.pk, chair.pk)
    assert [d.pk for d in archive(chair)] == [decision.pk] == [d.pk for d in archive(substitute)]
    delegation_revoke(delegation=delegation, acting_user=chair)
    (later,) = submitted(plan, people)
    with pytest.raises(PermissionDenied):
        decide(task=open_task(later), acting_user=substitute, outcome="approve")


def test_delegations_are_checked(people):
    today = timezone.localdate()
    with pytest.raises(DelegationInvalid):
        delegation_create(delegator=people["policy"], substitute=people["policy"], starts_on=today, ends_on=today)
    with pytest.raises(DelegationInvalid):
        delegation_create(
            delegator=people["policy"],
            substitute=people["council"],
            starts_on=today,
            ends_on=today - dt.timedelta(days=1),
        )


def test_a_delegation_outside_its_dates_gives_nothing(plan, people, waste_deputy):
    (amendment,) = submitted(plan, people)
    later = timezone.localdate() + dt.timedelta(days=3)
    delegation_create(
        delegator=people["waste-chair"],
        substitute=waste_deputy,
        starts_on=later,
        ends_on=later + dt.timedelta(days=2),
    )
    assert queue(waste_deputy) == []
    with pytest.raises(PermissionDenied):
        decide(task=open_task(amendment), acting_user=waste_deputy, outcome="approve")


def _count(function, user):
    user = type(user).objects.get(pk=user.pk)  # no permission cache carried over between counts
    with CaptureQueriesContext(connection) as queries:
        rows = function(user)
    return len(rows), len(queries)


def test_query_counts_do_not_grow_with_the_number_of_tasks(plan, people):
    chair, member = people["waste-chair"], people["waste-member"]
    submitted(plan, people, "C02", 2)
    queue(chair)  # Django's content-type cache warms on the first read of a seat's right, not per task
    few = {name: _count(f, chair) for name, f in (("queue", queue), ("inbox", inbox))}
    member_inbox_few = _count(inbox, member)
    archive_few = _count(archive, member)
    submitted(plan, people, "C02", 6)
    many = {name: _count(f, chair) for name, f in (("queue", queue), ("inbox", inbox))}
    assert many["queue"][0] == 8 and few["queue"][0] == 2
    assert many["queue"][1] == few["queue"][1]
    assert many["inbox"][1] == few["inbox"][1]
    assert _count(archive, member) == (8, archive_few[1])
    rows = queue(chair)
    task_claim(task=rows[0].task, acting_user=chair)
    one = _count(inbox, chair)
    for row in rows[1:]:
        task_claim(task=row.task, acting_user=chair)
    assert one[0] == 1 and _count(inbox, chair) == (8, one[1])
    assert member_inbox_few[0] == 0
    assert Decision.objects.filter(decided_by=member).count() == 8


def test_who_may_know_an_amendment_exists(plan, people):
    from approvals.selectors import amendments_visible_to
    from people.roles import Role
    from tests.factories import UserFactory

    (waste,) = submitted(plan, people, "C02")
    draft = amendment_draft_start(
        plan=plan, committee=plan.committees.get(code="C03"), drafted_by=people["parks-member"], title="draft"
    )
    assert set(amendments_visible_to(people["waste-member"])) == {waste}
    assert set(amendments_visible_to(people["waste-chair"])) == {waste}
    assert set(amendments_visible_to(people["parks-chair"])) == {draft}
    assert set(amendments_visible_to(people["integration"])) == {waste}  # not another committee's draft
    assert set(amendments_visible_to(people["policy"])) == set()  # nothing in a revision yet
    auditor = UserFactory(roles=[Role.AUDITOR])
    from people.services import role_groups_ensure

    role_groups_ensure()
    auditor = type(auditor).objects.get(pk=auditor.pk)
    assert set(amendments_visible_to(auditor)) == {waste, draft}


def test_queues_filter_by_due_date(plan, people):
    (amendment,) = submitted(plan, people)
    row = queue(people["waste-chair"])[0]
    assert row.due_on is not None and row.due_on > timezone.localdate()
    assert [r.subject for r in queue(people["waste-chair"], due_before=row.due_on)] == [amendment]
    assert queue(people["waste-chair"], due_before=row.due_on - dt.timedelta(days=1)) == []


def test_auditors_act_on_nothing(plan, people):
    from people.roles import Role
    from tests.factories import UserFactory

    (amendment,) = submitted(plan, people)
    auditor = UserFactory(roles=[Role.AUDITOR])
    with pytest.raises(PermissionDenied):
        task_claim(task=open_task(amendment), acting_user=auditor)
    with pytest.raises(PermissionDenied):
        decide(task=open_task(amendment), acting_user=auditor, outcome="approve")


def _dashboard(client, user, query=""):
    client.force_login(user)
    client.get("/" + query)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/" + query)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_dashboard_shows_the_most_urgent_of_a_long_queue(client, plan, people):
    from approvals.models import Deadline

    chair = people["waste-chair"]
    submitted(plan, people, "C02", 3)
    _html, few_queries = _dashboard(client, chair)
    submitted(plan, people, "C02", 27)
    assert _dashboard(client, chair)[1] == few_queries  # the page, not the queue, sets the cost
    tasks = [row.task for row in queue(chair)]
    assert len(tasks) == 30
    late = tasks[-1]  # the newest task, made the most urgent: overdue by a week
    Deadline.objects.filter(task=late).update(due_on=timezone.localdate() - dt.timedelta(days=7))
    first, _queries = _dashboard(client, chair)
    queue_part = first.split('id="queue-title"')[1]
    assert "(۳۰)" in queue_part and queue_part.count('action="/tasks/') == 10  # a claim button a row
    assert f'/tasks/{late.pk}/"' in queue_part.split("</tr>")[1]  # first row of the table: the overdue one
    assert "۱ گام از موعدش گذشته است" in first  # the overdue panel counts it
    assert 'href="/queue/"' in queue_part  # the rest, page by page


def test_the_whole_queue_and_inbox_have_their_own_pages(client, plan, people):
    chair, member = people["waste-chair"], people["waste-member"]
    submitted(plan, people, "C02", 3)
    client.force_login(chair)
    client.get("/queue/")
    with CaptureQueriesContext(connection) as few:
        client.get("/queue/")
    submitted(plan, people, "C02", 52)
    with CaptureQueriesContext(connection) as many:
        first = client.get("/queue/").content.decode()
    assert len(many) == len(few)  # the page, not the queue, sets the cost
    assert "(۵۵)" in first and first.count('action="/tasks/') == 50 and "/release/" not in first
    assert "page=2" in first and "صفحهٔ ۱ از ۲" in first
    assert client.get("/queue/?page=2").content.decode().count('action="/tasks/') == 5
    dashboard = client.get("/").content.decode()
    assert 'href="/queue/"' in dashboard and 'href="/inbox/"' in dashboard
    filtered = client.get("/queue/?committee=C03").content.decode()  # another committee: nothing
    assert filtered.count('action="/tasks/') == 0
    client.force_login(member)
    inbox_page = client.get("/inbox/").content.decode()
    assert "(۰)" in inbox_page and "/release/" not in inbox_page
    bad_date = client.get("/queue/?due_before=fourteen")  # a bad date: a message, not a 500
    assert bad_date.status_code == 200 and "تاریخ شمسی را به صورت سال/ماه/روز وارد کنید" in bad_date.content.decode()
