"""Celery tasks of the workflows app: thin, they call viewflow's timer dispatcher."""

import logging

from celery import shared_task
from viewflow.workflow.timers import fire_due_timers

from workflows.services.idempotency import idempotency_keys_purge

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def fire_workflow_timers() -> int:
    """Fire every due timer (e.g. the governorate's objection window): confirmation by silence;
    and take again any such step of the system's that failed."""
    from workflows.services.conformity import failed_system_steps_retry

    fired = fire_due_timers()
    failed_system_steps_retry()
    return fired


@shared_task
def purge_idempotency_keys() -> int:
    """Hourly (Celery beat): the API's idempotency keys older than a day."""
    return idempotency_keys_purge()


@shared_task(acks_late=True, bind=True, max_retries=30)
def make_issuance_letter(self, version_id: int) -> int:
    """The letter of a version just issued, once its issuance is sealed into the audit log."""
    from workflows.services.letters import LetterNotReady, letter_make

    try:
        letter_make(version_id)
    except LetterNotReady as waiting:  # another sequencer is sealing: soon, or beat makes it
        raise self.retry(countdown=2) from waiting
    return version_id


@shared_task(acks_late=True)
def make_pending_letters() -> int:
    """Every minute (Celery beat): a letter still missing (the broker was down, a worker was killed)."""
    from workflows.services.letters import letters_make_pending

    return letters_make_pending()


def letter_request(version_id: int) -> None:
    """After the issuance's commit: a worker makes the letter. A broker that is down costs nothing
    here; beat's next sweep makes it."""
    try:
        make_issuance_letter.apply_async(args=[version_id], retry=False)
    except Exception:
        logger.warning("broker unavailable; the letter of version %s is made by the next sweep", version_id)
