"""Every write about people: accounts, preferences, role groups, committee seats, delegation."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from audit import chain
from audit.services import audit_record
from core.errors import BaznegarError
from core.request_memo import forget
from people import directory, second_factor, tokens
from people.models import CityAccess, Delegation, Membership, Municipality, User
from people.roles import ROLE_PERMISSIONS, Role
from people.selectors import delegation_problem, delegators_of, holds_step_right, subject_city


def register_audit_actions() -> None:
    """Actions recorded about people."""
    chain.register_action("people.user.create", _("User created"))
    chain.register_action("people.user.language_change", _("Language changed"))
    chain.register_action("people.user.preferences_change", _("Preferences changed"))
    chain.register_action("people.role.grant", _("Role granted"))
    chain.register_action("people.role.revoke", _("Seat removed"))
    chain.register_action("people.role.reconcile", _("Seats and rights reconciled"))
    chain.register_action("people.claims.release", _("Claims released: their right is gone"))
    chain.register_action("people.delegation.create", _("Delegation created"))
    chain.register_action("people.delegation.revoke", _("Delegation revoked"))
    chain.register_action("people.city.add", _("Municipality added"))
    chain.register_action("people.city.grant", _("City access given"))
    chain.register_action("people.city.revoke", _("City access taken away"))
    tokens.register_audit_actions()
    second_factor.register_audit_actions()
    directory.register_audit_actions()


def administrators():
    """The people told when something is wrong with the system itself."""
    return User.objects.filter(
        Q(is_superuser=True) | Q(groups__name=Role.ADMINISTRATOR.value), is_active=True
    ).distinct()


@transaction.atomic
def role_groups_ensure(*, using: str = "default") -> list[Group]:
    """Create the role groups and give them their model permissions; safe to run again."""
    groups = []
    for role in Role:
        group, _created = Group.objects.using(using).get_or_create(name=role.value)
        wanted = []
        for dotted in ROLE_PERMISSIONS.get(role, []):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        if wanted:
            group.permissions.add(*wanted)
        groups.append(group)
    return groups


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """Save the language a user reads the interface in."""
    user.language = language
    user.full_clean(validate_unique=False, exclude=["password"])
    user.save(update_fields=["language"])
    audit_record(action="people.user.language_change", actor=user, obj=user, data={"language": language})
    return user


@transaction.atomic
def user_preferences_set(*, user: User, language: str, email_preference: str) -> User:
    """Save how a person reads the product: its language, and whether and how email reaches them."""
    before = {"language": user.language, "email_preference": user.email_preference}
    user.language = language
    user.email_preference = email_preference
    user.full_clean(validate_unique=False, exclude=["password"])
    after = {"language": language, "email_preference": email_preference}
    if after != before:
        user.save(update_fields=["language", "email_preference"])
        audit_record(
            action="people.user.preferences_change", actor=user, obj=user, data={"before": before, "after": after}
        )
    return user


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    roles: list[Role] | tuple[Role, ...] = (),
    is_staff: bool = False,
    is_superuser: bool = False,
    created_by: User | None = None,
) -> User:
    """Create a user with their roles, and record it."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    if roles:
        names = [Role(r).value for r in roles]
        if Group.objects.filter(name__in=names).count() < len(set(names)):
            role_groups_ensure()
        user.groups.add(*Group.objects.filter(name__in=names))
    audit_record(
        action="people.user.create",
        actor=created_by,
        obj=user,
        data={"roles": sorted(Role(r).value for r in roles), "staff": is_staff, "superuser": is_superuser},
    )
    return user


# The committee rights each seat carries, as object permissions on the committee.
SEAT_PERMISSIONS = {
    Membership.Seat.MEMBER: ["plan.draft_amendment"],
    Membership.Seat.CHAIR: ["plan.sign_off_amendment"],
    Membership.Seat.SECRETARY: ["plan.sign_off_amendment"],
}


