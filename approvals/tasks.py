"""Celery tasks of the approvals app: thin, they call a service."""

from celery import shared_task

from approvals.services import audit_chain_verify, seat_rights_reconcile


@shared_task(acks_late=True)
def verify_audit_chain() -> dict:
    """Daily check of the audit chain (Celery beat)."""
    verification = audit_chain_verify()
    return {"ok": verification.ok, "events": verification.events_checked, "broken": verification.broken_event_id}


@shared_task(acks_late=True)
def reconcile_seat_rights() -> dict:
    """Hourly: committee rights that no seat grants are removed, seats missing theirs get them."""
    drift = seat_rights_reconcile(repair=True)
    return {"removed": len(drift["removed"]), "added": len(drift["added"])}
