"""Celery tasks of the audit log: thin, they call a service."""

import logging
import threading
import time

from celery import shared_task
from django.conf import settings

from audit import services  # services import this module too: each reads the other at call time

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def sequence_audit_log(full: bool = False) -> int:
    """Seal committed events into the Merkle tree under a signed head: after each audited commit
    (at most once a second per process), every few seconds from beat, and hourly over the whole log."""
    return services.audit_sequence_all(full=full)


_last_request = 0.0
_last_lock = threading.Lock()


def sequence_soon() -> None:
    """Ask a worker to seal what was just committed. At most one request a second leaves a process
    (a worker seals everything pending at once), and a broker that is down costs nothing here:
    beat's next run seals it."""
    global _last_request
    if getattr(settings, "AUDIT_SEQUENCE_AFTER_COMMIT", True) is False:
        return
    with _last_lock:
        now = time.monotonic()
        if now - _last_request < 1.0:
            return
        _last_request = now
    try:
        sequence_audit_log.apply_async(retry=False)
    except Exception:  # the broker is down: beat seals it within seconds of coming back
        logger.warning("broker unavailable; the audit log is sealed by the next periodic run")


@shared_task(acks_late=True)
def verify_audit_chain() -> dict:
    """Daily check of the whole audit log (Celery beat), or when an administrator asks for one."""
    verification = services.audit_log_verify()
    return {"ok": verification.ok, "events": verification.events_checked, "broken": verification.broken_event_id}
