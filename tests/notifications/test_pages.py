import pytest
from django.core.management import call_command

from approvals.services import reminders_sweep
from notifications.models import Notification
from people.models import User
from rules.selectors import working_calendar

pytestmark = pytest.mark.django_db


def test_a_demo_member_sees_a_reminder_arrive_for_the_overdue_demo_draft(client, capsys):
    from django.utils import timezone

    call_command("load_demo")
    capsys.readouterr()
    member = User.objects.get(username="member")
    day = working_calendar().next_working_day(timezone.localdate())
    reminders_sweep(today=day)  # what Celery beat runs every minute
    assert Notification.objects.filter(recipient=member, event="task.overdue").count() == 1
    client.force_login(member)
    home = client.get("/").content.decode()
    assert 'class="badge"' in home
    page = client.get("/notifications/").content.decode()
    assert "مهلت از" in page and "گذشته است" in page  # Persian, with the Jalali due date
    client.post("/notifications/read/")
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    assert 'class="badge"' not in client.get("/").content.decode()


def test_one_notification_is_marked_read_and_others_are_not_touched(client):
    from tests.factories import UserFactory

    user, other = UserFactory(), UserFactory()
    from notifications.services import notify

    notes = notify(recipients=[user], event="amendment.accepted", context={"subject": "x"})
    notify(recipients=[other], event="amendment.accepted", context={"subject": "y"})
    client.force_login(user)
    client.post("/notifications/read/", {"id": [str(notes[0].pk), str(Notification.objects.get(recipient=other).pk)]})
    assert Notification.objects.get(recipient=user).read_at is not None
    assert Notification.objects.get(recipient=other).read_at is None  # someone else's is not yours to mark
    assert client.get("/notifications/").status_code == 200
    client.logout()
    assert client.get("/notifications/").status_code == 302
