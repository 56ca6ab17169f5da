"""Celery tasks of the approvals app: thin, they call a service."""

from celery import shared_task

from approvals.services import reminders_sweep


@shared_task(acks_late=True)
def send_reminders() -> dict:
    """Every minute (cheap, idempotent): reminders and escalations of the tasks that are due."""
    return reminders_sweep()
