import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit import chain
from audit.models import AuditChainHead, AuditEvent, AuditVerification
from audit.services import AuditOutsideTransaction, audit_chain_check, audit_chain_verify, audit_record
from people.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def record(n=1, **kwargs):
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(audit_record(action="people.user.create", data={"i": i, "متن": "کمیته"}, **kwargs))
    return events


def test_events_are_chained_by_hash():
    actor = UserFactory()
    first, second, third = record(3, actor=actor, obj=actor)
    assert first.prev_hash == chain.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_event_id, head.last_hash) == (third.pk, third.hash)
    assert third.object_type == "people.user" and third.object_id == str(actor.pk)
    assert third.actor_username == actor.username
    # stored content is exactly what was hashed, read back from the database
    assert chain.hash_of_event(AuditEvent.objects.get(pk=third.pk)) == third.hash


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused():
    with pytest.raises(AuditOutsideTransaction):
        audit_record(action="people.user.create")
    assert AuditEvent.objects.count() == 0


def test_unregistered_action_is_refused():
    with transaction.atomic(), pytest.raises(ValueError, match="unregistered"):
        audit_record(action="plan.nothing.happens")


def test_event_is_rolled_back_with_the_change_it_records():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="people.user.create")
        raise RuntimeError("the change failed")
    assert AuditEvent.objects.count() == 0
    assert audit_chain_check().ok


def test_request_address_is_recorded(client):
    user = UserFactory()
    client.force_login(user)
    client.post("/language/", {"language": "en", "next": "/"}, REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action="people.user.language_change")
    assert event.ip_address == "10.1.2.3"
    assert event.actor_id == user.pk
    assert event.data == {"language": "en"}


def test_events_survive_the_deletion_of_their_user():
    user = UserFactory(username="leaving")
    (event,) = record(actor=user, obj=user)
    User.objects.filter(pk=user.pk).delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_username == "leaving"
    assert audit_chain_check().ok


def test_verify_audit_command_passes_on_an_intact_chain(capsys):
    record(5)
    call_command("verify_audit")
    assert "intact: 5 events" in capsys.readouterr().out
    verification = AuditVerification.objects.get()
    assert verification.ok and verification.last_verified_event_id == AuditEvent.objects.order_by("id").last().pk


def _tamper(sql, params):
    """Alter audit rows the way only a database superuser could: past the trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off, superuser only
        cursor.execute(sql, params)


def test_altered_row_is_named_by_verify_audit():
    events = record(4)
    with transaction.atomic():
        _tamper("UPDATE audit_auditevent SET data = %s WHERE id = %s", ['{"i": 99}', events[2].pk])
    with pytest.raises(CommandError, match=f"BROKEN at event #{events[2].pk}"):
        call_command("verify_audit")
    verification = AuditVerification.objects.get()
    assert not verification.ok
    assert verification.broken_event_id == events[2].pk
    assert verification.last_verified_event_id == events[1].pk


def test_removed_row_is_detected_at_its_successor():
    events = record(4)
    with transaction.atomic():
        _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    result = audit_chain_check()
    assert not result.ok and result.broken_event_id == events[2].pk


def test_removed_newest_row_is_detected_by_the_head():
    events = record(3)
    with transaction.atomic():
        _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    result = audit_chain_check()
    assert not result.ok and "newest events were removed" in result.reason


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_of_audit_rows():
    (event,) = record()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="people.role.grant")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL baznegar.allow_audit_truncate = off")  # as in production
        cursor.execute("TRUNCATE audit_auditevent CASCADE")
    assert AuditEvent.objects.get(pk=event.pk).action == "people.user.create"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    from django.db import connections

    errors = []

    def write(n):
        try:
            for i in range(n):
                with transaction.atomic():
                    audit_record(action="people.user.create", data={"thread": threading.get_ident(), "i": i})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(15,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.count() == 60
    assert audit_chain_check().ok


def test_daily_task_records_a_verification():
    from audit.tasks import verify_audit_chain

    record(2)
    assert verify_audit_chain.run() == {"ok": True, "events": 2, "broken": None}
    assert AuditVerification.objects.filter(ok=True, events_checked=2).exists()


def test_verification_is_kept_even_when_broken():
    events = record(2)
    with transaction.atomic():
        _tamper("UPDATE audit_auditevent SET actor_username = %s WHERE id = %s", ["someone", events[0].pk])
    verification = audit_chain_verify()
    assert not verification.ok and verification.broken_event_id == events[0].pk
