"""A request works out the person's delegators, rights and seats once (core.request_memo); outside
a request nothing is kept, so a service or a test never reads what it has just changed stale."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.selectors.visibility import seat_committee_ids
from core.request_memo import RequestMemoMiddleware
from people.models import Delegation
from people.selectors import delegators_of, explicit_permissions

pytestmark = pytest.mark.django_db


def _reads(user):
    with CaptureQueriesContext(connection) as queries:
        for _twice in range(2):
            delegators_of(user)
            explicit_permissions(user)
            seat_committee_ids(user, "plan.sign_off_amendment")
    return len(queries)


def test_inside_a_request_once_outside_every_time(people):
    chair = people["waste-chair"]
    outside = _reads(chair)
    inside = []
    RequestMemoMiddleware(lambda request: inside.append(_reads(chair)))(None)
    assert inside == [outside // 2] and outside > inside[0]
    # outside a request, a delegation made between two reads is seen by the second
    assert delegators_of(chair) == []
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=people["waste-member"], substitute=chair, starts_on=today, ends_on=today + dt.timedelta(days=3)
    )
    assert delegators_of(chair) == [people["waste-member"]]
    # and a caller changing the list it was given changes nothing kept
    kept = []

    def twice(request):
        delegators_of(chair).clear()
        kept.append(delegators_of(chair))

    RequestMemoMiddleware(twice)(None)
    assert kept == [[people["waste-member"]]]
