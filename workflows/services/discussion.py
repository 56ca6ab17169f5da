"""The discussion of an amendment: comments on it or on one of its operations, replies, mentions
(told through the notifications and their preferences), edits for a short while (each earlier
text kept and audited), and threads the committee's chair marks resolved."""

import datetime as dt
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import Comment, CommentEdit
from approvals.selectors import amendments_visible_to
from audit.services import audit_record
from core.errors import BaznegarError, NotAllowed
from core.jalali import tidy_text
from notifications.services import notify
from people.models import User
from people.selectors import holds_object_right
from plan.models import Amendment

# @username, not the middle of an e-mail address (ali@example.com), nor the full stop after a name
MENTION = re.compile(r"(?<![\w.@])@(\w(?:[\w.\-]*\w)?)")


class CommentRefused(BaznegarError):
    """A comment that cannot be written or changed; nothing was."""


def _text(body) -> str:
    text = tidy_text(body or "")
    if not text:
        raise CommentRefused(_("write something"))
    if len(text) > settings.COMMENT_MAX_LENGTH:
        raise CommentRefused(
            _("a comment is at most %(limit)s characters (this has %(length)s)")
            % {"limit": settings.COMMENT_MAX_LENGTH, "length": len(text)}
        )
    return text


def _mentioned(text: str, amendment: Amendment, author: User) -> list[User]:
    """The people a text names with @username; each must be able to see the amendment."""
    names = sorted(set(MENTION.findall(text)))
    people = list(User.objects.filter(username__in=names, is_active=True))
    unknown = sorted(set(names) - {p.username for p in people})
    if unknown:
        raise CommentRefused(_("there is no one called %(names)s") % {"names": ", ".join(unknown)})
    blind = [p.username for p in people if not amendments_visible_to(p).filter(pk=amendment.pk).exists()]
    if blind:
        raise CommentRefused(
            _("%(names)s cannot see this amendment: mention only people who can") % {"names": ", ".join(blind)}
        )
    return [p for p in people if p.pk != author.pk]


def _readable(amendment: Amendment, user: User) -> Amendment:
    if not amendments_visible_to(user).filter(pk=amendment.pk).exists():
        raise NotAllowed(_("you may not see this amendment"))
    return Amendment.objects.select_for_update(no_key=True).get(pk=amendment.pk)


@transaction.atomic
def comment_post(
    *, amendment: Amendment, author: User, body: str, operation: int | None = None, thread: Comment | None = None
) -> Comment:
    """A comment on an amendment (or one of its operations), or a reply in a thread."""
    amendment = _readable(amendment, author)
    text = _text(body)
    if thread is not None:
        if thread.amendment_id != amendment.pk or thread.thread_id is not None:
            raise CommentRefused(_("reply to a comment of this amendment"))
        operation = thread.operation
    elif operation is not None and not amendment.operations.filter(position=operation).exists():
        raise CommentRefused(_("this amendment has no such operation"))
    mentioned = _mentioned(text, amendment, author)
    comment = Comment.objects.create(amendment=amendment, author=author, body=text, operation=operation, thread=thread)
    audit_record(
        action="workflows.comment.post",
        actor=author,
        obj=comment,
        data={
            "thread": thread.pk if thread else None,
            "operation": operation,
            "mentions": [p.username for p in mentioned],
        },
    )
    if mentioned:
        notify(
            recipients=mentioned,
            event="comment.mentioned",
            obj=amendment,
            context={"subject": amendment.title, "who": str(author)},
        )
    return comment


@transaction.atomic
def comment_edit(*, comment: Comment, author: User, body: str) -> Comment:
    """The author changes a comment within the edit window; the earlier text is kept."""
    comment = Comment.objects.select_for_update(no_key=True).select_related("amendment").get(pk=comment.pk)
    if comment.author_id != author.pk:
        raise NotAllowed(_("only its author edits a comment"))
    if timezone.now() - comment.created_at > dt.timedelta(minutes=settings.COMMENT_EDIT_MINUTES):
        raise CommentRefused(
            _("a comment can be edited for %(minutes)s minutes; write a new one")
            % {"minutes": settings.COMMENT_EDIT_MINUTES}
        )
    text = _text(body)
    if text == comment.body:
        return comment
    mentioned = _mentioned(text, comment.amendment, author)
    before = set(MENTION.findall(comment.body))
    CommentEdit.objects.create(comment=comment, body=comment.body)
    comment.body, comment.edited_at = text, timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    audit_record(action="workflows.comment.edit", actor=author, obj=comment, data={"edits": comment.edits.count()})
    newly = [p for p in mentioned if p.username not in before]  # told once: only who the edit adds
    if newly:
        notify(
            recipients=newly,
            event="comment.mentioned",
            obj=comment.amendment,
            context={"subject": comment.amendment.title, "who": str(author)},
        )
    return comment


@transaction.atomic
def thread_resolve(*, comment: Comment, acting_user: User) -> Comment:
    """A chair of the amendment's committee marks a thread resolved."""
    comment = Comment.objects.select_for_update(no_key=True).select_related("amendment").get(pk=comment.pk)
    if comment.thread_id is not None:
        raise CommentRefused(_("a thread is resolved from its first comment"))
    committee = comment.amendment.committee
    if committee is None or not holds_object_right(acting_user, "plan.sign_off_amendment", committee):
        raise NotAllowed(_("only a chair of the committee resolves a thread"))
    if comment.resolved_at is not None:
        raise CommentRefused(_("this thread is already resolved"))
    comment.resolved_by, comment.resolved_at = acting_user, timezone.now()
    comment.save(update_fields=["resolved_by", "resolved_at"])
    audit_record(action="workflows.comment.resolve", actor=acting_user, obj=comment, data={})
    return comment
