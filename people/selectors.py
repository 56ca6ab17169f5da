"""Reads about people: who may act for whom, and the rights a person holds on their own."""

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import get_group_perms, get_user_perms

from core.request_memo import remembered
from people.models import CityAccess, Delegation, Membership, Municipality, User
from people.roles import DELEGATION_RULES, NEVER_SUBSTITUTES, SAME_COMMITTEE, Role

NOT_A_SUBSTITUTE = _(
    "this person may not act for you: a substitute must hold a role that may stand in for yours "
    "(for a committee seat, a seat on the same committee)"
)

NOT_IN_YOUR_CITY = _("this person may not act for you: they do not work in your city")


def _roles_of(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def delegation_problem(delegator: User, substitute: User) -> str | None:
    """Why `substitute` may not act for `delegator` under the delegation rules, or None.

    Every role the delegator holds that decides something must allow the substitute: the
    substitute acts with all of the delegator's rights, so one matching role is not enough."""
    substitute_roles = _roles_of(substitute)
    if not substitute.is_active or substitute_roles & {r.value for r in NEVER_SUBSTITUTES}:
        return str(NOT_A_SUBSTITUTE)
    delegated = [role for role in _roles_of(delegator) if role in DELEGATION_RULES]
    if not delegated:
        return _("your roles decide nothing that can be delegated")
    for role in delegated:
        rule = DELEGATION_RULES[role]
        if rule == SAME_COMMITTEE:
            seats = set(Membership.objects.filter(user=delegator).values_list("committee_id", flat=True))
            theirs = set(Membership.objects.filter(user=substitute).values_list("committee_id", flat=True))
            if not seats <= theirs:
                return str(NOT_A_SUBSTITUTE)
        elif not substitute_roles & {r.value for r in rule}:
            return str(NOT_A_SUBSTITUTE)
        elif not _roles_apply_where(substitute, delegator):
            return str(NOT_IN_YOUR_CITY)
    return None


def _roles_apply_where(substitute: User, delegator: User) -> bool:
    """Whether the substitute's roles apply in every city the delegator's do: a role's step is taken
    where the role applies (a seat's city is not enough), and another city's step is one the
    substitute could not even see."""
    theirs = role_cities(substitute)
    if theirs is None:
        return True
    mine = role_cities(delegator)
    return mine is not None and mine <= theirs


def delegators_of(user: User, *, on=None) -> list[User]:
    """The people `user` may act for today: active, unrevoked delegations naming them, that the
    delegation rules still allow (a seat lost or a role gained since creation ends it in effect)."""
    day = on or timezone.localdate()

    def compute():
        delegations = Delegation.objects.filter(
            Q(revoked_at__isnull=True), substitute=user, starts_on__lte=day, ends_on__gte=day
        ).select_related("delegator", "substitute")
        return [
            d.delegator
            for d in delegations
            if d.delegator.is_active and delegation_problem(d.delegator, d.substitute) is None
        ]

    return list(remembered(("delegators_of", user.pk, day), compute))


def may_change_account(acting_user: User, user: User) -> bool:
    """Whether the person may change this account (its password, its activation, its second factor):
    an administrator's or a superuser's only a superuser may, or an administrator would make
    themselves one by setting a superuser's password."""
    if acting_user.is_superuser:
        return True
    return not (user.is_superuser or user.groups.filter(name=Role.ADMINISTRATOR.value).exists())


def explicit_permissions(user: User) -> set[str]:
    """The model permissions a person holds through their roles (groups) or by name: never the
    blanket rights of a superuser. Process rights come from roles and seats only, so an
    administrator who is a superuser reads everything and decides nothing."""
    if not user.is_active:
        return set()

    def compute():
        rows = Permission.objects.filter(Q(user=user) | Q(group__user=user)).values_list(
            "content_type__app_label", "codename"
        )
        return frozenset(f"{app}.{codename}" for app, codename in rows)

    return set(remembered(("explicit_permissions", user.pk), compute))


def holds_object_right(user: User, permission: str, obj) -> bool:
    """A right on one object given to the person or one of their groups (a seat), never by superuser status."""
    if not user.is_active:
        return False
    codename = permission.split(".", 1)[1]
    return codename in get_user_perms(user, obj) or codename in get_group_perms(user, obj)


def holds_step_right(user: User, task) -> bool:
    """Whether the person's own roles or seats (never superuser status) give the right a waiting
    task asks for: the step's model permission, or its object permission on the task's committee."""

    permission = task.owner_permission
    if not permission or not user.is_active:
        return False
    if permission in explicit_permissions(user):
        # a role's step: only in a city where their roles apply
        return works_in(user, subject_city(task.process.artifact), by_role=True)
    owner_obj = task.flow_task._owner_permission_obj
    return callable(owner_obj) and holds_object_right(user, permission, owner_obj(task.process))


def _places(user: User) -> tuple[int, frozenset[int], frozenset[int]]:
    """(how many cities, those given to the person, those of their seats): one query, asked once
    per request: every city (a short table), each marked."""

    def compute():
        given = CityAccess.objects.filter(user_id=user.pk, municipality=OuterRef("pk"))
        seated = Membership.objects.filter(user_id=user.pk, committee__plan__municipality=OuterRef("pk"))
        rows = list(
            Municipality.objects.annotate(given=Exists(given), seated=Exists(seated)).values_list(
                "pk", "given", "seated"
            )
        )
        if not user.is_active or user.pk is None:
            return len(rows), frozenset(), frozenset()
        return (
            len(rows),
            frozenset(pk for pk, mine, _seat in rows if mine),
            frozenset(pk for pk, _mine, seat in rows if seat),
        )

    return remembered(("places", user.pk), compute)


def cities_of(user: User) -> frozenset[int] | None:
    """The municipalities a person works in, or None for every one: a superuser, or anyone while the
    installation keeps one city. From the second city on: the cities they were given and those of
    their committee seats, and nothing else. What they may see."""
    if user.is_superuser:
        return None
    count, given, seated = _places(user)
    return None if count <= 1 else given | seated


def role_cities(user: User) -> frozenset[int] | None:
    """Where a person's roles apply (None: everywhere, as for `cities_of`): only the cities they
    were given. A seat on a committee of another city lets them see and do that seat's work there,
    never take a step of that city with a role they hold elsewhere."""
    if user.is_superuser:
        return None
    count, given, _seated = _places(user)
    return None if count <= 1 else given


def working_there(municipality_id: int | None, *, by_role: bool = False) -> Q:
    """The condition on people for working in this city (`by_role`: their roles apply there; their
    seats elsewhere do not count), to filter a query of people with (it joins: ask for distinct rows)."""
    only_city = ~Exists(Municipality.objects.exclude(pk=municipality_id))  # everyone works in the only one
    works = Q(only_city) | Q(is_superuser=True) | Q(city_access__municipality_id=municipality_id)
    if not by_role:
        works |= Q(memberships__committee__plan__municipality_id=municipality_id)
    return works


def working_in(people, municipality_id: int | None, *, by_role: bool = False) -> set[int]:
    """Which of these people work in this city (one query, whatever their number); `by_role`: whose
    roles apply there (their seats elsewhere do not count)."""
    ids = [person.pk for person in people]
    works = working_there(municipality_id, by_role=by_role)
    return set(User.objects.filter(works, pk__in=ids).distinct().values_list("pk", flat=True))


def works_in(user: User, municipality_id: int | None, *, by_role: bool = False) -> bool:
    """Whether a person may see and act on what belongs to this city (`by_role`: with their roles)."""
    cities = role_cities(user) if by_role else cities_of(user)
    return cities is None or municipality_id in cities


def subject_city(subject) -> int | None:
    """The municipality an amendment, revision, report of figures or answer to a call belongs to."""
    known = getattr(subject, "_city_id", None)
    if known is not None:
        return known
    cached = subject._state.fields_cache if hasattr(subject, "_state") else {}
    if "plan" in cached:  # read with its plan (the step runner locks a subject so): no query
        city = cached["plan"].municipality_id
    else:
        plan_id = getattr(subject, "plan_id", None)
        if plan_id is None and getattr(subject, "call", None) is not None:
            plan_id = subject.call.plan_id
        if plan_id is None:
            return None
        city = Municipality.objects.filter(plans=plan_id).values_list("pk", flat=True).first()
    subject._city_id = city  # a subject's city never changes
    return city


def holds_role_right(user: User, permission: str, municipality_id: int | None) -> bool:
    """A right of the person's roles (never superuser status), in a city they work in."""
    return permission in explicit_permissions(user) and works_in(user, municipality_id, by_role=True)
