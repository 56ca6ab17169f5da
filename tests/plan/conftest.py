"""Plan fixtures live in tests/conftest.py, shared with the workflow and approvals tests; here, what
only the plan's tests need."""

import pytest

from plan.services import amendment_create, amendment_operations_set, plan_version_issue


@pytest.fixture
def second_version(plan, drafter):
    """Issue a second version with a budget typed in Persian digits and a retirement (and any
    further operations), so a round trip covers more than the demo's first version."""

    def issue(*more):
        amendment = amendment_create(plan=plan, drafted_by=drafter, title="t")
        operations = [
            {"action": "change", "code": "PRJ-001", "justification": "j", "values": {"budgets.1406": {"new": "۱۲۰۰"}}},
            {"action": "retire", "code": "ACT-005", "justification": "j"},
            *more,
        ]
        amendment_operations_set(amendment=amendment, acting_user=drafter, operations=operations)
        return plan_version_issue(plan=plan, amendments=[amendment], issuance_number="1404-7", issued_by=drafter)

    return issue
