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


@pytest.mark.django_db
def test_statements_are_bound_on_the_server_and_prepared_after_the_second_call():
    from django.db.models import Q

    from people.models import User

    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
    assert connection.settings_dict["OPTIONS"]["prepare_threshold"] == 2
    # the ORM's filters, ORs, IN lists and NULL tests all run with parameters bound by the server
    for _ in range(3):
        list(User.objects.filter(Q(username__in=["a", "b"]) | Q(email__isnull=True), pk__gt=0)[:1])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] >= 1  # the repeated statement is prepared on this connection


def test_the_prepare_threshold_setting(monkeypatch):
    from core import env

    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", "0")  # for a pooler in transaction mode
    assert "server_side_binding" not in env.prepared({"OPTIONS": {}})["OPTIONS"]
    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", "5")
    assert env.prepared({})["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", "-1")
    with pytest.raises(env.SettingError):
        env.prepared({})
    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", "often")
    with pytest.raises(env.SettingError):
        env.prepared({})


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
