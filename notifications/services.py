"""Every write of the notifications app: what people are told, the outbox that carries it by
email after commit, and the daily digest. Apps register their own event texts (`events`)."""

import datetime as dt
import logging
import threading
import time

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from audit import chain
from audit.services import audit_record, chain_broken
from notifications import tasks  # tasks import this module too: each reads the other at call time
from notifications.events import EVENTS, render
from notifications.models import Notification, Outbox
from people.models import User
from people.services import administrators


def register_audit_actions() -> None:
    chain.register_action("notifications.outbox.retry", _("Message sent again"))


def notify(*, recipients, event: str, obj=None, context: dict | None = None) -> list[Notification]:
    """Tell people something in the app, in the caller's transaction (so nothing is told of a
    change that rolled back). Each person is told once per call."""
    return notifications_save(notification_rows(recipients=recipients, event=event, obj=obj, context=context))


def notification_rows(*, recipients, event: str, obj=None, context: dict | None = None) -> list[Notification]:
    """Unsaved notifications of one event: each active person once."""
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    seen, rows = set(), []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient=user,
                event=event,
                context=context or {},
                object_type=obj._meta.label_lower if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "",
            )
        )
    return rows


def notifications_save(rows: list[Notification]) -> list[Notification]:
    """Save notifications with their emails' outbox rows, in one statement each; deliver after commit."""
    created = Notification.objects.bulk_create(rows) if rows else []
    _deliver_after_commit([o.pk for o in _outbox_rows_for(created) if o.pk])
    return created


