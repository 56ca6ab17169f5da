"""Issuance: approved amendments applied together, atomically; past versions stay as issued."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from plan import diff
from plan.models import Amendment, IssuedVersion, PlanItem
from plan.selectors import plan_export, version_cache, version_in_force, version_state
from plan.services import amendment_create, amendment_operations_set, plan_version_issue
from tests.factories import seated

pytestmark = pytest.mark.django_db
WHY = "justification"


def drafted(plan, committee, user, *operations, title="t"):
    amendment = amendment_create(plan=plan, committee=committee, drafted_by=seated(user, committee), title=title)
    return amendment_operations_set(amendment=amendment, operations=list(operations), acting_user=user)


def target(code, year, value):
    return {"action": "change", "code": code, "justification": WHY, "values": {f"targets.{year}": {"new": value}}}


def test_issuing_produces_the_next_version_and_keeps_the_past(plan, waste, parks, drafter):
    v1 = version_in_force(plan)
    before = plan_export(v1)
    a = drafted(plan, waste, drafter, target("IND3.1.1", 1405, 77))
    state = version_state(v1)
    parks_action = next(
        c for c, i in sorted(state.items()) if i["kind"] == "action" and state[i["parent"]]["committee"] == "C03"
    )
    b = drafted(
        plan,
        parks,
        drafter,
        target("IND3.4.1", 1405, 88),
        {"action": "retire", "code": parks_action, "justification": WHY},
    )
    v2 = plan_version_issue(plan=plan, amendments=[a, b], issuance_number="1404/12", issued_by=drafter)
    assert (v2.number, v2.issuance_number, v2.item_count) == (2, "1404/12", v1.item_count - 1)
    assert version_in_force(plan) == v2
    # only the changed items got new rows
    assert PlanItem.objects.filter(plan=plan, valid_from=2).count() == 2
    assert PlanItem.objects.filter(plan=plan, valid_to=2).count() == 3
    # version 1 reads back exactly as issued, from the database
    version_cache.clear()
    assert plan_export(IssuedVersion.objects.get(pk=v1.pk)) == before
    assert diff.state_fingerprint(version_state(v1)) == v1.fingerprint
    assert diff.state_fingerprint(version_state(v2)) == v2.fingerprint
    assert set(Amendment.objects.values_list("status", flat=True)) == {Amendment.Status.ISSUED}
    event = AuditEvent.objects.get(action="plan.version.issue")
    assert event.data["amendments"] == sorted([a.pk, b.pk]) and event.data["number"] == 2


def test_a_later_revision_does_not_change_an_earlier_version(plan, waste, drafter):
    v1 = version_in_force(plan)
    for round_number, value in enumerate([10, 20, 30], start=1):
        amendment = drafted(plan, waste, drafter, target("IND3.1.1", 1404, value))
        plan_version_issue(plan=plan, amendments=[amendment], issuance_number=f"r{round_number}", issued_by=drafter)
    version_cache.clear()
    history = [version_state(v)["IND3.1.1"]["targets.1404"] for v in plan.versions.order_by("number")]
    assert history[1:] == [10, 20, 30]
    assert history[0] == version_state(v1)["IND3.1.1"]["targets.1404"] != 10


def test_issuance_is_all_or_nothing(plan, waste, drafter):
    good = drafted(plan, waste, drafter, target("IND3.1.1", 1405, 60))
    bad = drafted(plan, waste, drafter, target("IND3.1.2", 1405, 61))
    # the second amendment's item changes under it after drafting: its stored old value no longer holds
    op = bad.operations.get()
    op.values = {"targets.1405": {"old": -1, "new": 61}}
    op.save()
    rows, events = PlanItem.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        plan_version_issue(plan=plan, amendments=[good, bad], issuance_number="x", issued_by=drafter)
    assert IssuedVersion.objects.filter(plan=plan).count() == 1
    assert PlanItem.objects.count() == rows and AuditEvent.objects.count() == events
    assert not Amendment.objects.filter(status=Amendment.Status.ISSUED).exists()


def test_an_issuance_number_is_used_once(plan, waste, drafter):
    plan_version_issue(
        plan=plan,
        amendments=[drafted(plan, waste, drafter, target("IND3.1.1", 1405, 1))],
        issuance_number="N-1",
        issued_by=drafter,
    )
    with pytest.raises(ValidationError, match="already used"):
        plan_version_issue(
            plan=plan,
            amendments=[drafted(plan, waste, drafter, target("IND3.1.1", 1406, 1))],
            issuance_number="N-1",
            issued_by=drafter,
        )
