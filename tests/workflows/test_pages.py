"""The approver's pages: dashboard, claiming, the task page and its decision form; 404 by URL."""

import pytest

from approvals.selectors import queue
from people.models import User
from plan.models import Amendment, Revision
from tests.scenario import SESSION_JALALI_FA
from workflows.selectors import open_task, revision_open_task

pytestmark = pytest.mark.django_db


def signed_in(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def test_the_dashboard_shows_inbox_and_queue(client, demo):
    html = signed_in(client, "chair").get("/").content.decode()
    assert "بازتنظیم هدف تفکیک از مبدأ" in html and "برداشتن" in html  # in the queue, with its claim button
    member = signed_in(client, "member").get("/").content.decode()
    assert "افزایش هدف جمع‌آوری بهنگام پسماند" in member


def test_a_bad_due_date_filter_is_a_message_not_an_error(client, demo):
    response = signed_in(client, "chair").get("/", {"due_before": "1404/13/40"})
    assert response.status_code == 200
    assert "روزی از تقویم شمسی نیست" in response.content.decode() or "سال/ماه/روز" in response.content.decode()


def test_the_chair_signs_off_through_the_task_page(client, demo):
    amendment = Amendment.objects.get(title="بازتنظیم هدف تفکیک از مبدأ")
    task = open_task(amendment)
    page = signed_in(client, "chair").get(f"/tasks/{task.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "<ins>" in html and "IND3." in html
    refused = client.post(f"/tasks/{task.pk}/", {"outcome": "return", "reason": ""})
    assert "دلیل مکتوب" in refused.content.decode()  # the reason is required, in Persian
    assert open_task(amendment).pk == task.pk
    fingerprint = html.split('name="fingerprint" value="')[1].split('"')[0]
    done = client.post(f"/tasks/{task.pk}/", {"outcome": "approve", "fingerprint": fingerprint})
    assert done.status_code == 302
    assert open_task(amendment).flow_task.name == "integration"


def test_a_stale_page_is_refused_and_keeps_what_was_typed(client, demo):
    amendment = Amendment.objects.get(title="بازتنظیم هدف تفکیک از مبدأ")
    task = open_task(amendment)
    response = signed_in(client, "chair").post(
        f"/tasks/{task.pk}/", {"outcome": "return", "reason": "متن من", "fingerprint": "0" * 64}
    )
    html = response.content.decode()
    assert "هنگام مطالعه شما تغییر کرد" in html and "متن من" in html


def test_pages_one_may_not_see_are_404_even_by_url(client, demo):
    amendment = Amendment.objects.get(title="بازتنظیم هدف تفکیک از مبدأ")  # waste committee's
    task = open_task(amendment)
    other = signed_in(client, "member-c03")  # parks committee
    assert other.get(f"/tasks/{task.pk}/").status_code == 404
    assert other.post(f"/tasks/{task.pk}/", {"outcome": "approve"}).status_code == 404
    assert other.post(f"/tasks/{task.pk}/claim/").status_code == 404
    revision = Revision.objects.get(status="policy_council", plan__code="ahvaz-1407")
    assert other.get(f"/tasks/{revision_open_task(revision).pk}/").status_code == 404
    assert signed_in(client, "auditor").get(f"/tasks/{task.pk}/").status_code == 200  # reads, cannot act
    assert 'name="outcome"' not in client.get(f"/tasks/{task.pk}/").content.decode()


def test_claim_and_the_council_vote_form(client, demo):
    revision = Revision.objects.get(status="city_council")
    task = revision_open_task(revision)
    council = signed_in(client, "council")
    assert client.post(f"/tasks/{task.pk}/claim/").status_code == 302
    assert queue(User.objects.get(username="council")) == []
    no_quorum = council.post(
        f"/tasks/{task.pk}/",
        {
            "outcome": "approve",
            "session_date": SESSION_JALALI_FA,
            "resolution_number": "۱۴۰۴/۳۰۰",
            "present": 5,
            "votes_for": 5,
            "votes_against": 0,
            "abstentions": 0,
        },
    )
    assert "حد نصاب" in no_quorum.content.decode()
    assert revision_open_task(revision).flow_task.name == "city_council"
    bad_date = council.post(f"/tasks/{task.pk}/", {"outcome": "approve", "session_date": "1404/13/01"})
    assert "روزی از تقویم شمسی نیست" in bad_date.content.decode()