SEAT_ROLES = {
    Membership.Seat.MEMBER: Role.COMMITTEE_MEMBER,
    Membership.Seat.CHAIR: Role.COMMITTEE_CHAIR,
    Membership.Seat.SECRETARY: Role.COMMITTEE_CHAIR,
}


@transaction.atomic
def membership_grant(*, committee, user: User, seat: str, granted_by: User | None = None) -> Membership:
    """Seat a person on a committee: the role's group and the committee's object permissions."""
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user, committee=committee, defaults={"seat": seat}
    )
    if not created and membership.seat != seat:
        previous = Membership.Seat(membership.seat)
        for perm in SEAT_PERMISSIONS[previous]:
            remove_perm(perm, user, committee)
        membership.seat = seat
        membership.full_clean()
        membership.save(update_fields=["seat"])
        _drop_role_if_unused(user, SEAT_ROLES[previous])
        audit_record(
            action="people.role.revoke",
            actor=granted_by,
            obj=committee,
            data={"user": user.get_username(), "committee": committee.code, "seat": previous.value, "reason": seat},
        )
    for perm in SEAT_PERMISSIONS[Membership.Seat(seat)]:
        assign_perm(perm, user, committee)
    group = Group.objects.filter(name=SEAT_ROLES[Membership.Seat(seat)].value).first()
    if group is None:  # groups are made on migrate; only a database emptied since lacks them
        role_groups_ensure()
        group = Group.objects.get(name=SEAT_ROLES[Membership.Seat(seat)].value)
    user.groups.add(group)
    audit_record(
        action="people.role.grant",
        actor=granted_by,
        obj=membership,
        data={"user": user.get_username(), "committee": committee.code, "seat": seat},
    )
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, revoked_by: User | None = None, reason: str = "") -> None:
    """Take a seat away: exactly the object permissions it granted go with it, and the role's
    group when no other seat of the person still needs it; audited, in one transaction."""
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("user", "committee").get(pk=membership.pk)
    )
    user, committee, seat = membership.user, membership.committee, Membership.Seat(membership.seat)
    for perm in SEAT_PERMISSIONS[seat]:
        remove_perm(perm, user, committee)
    membership.delete()
    released = _release_claims(user, committee, SEAT_PERMISSIONS[seat])
    _drop_role_if_unused(user, SEAT_ROLES[seat])
    audit_record(
        action="people.role.revoke",
        actor=revoked_by,
        obj=committee,
        data={
            "user": user.get_username(),
            "committee": committee.code,
            "seat": seat.value,
            "reason": reason,
            "released_tasks": released,
        },
    )


def _drop_role_if_unused(user: User, role) -> None:
    """A seat's role group goes when no seat of the person still needs it."""
    if not Membership.objects.filter(user=user, seat__in=[s for s, r in SEAT_ROLES.items() if r == role]).exists():
        user.groups.remove(*Group.objects.filter(name=role.value))


def _release_claims(user: User, committee, permissions: list[str]) -> list[int]:
    """Tasks of this committee the person had claimed on the seat's rights go back to the queue."""
    tasks = Task.objects.filter(
        owner=user,
        status=STATUS.ASSIGNED,
        owner_permission__in=permissions,
        owner_permission_obj_pk=str(committee.pk),
    ).select_related("process")
    return [_unassign(task) for task in tasks]


def _unassign(task) -> int:
    """A claimed task back to its queue, under its process's lock; returns its id."""
    with task.flow_task.flow_class.lock(task.process_id):
        task.flow_task.activation_class(task).unassign()
    return task.pk


