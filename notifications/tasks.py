"""Celery tasks of the notifications app: thin, each calls a service. All are idempotent, so late
acknowledgement (a task is redelivered when its worker dies) never duplicates a message."""

from celery import shared_task

from notifications import services  # services import this module too: each reads the other at call time


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def deliver_outbox(outbox_id: int) -> str:
    return services.outbox_deliver(outbox_id=outbox_id)


@shared_task(acks_late=True)
def deliver_outbox_many(outbox_ids: list[int]) -> list[str]:
    """The messages one transaction wrote, handed over in one broker message (each still sent once)."""
    return [services.outbox_deliver(outbox_id=outbox_id) for outbox_id in outbox_ids]


@shared_task(acks_late=True)
def sweep_outbox() -> dict:
    return services.outbox_sweep()


@shared_task(acks_late=True)
def send_digests() -> int:
    return services.digests_send()
