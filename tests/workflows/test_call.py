"""The year's call: the planning office opens it with a deadline, every committee gets a task due
that day, answers it (amendments proposed, or none with a reason), and the assembly page shows who
answered; through the services and the pages, with every refusal writing nothing."""

import datetime as dt

import jdatetime
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from approvals.models import Deadline
from audit.models import AuditEvent
from notifications.models import Notification
from plan.models import AnnualCall, CallAnswer
from tests.scenario import WASTE
from workflows.selectors import open_task
from workflows.services import DecisionRefused, annual_call_open, call_answer, revision_start
from workflows.year_selectors import answer_open_task

pytestmark = pytest.mark.django_db


def open_call(plan, people, **kwargs):
    return annual_call_open(
        plan=plan,
        year=kwargs.get("year", 1406),
        deadline=kwargs.get("deadline", timezone.localdate() + dt.timedelta(days=20)),
        acting_user=people[kwargs.get("who", "planning")],
        note="با نگاه به عملکرد سال گذشته",
    )


def test_every_committee_is_asked_by_the_deadline_and_answers(plan, people, accepted):
    call = open_call(plan, people)
    answers = list(call.answers.select_related("committee"))
    assert len(answers) == plan.committees.count()
    waste = next(a for a in answers if a.committee.code == "C02")
    task = answer_open_task(waste)
    assert task.flow_task.name == "answer_call"
    assert Deadline.objects.get(task=task).due_on == call.deadline  # the planning office's date
    told = Notification.objects.filter(event="task.waiting", object_id=str(waste.pk))
    assert {n.recipient.username for n in told} == {"waste-member"}  # members answer; chairs sign off
    assert AuditEvent.objects.filter(action="workflows.call.open").get().data["committees"] == len(answers)

    with pytest.raises(DecisionRefused, match="submit one, or declare none"):
        call_answer(task=task, acting_user=people["waste-member"], answer="proposed")
    with pytest.raises(DecisionRefused, match="say briefly why"):
        call_answer(task=task, acting_user=people["waste-member"], answer="none")
    with pytest.raises(PermissionDenied):
        call_answer(task=task, acting_user=people["parks-member"], answer="none", note="x")
    amendment = accepted("C02", WASTE)  # drafted, signed off and accepted since the call opened
    call_answer(task=task, acting_user=people["waste-member"], answer="proposed", note="یک اصلاحیه")
    waste.refresh_from_db()
    assert waste.answer == "proposed" and list(waste.amendments.all()) == [amendment]
    assert answer_open_task(waste) is None
    with pytest.raises(DecisionRefused, match="already decided"):
        call_answer(task=task, acting_user=people["waste-member"], answer="none", note="x")

    parks = next(a for a in answers if a.committee.code == "C03")
    call_answer(task=answer_open_task(parks), acting_user=people["parks-member"], answer="none", note="بدون تغییر")
    parks.refresh_from_db()
    assert parks.answer == CallAnswer.Answer.NONE

    # the assembly page shows who answered
    revision = revision_start(
        plan=plan, year=1406, title="بازنگری ۱۴۰۶", amendments=[amendment], acting_user=people["integration"]
    )

    client = Client()
    client.force_login(people["integration"])
    page = client.get(reverse("workflows:task", args=[open_task(revision).pk])).content.decode()
    assert "call-answers-title" in page and "بدون تغییر" not in page  # the note stays on the answer's page
    assert page.count("<td>هنوز پاسخ نداده</td>") == plan.committees.count() - 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"who": "integration"}, PermissionDenied, "planning office"),
        ({"deadline": dt.date(2020, 1, 1)}, DecisionRefused, "after today"),
    ],
)
def test_a_bad_call_writes_nothing(plan, people, kwargs, error, message):
    with pytest.raises(error, match=message):
        open_call(plan, people, **kwargs)
    assert not AnnualCall.objects.exists() and not CallAnswer.objects.exists()


def test_one_call_a_year(plan, people):
    open_call(plan, people)
    with pytest.raises(DecisionRefused, match="already open"):
        open_call(plan, people)
    assert AnnualCall.objects.count() == 1


