"""The admin a Persian administrator reads: no English word on its index, the product's name in
its header (Django's and the third-party apps' labels included)."""

import html as html_module
import io
import re

import pytest

from core.jalali import ascii_digits
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


def test_admin_cells_and_read_only_values_read_in_persian_digits(client, plan):
    """Numbers and dates in every list cell, read-only value and the count are Persian; a word
    with Latin letters (a code, a fingerprint, a username) keeps what the reader copies."""
    version = plan.versions.get()
    root = UserFactory(username="root", is_staff=True, is_superuser=True, language="fa")
    client.force_login(root)
    html = client.get("/admin/plan/issuedversion/").content.decode()
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    cells = re.sub(r"<[^>]+>", " ", body)
    assert f">{version.item_count}<" not in body and ">" + str(version.item_count).translate(PERSIAN) + "<" in body
    latin = [w for w in cells.split() if re.search(r"[0-9]", w) and not re.search(r"[A-Za-z]", w)]
    assert latin == [], latin
    assert version.fingerprint in body  # a fingerprint stays as it is (hex, copyable)
    paginator = html.split('class="paginator"')[1].split("</p>")[0]
    assert "۱" in paginator and not re.search(r"[0-9]", re.sub(r"<[^>]+>", "", paginator))
    detail = client.get(f"/admin/plan/issuedversion/{version.pk}/change/").content.decode()
    readonly = " ".join(re.findall(r'<div class="readonly">(.*?)</div>', detail, re.S))
    assert str(version.item_count).translate(PERSIAN) in readonly and version.fingerprint in readonly
    items = client.get("/admin/plan/planitem/", {"q": "IND3.1.1"}).content.decode()
    assert "IND3.1.1" in items  # a code keeps its digits


PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def test_the_admin_walkthrough_shows_no_english_word_and_no_gregorian_date(client):
    """Every admin list and the change page of its first row, after the demo's year, read by a
    Persian administrator: no English word outside what is data (codes, usernames, fingerprints,
    identifiers), no Gregorian year. Generated from the admin registry."""
    from django.contrib import admin
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())  # in the product's language, whatever the caller's
    root = UserFactory(username="root", is_staff=True, is_superuser=True, language="fa")
    client.force_login(root)
    # what people and the plan wrote is data, not the interface: usernames, role groups' names, the
    # plan's English names, a browser's user agent
    from django.contrib.auth.models import Group

    from people.models import User
    from plan.models import PlanItem

    data = {w for name in User.objects.values_list("username", flat=True) for w in re.findall(r"[A-Za-z]+", name)}
    data |= {w for name in Group.objects.values_list("name", flat=True) for w in re.findall(r"[A-Za-z]+", name)}
    data |= {
        w for item in PlanItem.objects.values_list("code", "name_en") for w in re.findall(r"[A-Za-z]+", " ".join(item))
    }
    data |= {"JSON", "XLSX", "CSV"}  # names of file formats, written so in Persian too
    data |= {"Mac", "unknown"}  # the user agent the test client records; axes' mark for none
    found = {}
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        paths = [f"/admin/{meta.app_label}/{meta.model_name}/"]
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            paths.append(f"/admin/{meta.app_label}/{meta.model_name}/{row.pk}/change/")
        if model._meta.label == "plan.Plan":
            paths.append("/admin/plan/plan/import/")  # the page the admin adds
        for path in paths:
            answer = client.get(path)
            assert answer.status_code == 200, path
            words = [w for w in _english_words(answer.content.decode()) if w not in data]
            if words:
                found[path] = words
    import json

    print(json.dumps(found, ensure_ascii=False, indent=0))
    assert found == {}, found


def _english_words(html: str) -> list[str]:
    body = html.split("<body", 1)[1].split(">", 1)[1]
    body = re.sub(r"<(script|style|textarea|select)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r'<code class="record".*?</code>', " ", body, flags=re.S)  # a stored record (JSON)
    text = re.sub(r"<[^>]+>", " ", body)
    text = html_module.unescape(text)
    words = set()
    for token in text.split():
        # data, not interface: codes and identifiers (with digits, dots, hyphens, slashes or _),
        # e-mail addresses and the JSON of a stored record
        if re.search(r"[\d._/@:{}\[\]\"=-]", token):
            continue
        for word in re.findall(r"[A-Za-z]{3,}", token):
            words.add(word)
    # Jalali years are 13xx–14xx: a 20xx year in any digits is a Gregorian date; not four digits
    # inside a hash or an identifier ("…e2031f…" in an event's hex hash is no year)
    gregorian = re.findall(r"(?<![\w,٬])20[2-3]\d(?![\w,٬])", ascii_digits(text))
    return sorted(words) + [f"date:{g}" for g in sorted(set(gregorian))]
