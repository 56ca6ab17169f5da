"""Celery tasks of the audit trail: thin, they call a service."""

from celery import shared_task
from django.db import transaction

from audit.services import audit_chain_verify, audit_record


@shared_task(acks_late=True)
def verify_audit_chain() -> dict:
    """Daily check of the audit chain (Celery beat), or when an administrator asks for one."""
    verification = audit_chain_verify()
    return {"ok": verification.ok, "events": verification.events_checked, "broken": verification.broken_event_id}


def audit_chain_verify_request(*, requested_by) -> None:
    """Start a check of the chain now, on a worker (a million events take longer than a page may),
    and record who asked. A broker that is down raises here, before anything is recorded."""
    verify_audit_chain.apply_async(retry=False)
    with transaction.atomic():
        audit_record(action="audit.chain.verify_request", actor=requested_by)