def test_the_year_page_opens_a_call_and_rolls_the_horizon(client, plan, people):
    client.force_login(people["waste-member"])
    assert client.get(reverse("workflows:year")).status_code == 404
    client.force_login(people["planning"])
    page = client.get(reverse("workflows:year"))
    assert page.status_code == 200 and 'name="call"' in page.content.decode()
    refused = client.post(reverse("workflows:year"), {"call": "1", "year": "۱۴۰۶", "deadline": "۱۴۰۰/۰۱/۰۱"})
    assert refused.status_code == 200 and not AnnualCall.objects.exists()
    deadline = timezone.localdate() + dt.timedelta(days=30)
    typed = jdatetime.date.fromgregorian(date=deadline).strftime("%Y/%m/%d")
    sent = client.post(reverse("workflows:year"), {"call": "1", "year": "۱۴۰۶", "deadline": typed})
    assert sent.status_code == 302 and AnnualCall.objects.get().deadline == deadline
    client.force_login(people["integration"])
    rolled = client.post(reverse("workflows:year"), {"roll": "1", "indicator_rule": "carry", "project_rule": "trend"})
    assert rolled.status_code == 302
    page = client.get(reverse("workflows:year")).content.decode()
    assert "پس گرفتن حرکت افق" in page
    answer = CallAnswer.objects.get(committee__code="C02")
    client.force_login(people["waste-member"])
    answer_page = client.get(reverse("workflows:call_answer", args=[answer.pk]))
    assert answer_page.status_code == 200 and "roll-title" in answer_page.content.decode()
    assert 'id="decide-title"' in answer_page.content.decode()  # the task is in the member's queue: the form
    refused = client.post(reverse("workflows:call_answer", args=[answer.pk]), {"answer": "none"})
    assert refused.status_code == 200 and CallAnswer.objects.get(pk=answer.pk).answer == "pending"
    sent = client.post(reverse("workflows:call_answer", args=[answer.pk]), {"answer": "none", "note": "بدون تغییر"})
    assert sent.status_code == 302 and CallAnswer.objects.get(pk=answer.pk).answer == "none"
    client.force_login(people["parks-member"])
    assert client.get(reverse("workflows:call_answer", args=[answer.pk])).status_code == 404


def test_an_unanswered_call_is_reminded_and_escalated_to_the_planning_office(plan, people):
    from approvals.services import reminders_sweep
    from rules.selectors import working_calendar

    call = open_call(plan, people)
    calendar = working_calendar()
    late = calendar.add_working_days(call.deadline, 3)  # three working days past the deadline
    counts = reminders_sweep(today=late)
    waste = CallAnswer.objects.get(call=call, committee__code="C02")
    overdue = Notification.objects.filter(event="task.overdue", object_id=str(waste.pk))
    assert {n.recipient.username for n in overdue} == {"waste-member"}
    escalated = Notification.objects.filter(event="task.escalated", object_id=str(waste.pk))
    assert {n.recipient.username for n in escalated} == {"planning"}
    assert counts["overdue"] == counts["escalation"] == plan.committees.count()
    assert reminders_sweep(today=late)["escalation"] == 0  # never twice


def test_the_queue_filtered_by_committee_keeps_its_call_and_its_figures(plan, people, waste):
    from approvals.selectors import queue
    from workflows.services import actuals_enter

    open_call(plan, people)
    actuals_enter(
        committee=waste, year=1404, entries=[{"code": "IND3.1.1", "value": "3"}], acting_user=people["waste-member"]
    )
    (answer,) = queue(people["waste-member"], committee=waste)
    (confirm,) = queue(people["waste-chair"], committee=waste)
    assert answer.stage == "answer_call" and isinstance(answer.subject, CallAnswer) and answer.committee == waste
    assert confirm.stage == "confirm_actuals" and confirm.subject.committee == waste
    parks = plan.committees.get(code="C03")
    assert queue(people["waste-chair"], committee=parks) == []
