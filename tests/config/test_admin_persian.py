"""The admin a Persian administrator reads: no English word on its index, the product's name in
its header (Django's and the third-party apps' labels included)."""

import re

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_index_has_no_english_word_for_a_persian_reader(client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True, language="fa")
    client.force_login(root)
    html = client.get("/admin/").content.decode()
    body = html.split("<body", 1)[1].split(">", 1)[1]
    text = re.sub(r"<[^>]+>", " ", body)
    english = sorted(set(re.findall(r"[A-Za-z]{3,}", text)) - {"root"})
    assert english == [], english
    assert "مدیریت بازنگر" in html and "Django" not in html.split("<body", 1)[1]


def test_a_date_is_typed_and_shown_in_jalali_in_the_admin(client):
    import jdatetime

    from rules.models import Holiday

    root = UserFactory(username="root", is_staff=True, is_superuser=True, language="fa")
    client.force_login(root)
    answer = client.post(
        "/admin/rules/holiday/add/", {"date": "۱۴۱۰/۰۱/۱۲", "name_fa": "روز طبیعت", "name_en": "", "kind": "solar"}
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    holiday = Holiday.objects.get(name_fa="روز طبیعت")
    assert holiday.date == jdatetime.date(1410, 1, 12).togregorian()
    page = client.get(f"/admin/rules/holiday/{holiday.pk}/change/").content.decode()
    assert 'value="۱۴۱۰/۰۱/۱۲"' in page
    refused = client.post("/admin/rules/holiday/add/", {"date": "2031-04-01", "name_fa": "ن", "kind": "solar"})
    assert refused.status_code == 200 and Holiday.objects.count() == 1  # a Gregorian date is a message
