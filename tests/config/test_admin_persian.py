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
