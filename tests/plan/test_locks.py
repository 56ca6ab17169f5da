"""Row locks that serialise writers must not block others' foreign-key checks: a plan being issued
still accepts new amendments, which is the deadlock the decisions benchmark found (an issuance
holding the plan row while waiting for the audit chain, a draft holding the audit chain while its
commit checked its reference to the plan)."""

import threading

import pytest
from django.db import connection, connections, transaction

from people.models import User
from plan.models import Plan
from plan.selectors import version_in_force
from plan.services import amendment_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_an_amendment_can_be_created_while_the_plan_is_locked_for_an_issuance(plan, monkeypatch):
    from django.core.exceptions import ValidationError

    from plan import services

    drafter = User.objects.create(username="drafter-lock")
    locked, release = threading.Event(), threading.Event()
    original = services.version_in_force

    def held(plan_arg):  # the issuance holds its plan lock here, as if applying a large changeset
        if threading.current_thread().name == "issuer":
            locked.set()
            release.wait(10)
        return original(plan_arg)

    monkeypatch.setattr(services, "version_in_force", held)

    def issuer():
        try:
            services.plan_version_issue(
                plan=Plan.objects.get(pk=plan.pk), amendments=[], issuance_number="x", issued_by=None
            )
        except ValidationError:
            pass  # no amendments: refused after the lock, which is all this test needs
        finally:
            connections.close_all()

    thread = threading.Thread(target=issuer, name="issuer")
    thread.start()
    try:
        assert locked.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")  # a blocked foreign-key check fails here
            amendment = amendment_create(plan=plan, drafted_by=drafter, title="while issuing")
        assert amendment.base_version == version_in_force(plan)
    finally:
        release.set()
        thread.join(10)
