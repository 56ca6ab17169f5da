import pytest

from approvals.models import Membership
from approvals.roles import Role
from approvals.services import legal_defaults_ensure, membership_grant, role_groups_ensure
from plan.services import amendment_operations_set
from tests.factories import UserFactory
from workflows.services import amendment_draft_start, decide, open_task


@pytest.fixture
def people(plan, waste, parks):
    role_groups_ensure()
    legal_defaults_ensure()  # transactional tests empty the tables the migrations filled
    users = {
        "waste-member": UserFactory(username="waste-member"),
        "waste-chair": UserFactory(username="waste-chair"),
        "parks-member": UserFactory(username="parks-member"),
        "parks-chair": UserFactory(username="parks-chair"),
        "integration": UserFactory(username="integration", roles=[Role.INTEGRATION]),
        "policy": UserFactory(username="policy", roles=[Role.POLICY_COUNCIL]),
        "council": UserFactory(username="council", roles=[Role.CITY_COUNCIL]),
        "governorate": UserFactory(username="governorate", roles=[Role.GOVERNORATE]),
        "planning": UserFactory(username="planning", roles=[Role.PLANNING_OFFICE]),
    }
    membership_grant(committee=waste, user=users["waste-member"], seat=Membership.Seat.MEMBER)
    membership_grant(committee=waste, user=users["waste-chair"], seat=Membership.Seat.CHAIR)
    membership_grant(committee=parks, user=users["parks-member"], seat=Membership.Seat.MEMBER)
    membership_grant(committee=parks, user=users["parks-chair"], seat=Membership.Seat.CHAIR)
    return {name: type(u).objects.get(pk=u.pk) for name, u in users.items()}


@pytest.fixture
def accepted(plan, people):
    """Drive an amendment of a committee through drafting, sign-off and integration."""

    def make(committee_code, operations, title="اصلاحیه"):
        committee = plan.committees.get(code=committee_code)
        prefix = {"C02": "waste", "C03": "parks"}[committee_code]
        member, chair = people[f"{prefix}-member"], people[f"{prefix}-chair"]
        amendment = amendment_draft_start(plan=plan, committee=committee, drafted_by=member, title=title)
        amendment_operations_set(amendment=amendment, operations=operations, acting_user=member)
        decide(task=open_task(amendment), acting_user=member, outcome="submit")
        decide(task=open_task(amendment), acting_user=chair, outcome="approve")
        decide(task=open_task(amendment), acting_user=people["integration"], outcome="approve")
        amendment.refresh_from_db()
        return amendment

    return make
