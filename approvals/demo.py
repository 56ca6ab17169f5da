"""Demo users for the embedded default: at least one for every role and every committee.

All demo users share one password, generated when they are first created and printed once.
"""

import secrets

from people.models import Membership, User
from people.roles import Role
from people.services import city_access_grant, membership_grant, user_create

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
# the province's bodies: they work in every city of the demo
PROVINCE_WIDE = {"governorate", "auditor", "admin"}
# the second city's own people (Shushtar): none of them sees anything of Ahvaz
SECOND_CITY_USERS = [
    ("sh-member", "نرگس", "بهرامی", [Role.COMMITTEE_MEMBER], False),
    ("sh-chair", "کاوه", "فرهادی", [Role.COMMITTEE_CHAIR], False),
    ("sh-integration", "سارا", "نیک‌نام", [Role.INTEGRATION], False),
    ("sh-planning", "بهمن", "کریمی", [Role.PLANNING_OFFICE], False),
    ("sh-policy", "یاسر", "شریفی", [Role.POLICY_COUNCIL], False),
    ("sh-council", "مینا", "اکبری", [Role.CITY_COUNCIL], False),
]


def demo_users_ensure(
    *, plan=None, second_plan=None, reset_password: bool = False
) -> tuple[str | None, list[tuple[str, str]]]:
    """Create missing demo users (and a member and a chair for every committee of the plan), and the
    second city's people; each works in their own city, the province's bodies in both.

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
        first_city = [u for u, *_rest in DEMO_USERS] + [u for u, _d in rows if u.startswith(("member-", "chair-"))]
        for user in User.objects.filter(username__in=first_city):
            city_access_grant(user=user, municipality=plan.municipality)
    if second_plan is not None:
        for username, first, last, roles, staff in SECOND_CITY_USERS:
            label = ", ".join(str(r.label) for r in roles)
            user = ensure(username, first, last, roles, staff, f"{label} ({second_plan.municipality.name_en})")
            city_access_grant(user=user, municipality=second_plan.municipality)
        for committee in second_plan.committees.all():  # a small city: one member and one chair sit on each
            for username, seat in (("sh-member", Membership.Seat.MEMBER), ("sh-chair", Membership.Seat.CHAIR)):
                user = User.objects.get(username=username)
                if not Membership.objects.filter(user=user, committee=committee).exists():
                    membership_grant(committee=committee, user=user, seat=seat)
        for user in User.objects.filter(username__in=PROVINCE_WIDE):
            city_access_grant(user=user, municipality=second_plan.municipality)
    return (password if created or reset_password else None), rows
