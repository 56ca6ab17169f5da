"""The admin's lists show dates and times in Jalali, like every other page, and still sort by them."""

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from core.jalali import format_jalali
from people.models import User
from plan.models import Plan
from rules.models import Holiday

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, plan):
    admin = User.objects.create_superuser(username="root", password="x", email="root@example.org", language="fa")
    client.force_login(admin)
    return client


def test_every_app_lists_dates_in_jalali(admin_client, plan):
    issued = timezone.localtime(Plan.objects.get(code="ahvaz-1407").versions.get().issued_at)
    versions = admin_client.get("/admin/plan/issuedversion/").content.decode()
    assert format_jalali(issued, with_time=True) in versions  # ۱۴۰۳/…/… ۰۸:۰۰, in Persian digits
    assert str(issued.year) not in versions.split("<tbody>")[1]  # no Gregorian year in the rows
    Holiday.objects.create(date=dt.date(2026, 3, 21), name_fa="نوروز")
    holidays = admin_client.get("/admin/rules/holiday/").content.decode()
    assert "۱۴۰۵/۰۱/۰۱" in holidays and "2026" not in holidays.split("<tbody>")[1]
    newest = AuditEvent.objects.order_by("-id").first()  # the plan's import, recorded just now
    events = admin_client.get("/admin/audit/auditevent/").content.decode().split("<tbody>")[1]
    assert format_jalali(timezone.localtime(newest.occurred_at), with_time=True) in events
    assert str(timezone.localdate().year) not in events
    for path in ("/admin/plan/amendment/", "/admin/plan/revision/"):
        assert admin_client.get(path).status_code == 200


def test_a_jalali_column_still_sorts_by_its_date(admin_client, plan):
    for day in (dt.date(2026, 3, 21), dt.date(2025, 3, 21), dt.date(2027, 3, 21)):
        Holiday.objects.create(date=day, name_fa=f"روز {day.year}")
    page = admin_client.get("/admin/rules/holiday/?o=1").content.decode()
    rows = page.split("<tbody>")[1]
    assert rows.index("۱۴۰۴/۰۱/۰۱") < rows.index("۱۴۰۵/۰۱/۰۱") < rows.index("۱۴۰۶/۰۱/۰۱")
