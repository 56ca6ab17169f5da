import threading

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.services import AuditOutsideTransaction, audit_log_check, audit_record, audit_sequence_all
from people.models import User
from tests.factories import UserFactory
from tests.scenario import record

pytestmark = pytest.mark.django_db


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
    assert audit_log_check().ok


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
    assert audit_log_check().ok


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_of_audit_rows():
    (event,) = record()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="people.role.grant")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DO $$ BEGIN CREATE ROLE not_the_test_switch NOLOGIN; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
        cursor.execute("GRANT TRUNCATE ON audit_auditevent TO not_the_test_switch")  # so only the trigger refuses
        cursor.execute("SET LOCAL ROLE not_the_test_switch")  # a login that is not given the switch
        cursor.execute("TRUNCATE audit_auditevent CASCADE")
    assert AuditEvent.objects.get(pk=event.pk).action == "people.user.create"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_share_no_lock_and_every_event_is_sealed():
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
    assert audit_sequence_all() == 60  # every event sealed once, whatever order they committed in
    assert audit_log_check().ok
