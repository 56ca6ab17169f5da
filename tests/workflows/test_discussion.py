"""The discussion before a sign-off: comments on an amendment or an operation, replies, a mention
told once to someone who can see the amendment (refused for someone who cannot), edits within the
window keeping the earlier text, after it refused; a chair resolves a thread, and the decision page
names the unresolved ones. Nothing is written by a refusal."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from approvals.models import Comment, CommentEdit
from audit.models import AuditEvent
from notifications.models import Notification
from plan.services import amendment_operations_set
from tests.scenario import WASTE
from workflows.selectors import open_task
from workflows.services import CommentRefused, amendment_draft_start, comment_edit, comment_post, decide, thread_resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(plan, people):
    member = people["waste-member"]
    amendment = amendment_draft_start(
        plan=plan, committee=plan.committees.get(code="C02"), drafted_by=member, title="ب"
    )
    amendment_operations_set(amendment=amendment, operations=WASTE, acting_user=member)
    decide(task=open_task(amendment), acting_user=member, outcome="submit")
    return amendment


def test_a_thread_with_a_mention_an_edit_and_its_resolution(submitted, people):
    member, chair = people["waste-member"], people["waste-chair"]
    first = comment_post(amendment=submitted, author=chair, body="منبع هدف ۹۰ چیست؟ @waste-member", operation=0)
    assert first.operation == 0 and AuditEvent.objects.filter(action="workflows.comment.post").count() == 1
    told = Notification.objects.filter(event="comment.mentioned", recipient=member)
    assert told.count() == 1
    reply = comment_post(amendment=submitted, author=member, body="گزارش سال ۱۴۰۳", thread=first)
    assert reply.operation == 0 and reply.thread == first
    comment_edit(comment=first, author=chair, body="منبع هدف ۹۰ چیست؟ @waste-member لطفاً پیوست کنید")
    first.refresh_from_db()
    assert first.edited_at and CommentEdit.objects.get(comment=first).body == "منبع هدف ۹۰ چیست؟ @waste-member"
    assert told.count() == 1  # the edit mentions no one new: told once
    with pytest.raises(PermissionDenied):
        comment_edit(comment=first, author=member, body="x")  # not the author
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(minutes=16))
    with pytest.raises(CommentRefused, match="15 minutes"):
        comment_edit(comment=first, author=chair, body="دیر")
    with pytest.raises(PermissionDenied):
        thread_resolve(comment=first, acting_user=member)  # only a chair resolves
    thread_resolve(comment=first, acting_user=chair)
    first.refresh_from_db()
    assert first.resolved_by == chair
    with pytest.raises(CommentRefused, match="already resolved"):
        thread_resolve(comment=first, acting_user=chair)


def test_an_email_address_is_no_mention_and_a_full_stop_ends_one(submitted, people):
    member, chair = people["waste-member"], people["waste-chair"]
    comment_post(amendment=submitted, author=chair, body="پاسخ را به info@ahvaz.ir بفرستید، @waste-member.")
    assert Notification.objects.filter(event="comment.mentioned", recipient=member).count() == 1


@pytest.mark.parametrize(
    ("body", "kwargs", "error", "message"),
    [
        ("", {}, CommentRefused, "write something"),
        ("   ", {}, CommentRefused, "write something"),
        ("ب" * 4001, {}, CommentRefused, "at most 4000"),
        ("@parks-member ببینید", {}, CommentRefused, "cannot see this amendment"),
        ("@nobody-here ببینید", {}, CommentRefused, "no one called"),
        ("درباره بند", {"operation": 7}, CommentRefused, "no such operation"),
    ],
)
def test_a_bad_comment_writes_nothing(submitted, people, body, kwargs, error, message):
    before = (Comment.objects.count(), AuditEvent.objects.count(), Notification.objects.count())
    with pytest.raises(error, match=message):
        comment_post(amendment=submitted, author=people["waste-chair"], body=body, **kwargs)
    assert (Comment.objects.count(), AuditEvent.objects.count(), Notification.objects.count()) == before


def test_someone_who_cannot_see_the_amendment_cannot_comment(submitted, people, client):
    with pytest.raises(PermissionDenied):
        comment_post(amendment=submitted, author=people["parks-member"], body="سلام")
    client.force_login(people["parks-member"])
    answer = client.post(reverse("drafting:comment_new", args=[submitted.pk]), {"body": "سلام"})
    assert answer.status_code == 404 and not Comment.objects.exists()


def test_the_pages_post_reply_and_show_the_unresolved_threads_before_a_sign_off(submitted, people, client):
    member, chair = people["waste-member"], people["waste-chair"]
    task = open_task(submitted)
    page = reverse("workflows:task", args=[task.pk])
    client.force_login(member)
    sent = client.post(
        reverse("drafting:comment_new", args=[submitted.pk]), {"body": "پیشنهاد @waste-chair", "next": page}
    )
    assert sent.status_code == 302 and sent["Location"] == f"{page}#discussion"
    first = Comment.objects.get()
    client.post(
        reverse("drafting:comment_new", args=[submitted.pk]), {"body": "پاسخ", "thread": str(first.pk), "next": page}
    )
    assert Comment.objects.filter(thread=first).count() == 1
    escaped = client.post(
        reverse("drafting:comment_new", args=[submitted.pk]), {"body": "بیرون", "next": "https://evil.example/"}
    )
    assert escaped["Location"] == reverse("drafting:amendment_edit", args=[submitted.pk])  # never off the site
    client.force_login(chair)
    shown = client.get(page).content.decode()
    assert 'id="discussion"' in shown and "پیشنهاد" in shown and 'href="#discussion"' in shown  # unresolved, named
    for thread in Comment.objects.filter(thread__isnull=True):  # "پیشنهاد" and "بیرون"
        client.post(reverse("drafting:comment_resolve", args=[thread.pk]), {"next": page})
    assert 'href="#discussion"' not in client.get(page).content.decode()
    assert AuditEvent.objects.filter(action="workflows.comment.resolve").count() == 2


def test_a_nul_character_is_dropped_not_a_server_error(submitted, people, client):
    client.force_login(people["waste-chair"])
    answer = client.post(reverse("drafting:comment_new", args=[submitted.pk]), {"body": "سلام\x00 دنیا"})
    assert answer.status_code == 302
    assert Comment.objects.get().body == "سلام دنیا"
