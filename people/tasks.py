"""Celery tasks about people: thin, they call a service."""

from celery import shared_task

from people.services import claims_release_unheld, seat_rights_reconcile


@shared_task(acks_late=True)
def reconcile_seat_rights() -> dict:
    """Hourly: committee rights that no seat grants are removed, seats missing theirs get them, and
    claims whose holder lost the right to them go back to their queues."""
    drift = seat_rights_reconcile(repair=True)
    released = claims_release_unheld()
    return {"removed": len(drift["removed"]), "added": len(drift["added"]), "released": len(released)}
