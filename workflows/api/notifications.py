"""Notifications: the newest, and marking them read."""

from django.utils.translation import gettext_noop
from ninja import Router, Schema

from notifications.events import render as render_notification
from notifications.selectors import notifications_for
from notifications.services import notification_mark_read
from workflows.api.common import idempotent, writing

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    event: str
    text: str
    object_type: str
    object_id: str
    created_at: str
    read: bool


@router.get("", response=list[NotificationOut], summary=gettext_noop("Your newest notifications"))
def notifications(request, unread: bool = False):
    rows = notifications_for(request.user, limit=100)
    return [
        NotificationOut(
            id=n.pk,
            event=n.event,
            text=render_notification(n),
            object_type=n.object_type,
            object_id=n.object_id,
            created_at=n.created_at.isoformat(),
            read=n.read_at is not None,
        )
        for n in rows
        if not unread or n.read_at is None
    ]


class MarkReadIn(Schema):
    ids: list[int] | None = None  # none: all of them

    model_config = {"extra": "forbid"}


class MarkReadOut(Schema):
    marked: int


@router.post("/read", response=MarkReadOut, summary=gettext_noop("Mark notifications read"))
@idempotent()
def notifications_read(request, payload: MarkReadIn):
    writing(request)
    return MarkReadOut(marked=notification_mark_read(user=request.user, notification_ids=payload.ids))
