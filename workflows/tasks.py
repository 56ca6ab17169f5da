"""Celery tasks of the workflows app: thin, they call viewflow's timer dispatcher."""

from celery import shared_task
from viewflow.workflow.timers import fire_due_timers

from workflows.services.idempotency import idempotency_keys_purge


@shared_task(acks_late=True)
def fire_workflow_timers() -> int:
    """Fire every due timer (e.g. the governorate's objection window): confirmation by silence."""
    return fire_due_timers()


@shared_task
def purge_idempotency_keys() -> int:
    """Hourly (Celery beat): the API's idempotency keys older than a day."""
    return idempotency_keys_purge()
