"""A hung or busy PostgreSQL answers within bounds: statement and lock limits on every connection,
and a decision that waited too long for a lock is a clear refusal, not a server error."""

import threading

import pytest
from django.db import connection, connections, transaction

from tests.scenario import WASTE
from workflows.flows import AmendmentFlow
from workflows.selectors import open_task
from workflows.services import DecisionRefused, amendment_draft_start, decide

pytestmark = pytest.mark.postgres


@pytest.mark.django_db
def test_every_connection_carries_its_limits():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        statement = cursor.fetchone()[0]
        cursor.execute("SHOW lock_timeout")
        lock = cursor.fetchone()[0]
    assert (statement, lock) == ("15s", "5s")
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 5


@pytest.mark.django_db(transaction=True)
def test_a_decision_that_waits_too_long_for_its_lock_is_refused_and_changes_nothing(plan, people):
    from plan.services import amendment_operations_set

    member = people["waste-member"]
    amendment = amendment_draft_start(
        plan=plan, committee=plan.committees.get(code="C02"), drafted_by=member, title="ق"
    )
    amendment_operations_set(amendment=amendment, operations=WASTE, acting_user=member)
    task = open_task(amendment)
    holding, release = threading.Event(), threading.Event()

    def hold_the_process_lock():
        try:
            with transaction.atomic():
                AmendmentFlow.process_class.objects.select_for_update().filter(pk=task.process_id).first()
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_process_lock)
    holder.start()
    try:
        assert holding.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")  # this session's wait, shortened for the test
        with pytest.raises(DecisionRefused, match="busy"):
            decide(task=task, acting_user=member, outcome="submit")
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert open_task(amendment).pk == task.pk and open_task(amendment).flow_task.name == "draft"
