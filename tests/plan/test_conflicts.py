import pytest

from plan.conflicts import MOVED_VS_CHANGED, RETIRED_VS_CHANGED, SAME_FIELD
from plan.selectors import amendments_conflicts, version_in_force, version_state
from plan.services import PlanConflict, amendment_create, amendment_operations_set, amendment_rebase, plan_version_issue
from tests.factories import seated

pytestmark = pytest.mark.django_db
WHY = "justification"


def drafted(plan, user, *operations, committee=None):
    amendment = amendment_create(plan=plan, committee=committee, drafted_by=seated(user, committee), title="t")
    return amendment_operations_set(amendment=amendment, operations=list(operations), acting_user=user)


def change(code, field, value):
    return {"action": "change", "code": code, "justification": WHY, "values": {field: {"new": value}}}


def test_same_field_of_the_same_item_conflicts(plan, drafter):
    a = drafted(plan, drafter, change("IND3.1.1", "targets.1405", 71))
    b = drafted(plan, drafter, change("IND3.1.1", "targets.1405", 76))
    (conflict,) = amendments_conflicts([a, b])
    assert (conflict.reason, conflict.code, conflict.field) == (SAME_FIELD, "IND3.1.1", "targets.1405")
    assert {conflict.left, conflict.right} == {a, b}


def test_different_fields_or_items_do_not_block_each_other(plan, drafter):
    a = drafted(plan, drafter, change("IND3.1.1", "targets.1405", 70))
    b = drafted(plan, drafter, change("IND3.1.1", "targets.1406", 75))
    c = drafted(plan, drafter, change("IND2.1.1", "targets.1405", 75))
    assert amendments_conflicts([a, b, c]) == []
    version = plan_version_issue(plan=plan, amendments=[a, b, c], issuance_number="ok", issued_by=drafter)
    assert version.number == 2


def test_retiring_what_another_changes_conflicts(plan, drafter):
    a = drafted(plan, drafter, {"action": "retire", "code": "EO3.1", "cascade": True, "justification": WHY})
    b = drafted(plan, drafter, change("IND3.1.2", "unit", "تن"))
    (conflict,) = amendments_conflicts([a, b])
    assert (conflict.reason, conflict.code, conflict.left, conflict.right) == (RETIRED_VS_CHANGED, "IND3.1.2", a, b)
    with pytest.raises(PlanConflict) as error:
        plan_version_issue(plan=plan, amendments=[a, b], issuance_number="x", issued_by=drafter)
    assert "IND3.1.2" in error.value.messages[0]
    assert plan.versions.count() == 1


def test_moving_what_another_changes_conflicts(plan, drafter):
    a = drafted(
        plan,
        drafter,
        {"action": "move", "code": "IND3.1.2", "justification": WHY, "values": {"parent": {"new": "EO3.2"}}},
    )
    b = drafted(plan, drafter, change("IND3.1.2", "unit", "تن"))
    (conflict,) = amendments_conflicts([a, b])
    assert (conflict.reason, conflict.code) == (MOVED_VS_CHANGED, "IND3.1.2")


def test_adding_under_a_parent_another_retires_conflicts(plan, drafter):
    parent = version_state(version_in_force(plan))["ACT-001"]["parent"]
    a = drafted(plan, drafter, {"action": "retire", "code": "ACT-001", "justification": WHY})
    b = drafted(plan, drafter, {"action": "retire", "code": parent, "cascade": True, "justification": WHY})
    c = drafted(
        plan,
        drafter,
        {
            "action": "add",
            "code": "ACT-900",
            "kind": "action",
            "justification": WHY,
            "values": {"parent": parent, "name_fa": "اقدام", "responsible_unit": "واحد"},
        },
    )
    reasons = {(x.code, x.reason) for x in amendments_conflicts([b, c])}
    assert (parent, RETIRED_VS_CHANGED) in reasons
    assert any(x.code == "ACT-001" for x in amendments_conflicts([a, b]))


def test_an_amendment_on_an_older_version_is_rebased_when_untouched(plan, drafter):
    old = drafted(plan, drafter, change("IND3.1.1", "targets.1405", 70))
    other = drafted(plan, drafter, change("IND2.1.1", "targets.1405", 12))
    plan_version_issue(plan=plan, amendments=[other], issuance_number="first", issued_by=drafter)
    assert old.base_version.number == 1
    rebased = amendment_rebase(amendment=old, acting_user=drafter)
    assert rebased.base_version == version_in_force(plan) and rebased.base_version.number == 2
    version = plan_version_issue(plan=plan, amendments=[rebased], issuance_number="second", issued_by=drafter)
    assert version.number == 3


def test_an_amendment_whose_field_changed_since_is_reported_with_both_sides(plan, drafter):
    old = drafted(plan, drafter, change("IND3.1.1", "targets.1405", 70))
    newer = drafted(plan, drafter, change("IND3.1.1", "targets.1405", 80))
    v2 = plan_version_issue(plan=plan, amendments=[newer], issuance_number="first", issued_by=drafter)
    with pytest.raises(PlanConflict) as error:
        amendment_rebase(amendment=old, acting_user=drafter)
    (conflict,) = error.value.conflicts
    assert (conflict.code, conflict.field, conflict.left, conflict.right) == ("IND3.1.1", "targets.1405", old, v2)
    old.refresh_from_db()
    assert old.base_version.number == 1
    with pytest.raises(PlanConflict):
        plan_version_issue(plan=plan, amendments=[old], issuance_number="second", issued_by=drafter)
