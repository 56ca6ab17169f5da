"""Services that lock more than one row take them in one order (the process, then its subject,
then the plan, then the audit chain's head): raced in pairs on PostgreSQL, there is always one
clear winner and never a deadlock."""

import threading

import pytest
from django.db import connections

from approvals.models import Decision
from people.services import membership_grant
from plan.services import amendment_operations_set
from tests.factories import UserFactory
from tests.scenario import WASTE
from workflows.selectors import open_task
from workflows.services import amendment_draft_start, amendment_withdraw, decide, task_claim

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Run the calls at the same moment in threads; each result is ("ok", value) or the error."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        from django.utils import translation

        translation.activate("en")
        try:
            barrier.wait()
            results[index] = ("ok", call())
        except Exception as error:  # collected and asserted below
            results[index] = (type(error).__name__, str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def submitted(plan, people, n):
    member = people["waste-member"]
    amendment = amendment_draft_start(
        plan=plan, committee=plan.committees.get(code="C02"), drafted_by=member, title=f"ر{n}"
    )
    amendment_operations_set(amendment=amendment, operations=WASTE, acting_user=member)
    decide(task=open_task(amendment), acting_user=member, outcome="submit")
    return amendment


def test_a_withdrawal_racing_a_sign_off_never_deadlocks(plan, people):
    for n in range(4):
        amendment = submitted(plan, people, n)
        task = open_task(amendment)
        results = race(
            lambda a=amendment: amendment_withdraw(amendment=a, acting_user=people["waste-member"], reason="پس"),
            lambda t=task: decide(task=t, acting_user=people["waste-chair"], outcome="approve"),
        )
        kinds = sorted(r[0] for r in results)
        assert "OperationalError" not in kinds and "DeadlockDetected" not in kinds, results
        amendment.refresh_from_db()
        # either the withdrawal won (the sign-off was told) or the sign-off won (then withdrawing
        # before integration is still allowed and also succeeds): never a 500
        assert set(kinds) <= {"ok", "DecisionRefused"}, results
        assert amendment.status in ("withdrawn", "signed_off")


def test_two_chairs_claiming_and_deciding_at_once_have_one_winner(plan, people, waste):
    second = UserFactory(username="waste-chair-2")
    membership_grant(committee=waste, user=second, seat="chair")
    second = type(second).objects.get(pk=second.pk)
    amendment = submitted(plan, people, 9)
    task = open_task(amendment)
    results = race(
        lambda: task_claim(task=task, acting_user=second),
        lambda: decide(task=task, acting_user=people["waste-chair"], outcome="approve"),
    )
    kinds = sorted(r[0] for r in results)
    assert set(kinds) <= {"ok", "DecisionRefused", "NotAllowed"}, results
    assert "ok" in kinds
    assert Decision.objects.filter(task=task).count() <= 1
