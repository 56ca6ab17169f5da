"""Services that lock more than one row take them in one order (the process, then its subject,
then the plan; the audit log takes no lock a writer waits on): raced in pairs on PostgreSQL, there
is always one clear winner and never a deadlock. Pairs: withdraw x sign-off, withdraw x
integration, claim x decide, assemble x assemble (one amendment, two revisions), issuance x a new
draft of the same plan."""

import threading

import pytest
from django.db import connections
from django.utils import timezone

from approvals.models import Decision
from people.services import membership_grant
from plan.models import Amendment, IssuedVersion, Revision
from plan.services import amendment_operations_set
from tests.factories import UserFactory
from tests.scenario import PARKS, VOTE, WASTE
from workflows.selectors import open_task, revision_open_task
from workflows.services import (
    DecisionRefused,
    amendment_draft_start,
    amendment_withdraw,
    decide,
    revision_decide,
    revision_start,
    task_claim,
)

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
            # a refusal because the other got there first (StateChanged) is one kind of DecisionRefused
            kind = "DecisionRefused" if isinstance(error, DecisionRefused) else type(error).__name__
            results[index] = (kind, str(error))
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


NO_DEADLOCK = {"OperationalError", "DeadlockDetected", "InternalError"}


def test_a_withdrawal_racing_the_integration_decision_never_deadlocks(plan, people):
    for n in range(3):
        amendment = submitted(plan, people, 20 + n)
        decide(task=open_task(amendment), acting_user=people["waste-chair"], outcome="approve")
        task = open_task(amendment)
        results = race(
            lambda a=amendment: amendment_withdraw(amendment=a, acting_user=people["waste-member"], reason="پس"),
            lambda t=task: decide(task=t, acting_user=people["integration"], outcome="approve"),
        )
        kinds = sorted(r[0] for r in results)
        assert not NO_DEADLOCK & set(kinds), results
        assert set(kinds) <= {"ok", "DecisionRefused"} and "ok" in kinds, results
        amendment.refresh_from_db()
        # one clear winner: withdrawn (the decision was refused), or accepted (the withdrawal was)
        assert (amendment.status == "withdrawn") == (results[0][0] == "ok"), results
        assert amendment.status in ("withdrawn", "accepted")


def test_one_amendment_put_into_two_revisions_at_once_goes_into_one(plan, people, accepted):
    amendment = accepted("C02", WASTE)
    results = race(
        *[
            lambda n=n: revision_start(
                plan=plan, year=1404, title=f"بازنگری {n}", amendments=[amendment], acting_user=people["integration"]
            )
            for n in range(2)
        ]
    )
    kinds = sorted(r[0] for r in results)
    assert not NO_DEADLOCK & set(kinds), results
    assert kinds.count("ok") == 1 and set(kinds) <= {"ok", "DecisionRefused"}, results
    assert Revision.objects.filter(amendments=amendment).count() == 1


def test_an_issuance_racing_a_new_draft_of_the_same_plan(plan, people, accepted):
    amendment = accepted("C02", WASTE)
    revision = revision_start(
        plan=plan, year=1404, title="بازنگری", amendments=[amendment], acting_user=people["integration"]
    )

    def act(user, outcome, **details):
        revision_decide(task=revision_open_task(revision), acting_user=user, outcome=outcome, **details)

    act(people["integration"], "submit")
    act(people["policy"], "approve")
    act(people["council"], "approve", notified_on=timezone.localdate(), **VOTE)
    act(people["governorate"], "confirm")

    def draft():
        member = people["parks-member"]
        new = amendment_draft_start(plan=plan, committee=plan.committees.get(code="C03"), drafted_by=member, title="نو")
        amendment_operations_set(amendment=new, operations=PARKS, acting_user=member)
        return new

    results = race(lambda: act(people["planning"], "issue", issuance_number="1404/ابلاغ/1"), draft)
    kinds = [r[0] for r in results]
    assert kinds == ["ok", "ok"], results
    revision.refresh_from_db()
    assert revision.status == "issued" and IssuedVersion.objects.filter(plan=plan).count() == 2
    new = Amendment.objects.get(title="نو")
    # drafted against the version in force at that moment, either one; it still moves on
    assert new.base_version.number in (1, 2)
    decide(task=open_task(new), acting_user=people["parks-member"], outcome="submit")
    new.refresh_from_db()
    assert new.status == "submitted"


def test_two_chairs_confirming_one_report_at_once_confirm_it_once(plan, people):
    """Two chairs of a committee confirm the same figures at the same moment (or one confirms while
    the other returns): one decision counts, one is told, the figures are in force once."""
    from audit.models import AuditEvent
    from people.models import Membership
    from plan.models import Actual, ActualReport
    from workflows.services import actuals_decide, actuals_enter

    waste = plan.committees.get(code="C02")
    second = UserFactory(username="waste-chair-2")
    membership_grant(committee=waste, user=second, seat=Membership.Seat.CHAIR)
    for n, (first_outcome, second_outcome) in enumerate((("approve", "approve"), ("approve", "return"))):
        report = actuals_enter(
            committee=waste,
            year=1404,
            entries=[{"code": f"IND3.1.{n + 1}", "value": "7"}],
            acting_user=people["waste-member"],
        )
        task = open_task(report)
        results = race(
            lambda t=task, o=first_outcome: actuals_decide(task=t, acting_user=people["waste-chair"], outcome=o),
            lambda t=task, o=second_outcome: actuals_decide(task=t, acting_user=second, outcome=o, reason="منبع؟"),
        )
        kinds = sorted(r[0] for r in results)
        assert kinds == ["DecisionRefused", "ok"], results
        report.refresh_from_db()
        decided = AuditEvent.objects.filter(
            action__in=["plan.actuals.confirm", "plan.actuals.return"], object_id=str(report.pk)
        )
        assert decided.count() == 1
        in_force = Actual.objects.filter(report=report, current=True).count()
        assert in_force == (1 if report.status == ActualReport.Status.CONFIRMED else 0)
