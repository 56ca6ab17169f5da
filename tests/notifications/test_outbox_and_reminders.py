"""Email through the outbox, and the reminder sweep across due dates, weekends and holidays."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from approvals.models import Deadline, Reminder
from approvals.services import reminders_sweep
from notifications.models import Notification, Outbox
from notifications.services import MAX_ATTEMPTS, notify, outbox_retry, outbox_sweep
from people.models import User
from plan.services import amendment_operations_set
from rules.selectors import working_calendar
from tests.factories import UserFactory
from workflows.selectors import open_task
from workflows.services import amendment_draft_start, decide

pytestmark = pytest.mark.django_db
CHANGE = [{"action": "change", "code": "IND3.1.1", "justification": "j", "values": {"targets.1405": {"new": 88}}}]


def tell(users, **context):
    return notify(
        recipients=users,
        event="task.waiting",
        context={"subject": "اصلاحیه", "step": "sign_off", "due": "2025-05-26", **context},
    )


def test_an_email_is_written_with_its_cause_and_sent_once(django_capture_on_commit_callbacks):
    persian = UserFactory(email="fa@example.org")
    english = UserFactory(email="en@example.org", language="en")
    quiet = UserFactory(email_preference=User.EmailPreference.OFF)
    digest = UserFactory(email_preference=User.EmailPreference.DIGEST)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell([persian, english, quiet, digest, persian])
    assert Notification.objects.count() == 4  # in-app always, once per person
    assert Outbox.objects.count() == 2 and len(callbacks) == 1  # delivery waits for the commit
    assert outbox_sweep() == {"sent": 2}
    assert outbox_sweep() == {}  # nothing is sent twice
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "۱۴۰۴/۰۳/۰۵" in by_address["fa@example.org"].body and "در انتظار شماست" in by_address["fa@example.org"].body
    assert "1404/03/05" in by_address["en@example.org"].body
    key = Outbox.objects.get(to_address="fa@example.org").idempotency_key
    assert by_address["fa@example.org"].extra_headers["Message-ID"] == f"<{key.replace(':', '.')}@baznegar>"


def test_a_reason_written_over_several_lines_is_sent_its_subject_on_one_line():
    """A textarea sends line breaks as \\r\\n; in a subject Django refuses them (BadHeaderError), and
    such a return or rejection was never mailed. A row queued before the fix is sent too."""
    drafter = UserFactory(email="drafter@example.org")
    reason = "بند ۱ منبع ندارد\r\nبند ۲ با هدف سال پیش نمی‌خواند"
    notify(
        recipients=[drafter],
        event="amendment.returned",
        context={"subject": "اصلاحیه", "step": "sign_off", "reason": reason},
    )
    queued = UserFactory(email="queued@example.org")
    tell([queued])
    Outbox.objects.filter(to_address="queued@example.org").update(subject="Baznegar: a\r\nBcc: x@evil.example")
    assert outbox_sweep() == {"sent": 2}
    sent = {m.to[0]: m for m in mail.outbox}
    assert "\n" not in sent["drafter@example.org"].subject and "\r" not in sent["drafter@example.org"].subject
    assert "بند ۱ منبع ندارد بند ۲" in sent["drafter@example.org"].subject
    assert "بند ۱ منبع ندارد\r\nبند ۲" in sent["drafter@example.org"].body  # the body keeps the lines
    assert sent["queued@example.org"].subject == "Baznegar: a Bcc: x@evil.example"
    assert sent["queued@example.org"].bcc == []


def test_nothing_is_told_of_a_change_that_rolled_back():
    user = UserFactory(email="x@example.org")
    with pytest.raises(RuntimeError), transaction.atomic():
        tell([user])
        raise RuntimeError("the decision failed")
    assert not Notification.objects.exists() and not Outbox.objects.exists()


def test_a_failing_mail_server_is_retried_with_backoff_then_marked_failed(monkeypatch):
    user = UserFactory(email="x@example.org")
    tell([user])

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert outbox_sweep() == {"pending": 1}
    message = Outbox.objects.get()
    assert (message.attempts, message.status) == (1, "pending") and "smtp down" in message.last_error
    assert message.next_attempt_at > timezone.now()
    assert outbox_sweep() == {}  # not due again yet
    for _ in range(MAX_ATTEMPTS - 1):
        Outbox.objects.update(next_attempt_at=timezone.now())
        outbox_sweep()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    monkeypatch.undo()
    outbox_retry(outbox=message, acting_user=None)
    assert outbox_sweep() == {"sent": 1} and len(mail.outbox) == 1


@pytest.fixture
def waiting(plan, waste, people):
    amendment = amendment_draft_start(plan=plan, committee=waste, drafted_by=people["waste-member"], title="هدف")
    amendment_operations_set(amendment=amendment, operations=CHANGE, acting_user=people["waste-member"])
    decide(task=open_task(amendment), acting_user=people["waste-member"], outcome="submit")
    return amendment


def sent(kind):
    return Reminder.objects.filter(kind=kind).count()


def test_reminders_on_the_right_days_to_the_right_people_once(waiting, people):
    deadline = Deadline.objects.get(task=open_task(waiting))
    calendar = working_calendar()
    due = deadline.due_on
    two_before = due
    while calendar.working_days_between(two_before, due) < 2:
        two_before -= dt.timedelta(days=1)
    assert reminders_sweep(today=two_before - dt.timedelta(days=1))["before"] == 0
    assert reminders_sweep(today=two_before)["before"] == 1
    assert reminders_sweep(today=two_before)["before"] == 0  # the sweep runs again: nothing twice
    reminded = Notification.objects.filter(event="task.reminder")
    assert [n.recipient for n in reminded] == [people["waste-chair"]]
    assert reminders_sweep(today=due)["due"] == 1
    day = due + dt.timedelta(days=1)
    overdue_days = 0
    while overdue_days < 3:
        result = reminders_sweep(today=day)
        if calendar.is_working_day(day):
            overdue_days += 1
            assert result["overdue"] == 1
        else:
            assert result == {"before": 0, "due": 0, "overdue": 0, "escalation": 0}  # Thursday, Friday, holidays
        day += dt.timedelta(days=1)
    assert sent("escalation") == 1
    escalated = Notification.objects.get(event="task.escalated")
    assert escalated.recipient == people["planning"]
    # once decided, the task is no longer reminded
    decide(task=open_task(waiting), acting_user=people["waste-chair"], outcome="approve")
    later = day + dt.timedelta(days=7)
    reminders_sweep(today=later)
    assert not Reminder.objects.filter(deadline=deadline, on_date=later).exists()


def test_a_sweep_applies_each_amendments_separation_of_duties_to_whom_it_reminds(plan, parks, people):
    """A member of the integration group who drafted one of two amendments waiting at integration is
    reminded of the other, never of their own (the sweep shared the first one's list with both)."""
    from django.contrib.auth.models import Group

    from people.roles import Role

    drafter = people["waste-member"]
    drafter.groups.add(Group.objects.get(name=Role.INTEGRATION.value))
    theirs, others = [], []
    parks_change = [{**CHANGE[0], "code": "IND3.4.1"}]
    for committee, member, chair, into, change in (
        (plan.committees.get(code="C02"), drafter, people["waste-chair"], theirs, CHANGE),
        (parks, people["parks-member"], people["parks-chair"], others, parks_change),
    ):
        amendment = amendment_draft_start(plan=plan, committee=committee, drafted_by=member, title=f"هدف {member}")
        amendment_operations_set(amendment=amendment, operations=change, acting_user=member)
        decide(task=open_task(amendment), acting_user=member, outcome="submit")
        decide(task=open_task(amendment), acting_user=chair, outcome="approve")
        into.append(amendment)
    today = timezone.localdate()
    for amendment in (*theirs, *others):  # both due today, the drafter's own first
        Deadline.objects.filter(task=open_task(amendment)).update(due_on=today)
    assert reminders_sweep(today=today)["due"] == 2
    told = {
        (n.recipient.username, n.object_id)
        for n in Notification.objects.filter(event="task.due_today").select_related("recipient")
    }
    assert ("waste-member", str(others[0].pk)) in told and ("integration", str(others[0].pk)) in told
    assert ("waste-member", str(theirs[0].pk)) not in told and ("integration", str(theirs[0].pk)) in told


def test_the_sweep_reads_only_what_is_due(waiting, people, django_assert_max_num_queries):
    far = timezone.localdate() + dt.timedelta(days=400)
    Deadline.objects.update(due_on=far)
    with django_assert_max_num_queries(6):
        assert reminders_sweep() == {"before": 0, "due": 0, "overdue": 0, "escalation": 0}


def test_the_admin_lists_failed_messages_and_sends_them_again(client, monkeypatch):
    admin = UserFactory(is_staff=True, is_superuser=True)
    user = UserFactory(email="x@example.org")
    tell([user])
    Outbox.objects.update(status="failed", attempts=MAX_ATTEMPTS, last_error="SMTPServerDisconnected")
    client.force_login(admin)
    page = client.get("/admin/notifications/outbox/?status__exact=failed")
    assert page.status_code == 200 and b"x@example.org" in page.content
    message = Outbox.objects.get()
    client.post("/admin/notifications/outbox/", {"action": "send_again", "_selected_action": [message.pk]})
    message.refresh_from_db()
    assert message.status == "pending"
    assert outbox_sweep() == {"sent": 1}