@transaction.atomic
def notification_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    """Mark some (or all) of a person's notifications read; returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


MAX_ATTEMPTS = 5


logger = logging.getLogger(__name__)


def _email_for(notification: Notification, recipient: User) -> tuple[str, str]:
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        text = render(notification, recipient.language)
        return one_line(f"{translation.gettext('Baznegar')}: {text}"), text


def one_line(subject: str, limit: int = 300) -> str:
    """A header's text on one line: a reason typed over several lines (a textarea sends \\r\\n) in a
    subject is refused by Django (BadHeaderError), and the mail was never sent. The body keeps them."""
    return " ".join(subject.split())[:limit]


def _outbox_rows_for(notifications: list[Notification]) -> list[Outbox]:
    rows = []
    for notification in notifications:
        user = notification.recipient
        if user.email_preference != User.EmailPreference.IMMEDIATE or not user.email:
            continue
        subject, body = _email_for(notification, user)
        rows.append(
            Outbox(
                idempotency_key=f"notification:{notification.pk}",
                recipient=user,
                to_address=user.email,
                subject=subject,
                body=body,
            )
        )
    return Outbox.objects.bulk_create(rows) if rows else []  # keys are unique per notification


def _deliver_after_commit(ids: list[int]) -> None:
    """Hand the messages to Celery once the transaction has committed; if the broker is down the
    periodic sweep delivers them, so nothing is lost and nothing is sent for a rolled-back change."""
    if not ids:
        return

    def enqueue():
        if broker_breaker.is_open():
            return  # the broker failed a moment ago: the sweep delivers, the request does not wait
        try:
            if len(ids) == 1:
                tasks.deliver_outbox.apply_async(args=[ids[0]], retry=False)
            else:  # one broker message for the lot: publishing costs more than the email's row
                tasks.deliver_outbox_many.apply_async(args=[list(ids)], retry=False)
        except Exception:  # the broker is down: the sweep will find the rows pending
            broker_breaker.trip()
            logger.warning("broker unavailable; outbox %s left for the sweep", ids)

    transaction.on_commit(enqueue)


class _Breaker:
    """After a failed hand-off, this process stops trying the broker for BROKER_BREAKER_SECONDS:
    nothing is lost (the rows stay pending for the sweep), and no request waits on a broker that
    is known to be down."""

    def __init__(self):
        self.open_until = 0.0
        self.lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self) -> None:
        with self.lock:
            self.open_until = time.monotonic() + getattr(settings, "BROKER_BREAKER_SECONDS", 30)

    def reset(self) -> None:
        self.open_until = 0.0


broker_breaker = _Breaker()


def outbox_deliver(*, outbox_id: int) -> str:
    """Send one pending message, at most once at a time (row lock), and record the outcome."""
    with transaction.atomic():
        message = (
            Outbox.objects.select_for_update(skip_locked=True)
            .filter(pk=outbox_id, status=Outbox.Status.PENDING)
            .first()
        )
        if message is None:
            return "skipped"  # already sent, failed, or being sent by another worker
        message.attempts += 1
        try:
            EmailMessage(
                subject=one_line(message.subject),  # a row queued before subjects were one line
                body=message.body,
                to=[message.to_address],
                headers={"Message-ID": f"<{message.idempotency_key.replace(':', '.')}@baznegar>"},
            ).send()
        except Exception as error:  # any failure of the mail server is recorded and retried
            message.last_error = f"{error.__class__.__name__}: {error}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = Outbox.Status.FAILED
            else:
                message.next_attempt_at = timezone.now() + dt.timedelta(minutes=2**message.attempts)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return message.status
        message.status = Outbox.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return "sent"


def outbox_sweep(*, limit: int = 500) -> dict:
    """Deliver whatever is pending and due (after a broker outage, a crash, or a retry delay)."""
    ids = list(
        Outbox.objects.filter(status=Outbox.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    results: dict[str, int] = {}
    for outbox_id in ids:
        outcome = outbox_deliver(outbox_id=outbox_id)
        results[outcome] = results.get(outcome, 0) + 1
    return results


@transaction.atomic
def outbox_retry(*, outbox: Outbox, acting_user) -> Outbox:
    """Send a failed message again (from the admin)."""
    outbox = Outbox.objects.select_for_update().get(pk=outbox.pk)
    if outbox.status != Outbox.Status.FAILED:
        return outbox
    outbox.status, outbox.attempts, outbox.next_attempt_at = Outbox.Status.PENDING, 0, timezone.now()
    outbox.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_record(
        action="notifications.outbox.retry", actor=acting_user, obj=outbox, data={"key": outbox.idempotency_key}
    )
    _deliver_after_commit([outbox.pk])
    return outbox


def digests_send(*, day: dt.date | None = None) -> int:
    """Once a day: one email per person who chose a digest, listing what they were told since."""
    day = day or timezone.localdate()
    since = timezone.now() - dt.timedelta(days=1)
    made = 0
    for user in User.objects.filter(email_preference=User.EmailPreference.DIGEST, is_active=True).exclude(email=""):
        recent = list(Notification.objects.filter(recipient=user, created_at__gte=since).order_by("created_at"))
        if not recent:
            continue
        key = f"digest:{user.pk}:{day.isoformat()}"
        if Outbox.objects.filter(idempotency_key=key).exists():
            continue  # today's digest was already written
        with transaction.atomic(), translation.override(user.language or settings.LANGUAGE_CODE):
            lines = [f"- {render(n, user.language)}" for n in recent]
            subject = translation.gettext("Your Baznegar digest: %(count)s notifications.") % {"count": len(recent)}
            message = Outbox.objects.create(
                idempotency_key=key, recipient=user, to_address=user.email, subject=subject, body="\n".join(lines)
            )
            _deliver_after_commit([message.pk])
            made += 1
    return made


@receiver(chain_broken)
def _tell_administrators_of_a_broken_chain(sender, *, verification, problem, params=None, **kwargs):
    """A check found a break no earlier check reported: every administrator is told, in the
    verification's transaction (the audit app knows nothing of notifications)."""
    notify(
        recipients=administrators(),
        event="audit.chain_broken",
        obj=verification,
        context={"problem": problem, "params": params or {}},
    )
