import pytest

from audit.models import AuditEvent
from people.models import Membership
from people.roles import Role
from people.services import membership_grant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_seat_gives_object_rights_on_that_committee_only(plan, waste, parks):
    user = UserFactory()
    membership_grant(committee=waste, user=user, seat=Membership.Seat.MEMBER)
    user = type(user).objects.get(pk=user.pk)  # fresh permission caches
    assert user.has_perm("plan.draft_amendment", waste)
    assert not user.has_perm("plan.draft_amendment", parks)
    assert not user.has_perm("plan.sign_off_amendment", waste)
    assert user.groups.filter(name=Role.COMMITTEE_MEMBER).exists()
    event = AuditEvent.objects.get(action="people.role.grant")
    assert event.data == {"user": user.username, "committee": "C02", "seat": "member"}


def test_changing_a_seat_swaps_the_rights(plan, waste):
    user = UserFactory()
    membership_grant(committee=waste, user=user, seat=Membership.Seat.MEMBER)
    membership_grant(committee=waste, user=user, seat=Membership.Seat.CHAIR)
    user = type(user).objects.get(pk=user.pk)
    assert Membership.objects.get(user=user).seat == Membership.Seat.CHAIR
    assert user.has_perm("plan.sign_off_amendment", waste)
    assert not user.has_perm("plan.draft_amendment", waste)
    assert AuditEvent.objects.filter(action="people.role.grant").count() == 2


def test_granting_a_seat_costs_a_bounded_number_of_queries(plan, db, django_assert_max_num_queries):
    """It re-ran the whole role set-up each time: 55 queries, 37 of them that; now 18 (the seat, its
    object permission through django-guardian, the group, the audit event and its chain head)."""
    from people.models import Membership
    from people.services import membership_grant, role_groups_ensure
    from tests.factories import UserFactory

    role_groups_ensure()
    person = UserFactory(username="seated")
    with django_assert_max_num_queries(18):
        membership_grant(committee=plan.committees.get(code="C02"), user=person, seat=Membership.Seat.CHAIR)