@transaction.atomic
def claims_release_unheld(*, user: User | None = None, released_by: User | None = None) -> list[int]:
    """Claimed steps whose holder may no longer take them (deactivated, or without the role or seat
    the step asks, on their own or a delegator's right) go back to their queue, audited: otherwise
    the step stays in the inbox of someone who cannot decide it, out of every colleague's queue, and
    only its reminders reach them. A seat or a city taken away releases its own claims at once; this
    covers the rest (a role taken in the admin or by the directory, a person deactivated), and runs
    hourly for what changed past the services. Returns the tasks released."""
    forget()  # a request that has just changed someone's roles reads them afresh
    claimed = Task.objects.filter(status=STATUS.ASSIGNED, owner__isnull=False).exclude(owner_permission__isnull=True)
    claimed = claimed.exclude(owner_permission="").select_related("owner", "process").order_by("pk")
    if user is not None:
        claimed = claimed.filter(owner=user)
    released: dict[int, list[int]] = {}
    for task in claimed:
        owner = task.owner
        if owner.is_active and any(holds_step_right(person, task) for person in (owner, *delegators_of(owner))):
            continue
        released.setdefault(owner.pk, []).append(_unassign(task))
    for owner_id, tasks in released.items():
        audit_record(
            action="people.claims.release",
            actor=released_by,
            obj=User.objects.get(pk=owner_id),
            data={"released_tasks": tasks},
        )
    return [pk for tasks in released.values() for pk in tasks]


def _seat_grants() -> set[tuple[int, int, str]]:
    """(user, committee, codename) for every object permission the seats say should exist."""
    wanted = set()
    for user_id, committee_id, seat in Membership.objects.values_list("user_id", "committee_id", "seat"):
        for perm in SEAT_PERMISSIONS[Membership.Seat(seat)]:
            wanted.add((user_id, committee_id, perm.split(".", 1)[1]))
    return wanted


@transaction.atomic
def seat_rights_reconcile(*, repair: bool = True) -> dict:
    """Compare the committee object permissions with the seats that grant them: a permission no
    seat grants (a seat deleted past the services, a hand-made grant) is removed; a seat missing
    its permission gets it. Returns what drifted; each repair is audited."""
    codenames = {perm.split(".", 1)[1] for perms in SEAT_PERMISSIONS.values() for perm in perms}
    Committee = Membership._meta.get_field("committee").related_model  # plan sits above people
    committee_type = ContentType.objects.get_for_model(Committee)
    rows = UserObjectPermission.objects.filter(content_type=committee_type, permission__codename__in=codenames)
    present = {
        (row.user_id, int(row.object_pk), row.permission.codename): row for row in rows.select_related("permission")
    }
    wanted = _seat_grants()
    extra = sorted(set(present) - wanted)
    missing = sorted(wanted - set(present))
    # seats grant to people, never to groups: a group's committee right is drift by definition
    group_rows = list(
        GroupObjectPermission.objects.filter(content_type=committee_type, permission__codename__in=codenames)
    )
    extra += sorted((-row.group_id, int(row.object_pk), row.permission.codename) for row in group_rows)
    if repair and (extra or missing):
        for row in group_rows:
            row.delete()
        for key in extra:
            if key in present:
                present[key].delete()
        for user_id, committee_id, codename in missing:
            assign_perm(f"plan.{codename}", User.objects.get(pk=user_id), Committee.objects.get(pk=committee_id))
        audit_record(
            action="people.role.reconcile",
            actor=None,
            data={"removed": [list(k) for k in extra], "added": [list(k) for k in missing]},
        )
    return {"removed": extra, "added": missing}


class DelegationInvalid(BaznegarError):
    pass


