"""Reads of an amendment's discussion: its threads, each with its replies and earlier texts."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from approvals.models import Comment


@dataclass
class Thread:
    first: Comment
    replies: list = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return self.first.resolved_at is not None


def amendment_discussion(amendment) -> list[Thread]:
    """The threads of an amendment, oldest first, each comment with `editable_until` and its edits."""
    comments = list(
        Comment.objects.filter(amendment=amendment)
        .select_related("author", "resolved_by")
        .prefetch_related("edits")
        .order_by("created_at", "pk")
    )
    window = timezone.timedelta(minutes=settings.COMMENT_EDIT_MINUTES)
    threads: dict[int, Thread] = {}
    for comment in comments:
        comment.editable_until = comment.created_at + window
        if comment.thread_id is None:
            threads[comment.pk] = Thread(first=comment)
    for comment in comments:
        if comment.thread_id is not None and comment.thread_id in threads:
            threads[comment.thread_id].replies.append(comment)
    return list(threads.values())


def unresolved_threads(amendment) -> int:
    return Comment.objects.filter(amendment=amendment, thread__isnull=True, resolved_at__isnull=True).count()
