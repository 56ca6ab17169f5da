"""The API's idempotency keys (workflows.api.common.idempotent): kept for a day, then purged."""

import datetime as dt

from django.utils import timezone

from workflows.models import IdempotentRequest

KEPT_FOR = dt.timedelta(days=1)  # a retry after this is a new request


def idempotency_keys_purge(*, now=None) -> int:
    """Delete the keys older than KEPT_FOR; how many went. Nothing else refers to them."""
    cutoff = (now or timezone.now()) - KEPT_FOR
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
