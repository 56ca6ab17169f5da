"""Drafting through the pages: open, add operations with the rules' messages inline, submit."""

import pytest
from django.core.management import call_command

from approvals.models import User
from approvals.selectors import queue
from plan.models import Amendment

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client, capsys):
    call_command("load_demo")
    capsys.readouterr()
    client.force_login(User.objects.get(username="member"))
    return client


def test_a_member_drafts_and_submits_through_the_pages(member):
    assert "/plan/amendments/new/" in member.get("/").content.decode()
    response = member.post(
        "/plan/amendments/new/",
        {
            "committee": User.objects.get(username="member").memberships.get().committee.pk,
            "title": "هدف تازه برای ۱۴۰۶",
            "summary": "",
        },
    )
    amendment = Amendment.objects.get(title="هدف تازه برای 1406")  # digits are normalised
    assert response["Location"] == f"/plan/amendments/{amendment.pk}/"
    bad = member.post(
        f"/plan/amendments/{amendment.pk}/",
        {"action": "change", "code": "IND3.1.2", "field": "targets.1405", "value": "بالا", "justification": "چرا"},
    )
    html = bad.content.decode()
    assert "باید عدد باشد" in html and 'value="بالا"' in html  # the message, and what was typed
    assert amendment.operations.count() == 0
    good = member.post(
        f"/plan/amendments/{amendment.pk}/",
        {"action": "change", "code": "IND3.1.2", "field": "targets.1405", "value": "۷۰", "justification": "چرا"},
    )
    assert good.status_code == 302 and amendment.operations.count() == 1
    page = member.get(f"/plan/amendments/{amendment.pk}/").content.decode()
    assert "<ins>۷۰</ins>" in page
    member.post(f"/plan/amendments/{amendment.pk}/operations/0/remove/")
    assert amendment.operations.count() == 0
    member.post(
        f"/plan/amendments/{amendment.pk}/",
        {"action": "change", "code": "IND3.1.2", "field": "targets.1405", "value": "۷۰", "justification": "چرا"},
    )
    member.post(f"/plan/amendments/{amendment.pk}/submit/")
    amendment.refresh_from_db()
    assert amendment.status == "submitted"
    assert amendment in [row.subject for row in queue(User.objects.get(username="chair"))]


def test_another_persons_draft_is_a_404(member, client):
    draft = Amendment.objects.get(title="افزایش هدف جمع‌آوری بهنگام پسماند")
    client.force_login(User.objects.get(username="chair"))
    assert client.get(f"/plan/amendments/{draft.pk}/").status_code == 404
    assert client.post(f"/plan/amendments/{draft.pk}/submit/").status_code == 404
    client.force_login(User.objects.get(username="council"))
    assert client.get("/plan/amendments/new/").status_code == 404  # not a committee member
