"""Demo users for the embedded default: at least one for every role."""

import secrets

from django.utils.translation import gettext_lazy as _

from approvals.models import User
from approvals.roles import Role
from approvals.services import user_create

# username, first name, last name, roles, staff
DEMO_USERS = [
    ("member", "مریم", "کاظمی", [Role.COMMITTEE_MEMBER], False),
    ("chair", "رضا", "موسوی", [Role.COMMITTEE_CHAIR], False),
    ("integration", "زهرا", "حسینی", [Role.INTEGRATION], False),
    ("planning", "علی", "رحیمی", [Role.PLANNING_OFFICE], False),
    ("policy", "حسن", "نوری", [Role.POLICY_COUNCIL], False),
    ("council", "فاطمه", "جعفری", [Role.CITY_COUNCIL], False),
    ("governorate", "محمد", "عباسی", [Role.GOVERNORATE], False),
    ("auditor", "لیلا", "صادقی", [Role.AUDITOR], False),
    ("admin", "مدیر", "سامانه", [Role.ADMINISTRATOR], True),
]
DEMO_LABEL = _("demo")


def demo_users_ensure(*, reset_passwords: bool = False) -> list[tuple[str, str, str]]:
    """Create missing demo users; returns (username, password, role label) for every password set now."""
    issued = []
    for username, first, last, roles, staff in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        user = User.objects.filter(username=username).first()
        if user is None:
            user_create(
                username=username,
                password=password,
                first_name=first,
                last_name=last,
                email=f"{username}@baznegar.invalid",
                roles=roles,
                is_staff=staff,
                is_superuser=staff,
            )
        elif reset_passwords:
            user.set_password(password)
            user.save(update_fields=["password"])
        else:
            continue
        issued.append((username, password, ", ".join(str(r.label) for r in roles)))
    return issued
