"""Celery tasks of the approvals app: thin, they call a service."""

from celery import shared_task

from approvals.services import audit_chain_verify


@shared_task(acks_late=True)
def verify_audit_chain() -> dict:
    """Daily check of the audit chain (Celery beat)."""
    verification = audit_chain_verify()
    return {"ok": verification.ok, "events": verification.events_checked, "broken": verification.broken_event_id}
