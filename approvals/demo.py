"""Demo users for the embedded default: at least one for every role and every committee.

All demo users share one password, generated when they are first created and printed once.
"""

import secrets

from people.models import Membership, User
from people.roles import Role
from people.services import membership_grant, user_create

# username, first name, last name, roles, staff; seats are given below
DEMO_USERS = [
    ("member", "مریم", "کاظمی", [Role.COMMITTEE_MEMBER], False),
    ("chair", "رضا", "موسوی", [Role.COMMITTEE_CHAIR], False),
    ("integration", "زهرا", "حسینی", [Role.INTEGRATION], False),
    # a colleague in the group: who rolls the horizon forward does not also assemble it (separation of duties)
    ("integration-2", "امیر", "قاسمی", [Role.INTEGRATION], False),
    ("planning", "علی", "رحیمی", [Role.PLANNING_OFFICE], False),
    ("policy", "حسن", "نوری", [Role.POLICY_COUNCIL], False),
    ("council", "فاطمه", "جعفری", [Role.CITY_COUNCIL], False),
    ("governorate", "محمد", "عباسی", [Role.GOVERNORATE], False),
    ("auditor", "لیلا", "صادقی", [Role.AUDITOR], False),
    ("admin", "مدیر", "سامانه", [Role.ADMINISTRATOR], True),
]
# `member` and `chair` sit on the waste-management committee, the model case of the domain notes
MODEL_COMMITTEE = "C02"


def demo_users_ensure(*, plan=None, reset_password: bool = False) -> tuple[str | None, list[tuple[str, str]]]:
    """Create missing demo users (and a member and a chair for every committee of the plan).

    Returns the password when one was set now (else None), and (username, description) rows.
    """
    password = secrets.token_urlsafe(9)
    created = False
    rows = []

    def ensure(username, first, last, roles, staff, description):
        nonlocal created
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=password,
                first_name=first,
                last_name=last,
                email=f"{username}@baznegar.invalid",
                roles=roles,
                is_staff=staff,
                is_superuser=staff,
            )
            created = True
        elif reset_password:
            user.set_password(password)
            user.save(update_fields=["password"])
        rows.append((username, description))
        return user

    for username, first, last, roles, staff in DEMO_USERS:
        ensure(username, first, last, roles, staff, ", ".join(str(r.label) for r in roles))
    if plan is not None:
        for committee in plan.committees.all():
            code = committee.code.lower()
            if committee.code == MODEL_COMMITTEE:
                member, chair = User.objects.get(username="member"), User.objects.get(username="chair")
            else:
                member = ensure(
                    f"member-{code}",
                    "عضو",
                    committee.name_fa,
                    [Role.COMMITTEE_MEMBER],
                    False,
                    f"{Role.COMMITTEE_MEMBER.label}: {committee.name_en}",
                )
                chair = ensure(
                    f"chair-{code}",
                    "رئیس",
                    committee.name_fa,
                    [Role.COMMITTEE_CHAIR],
                    False,
                    f"{Role.COMMITTEE_CHAIR.label}: {committee.name_en}",
                )
            if not Membership.objects.filter(user=member, committee=committee).exists():
                membership_grant(committee=committee, user=member, seat=Membership.Seat.MEMBER)
            if not Membership.objects.filter(user=chair, committee=committee).exists():
                membership_grant(committee=committee, user=chair, seat=Membership.Seat.CHAIR)
    return (password if created or reset_password else None), rows