@transaction.atomic
def delegation_create(*, delegator: User, substitute: User, starts_on, ends_on) -> Delegation:
    """Name a substitute for a date range (Tehran dates, inclusive)."""
    if delegator.pk == substitute.pk:
        raise DelegationInvalid(_("you cannot delegate to yourself"))
    if ends_on < starts_on:
        raise DelegationInvalid(_("the delegation ends before it starts"))
    if ends_on < timezone.localdate():
        raise DelegationInvalid(_("the delegation would end in the past"))
    if starts_on < timezone.localdate():
        raise DelegationInvalid(_("a delegation cannot start in the past"))
    problem = delegation_problem(delegator, substitute)
    if problem:
        raise DelegationInvalid(problem)
    User.objects.select_for_update(no_key=True).filter(pk=delegator.pk).first()  # one writer per delegator
    overlapping = Delegation.objects.filter(
        delegator=delegator, revoked_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if overlapping.exists():
        raise DelegationInvalid(
            _("you already have a delegation for some of these days; revoke it first or choose other days")
        )
    delegation = Delegation(delegator=delegator, substitute=substitute, starts_on=starts_on, ends_on=ends_on)
    delegation.full_clean()
    delegation.save()
    audit_record(
        action="people.delegation.create",
        actor=delegator,
        obj=delegation,
        data={"substitute": substitute.get_username(), "from": str(starts_on), "until": str(ends_on)},
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, delegation: Delegation, acting_user: User) -> Delegation:
    if acting_user.pk != delegation.delegator_id:
        raise DelegationInvalid(_("only the person who delegated may revoke it"))
    delegation.revoked_at = timezone.now()
    delegation.save(update_fields=["revoked_at"])
    audit_record(action="people.delegation.revoke", actor=acting_user, obj=delegation)
    return delegation


def _city_code(name_en: str, name_fa: str) -> str:
    from django.utils.text import slugify

    base = slugify(name_en) or f"city-{Municipality.objects.count() + 1}"
    code, n = base, 1
    while Municipality.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


@transaction.atomic
def municipality_ensure(
    *, name_fa: str, name_en: str = "", code: str = "", added_by: User | None = None
) -> Municipality:
    """The municipality of this Persian name, made when first named (a plan imported for it).

    With one city everyone works in it without being given it. So when a second city is added,
    everyone who worked in the first until then is given it by name, in the same transaction:
    nobody loses their city, and nobody gains the new one."""
    name_fa = name_fa.strip()
    found = Municipality.objects.filter(name_fa=name_fa).first()
    if found is not None:
        return found
    existing = list(Municipality.objects.select_for_update().order_by("pk"))
    made = Municipality.objects.create(code=code or _city_code(name_en, name_fa), name_fa=name_fa, name_en=name_en)
    carried = 0
    if len(existing) == 1:
        first = existing[0]
        everyone = User.objects.exclude(is_superuser=True).exclude(city_access__municipality=first)
        carried = len(CityAccess.objects.bulk_create([CityAccess(user=u, municipality=first) for u in everyone]))
    audit_record(
        action="people.city.add",
        actor=added_by,
        obj=made,
        data={"code": made.code, "name": made.name_fa, "first_city_given_to": carried},
    )
    return made


@transaction.atomic
def city_access_grant(*, user: User, municipality: Municipality, granted_by: User | None = None) -> CityAccess:
    """Let a person work in a city (their roles apply there); audited; safe to run again."""
    access, created = CityAccess.objects.get_or_create(user=user, municipality=municipality)
    if created:
        audit_record(
            action="people.city.grant",
            actor=granted_by,
            obj=user,
            data={"user": user.get_username(), "municipality": municipality.code},
        )
    return access


@transaction.atomic
def city_access_revoke(*, user: User, municipality: Municipality, revoked_by: User | None = None) -> list[int]:
    """A person no longer works in a city (moved to another): the tasks of that city they had
    claimed go back to its queue, and both are recorded. Returns the released tasks."""
    CityAccess.objects.filter(user=user, municipality=municipality).delete()
    # a role's steps they had claimed there (their own drafts, and a seat's steps, which go with
    # the seat, stay theirs)
    claimed = (
        Task.objects.filter(owner=user, status=STATUS.ASSIGNED, owner_permission_obj_pk__isnull=True)
        .exclude(owner_permission__isnull=True)
        .exclude(owner_permission="")
    )
    released = [
        _unassign(task)
        for task in claimed.select_related("process")
        if subject_city(task.process.artifact) == municipality.pk
    ]
    audit_record(
        action="people.city.revoke",
        actor=revoked_by,
        obj=user,
        data={"user": user.get_username(), "municipality": municipality.code, "released_tasks": released},
    )
    return released
