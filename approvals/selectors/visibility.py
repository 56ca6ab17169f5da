"""What a person may know exists: amendments, revisions, their committees' work in progress."""

from django.db.models import Exists, OuterRef, Q
from guardian.shortcuts import get_objects_for_user

from approvals.models import Decision
from core.jalali import jalali_year
from core.request_memo import remembered
from people.models import Membership, User
from people.roles import Role
from people.selectors import cities_of, delegators_of, explicit_permissions, role_cities
from plan.models import ActualReport, Amendment, Committee, Revision
from rules.selectors import lunar_holidays_unconfirmed

COUNCIL_PERMISSIONS = (
    "workflows.decide_policy_council",
    "workflows.record_council_vote",
    "workflows.record_conformity",
    "workflows.issue_revision",
)


def amendment_visibility(user: User, *, through: str = "") -> Q | None:
    """The condition on an amendment (reached through `through`, e.g. "amendment__" from a comment)
    that holds for the amendments a person may know exist, or None when they may know them all:
    their committees' (drafts included), what reached the integration working group for its
    members, what is in a revision for the councils, and everything for auditors. Written with
    EXISTS, never a join that repeats rows, so it filters a large table without a DISTINCT.
    Only ever in the cities the person works in (`cities_of`); what a role shows, only in the
    cities where their roles apply (`role_cities`: a seat elsewhere carries no role there)."""

    def within(cities):
        return None if cities is None else Q(**{f"{through}plan__municipality_id__in": sorted(cities)})

    in_city = within(cities_of(user))
    if user.has_perm("plan.view_amendment"):  # auditors: every amendment where their role applies
        return within(role_cities(user))
    people = [user, *delegators_of(user)]
    condition = Q(**{f"{through}pk__in": []})
    for person in people:
        committees = get_objects_for_user(
            person,
            ["plan.draft_amendment", "plan.sign_off_amendment"],
            klass=Committee,
            any_perm=True,
            accept_global_perms=False,
            with_superuser=False,  # a superuser delegator's blanket rights are not passed on
        ).values_list("pk", flat=True)
        # a handful of seats, read once: the condition carries them, not a query on every row
        condition |= Q(**{f"{through}committee_id__in": list(committees)})
        rights = explicit_permissions(person)  # roles only: a delegator's blanket read is not passed on
        by_role = Q(**{f"{through}pk__in": []})
        if "plan.integrate_amendment" in rights:
            # once submitted: a draft withdrawn before it ever left its committee stays the committee's
            by_role |= Q(Exists(Decision.objects.filter(amendment=OuterRef(f"{through}pk"), outcome="submit")))
        if any(perm in rights for perm in COUNCIL_PERMISSIONS):
            carried = Revision.amendments.through.objects.filter(amendment=OuterRef(f"{through}pk"))
            by_role |= Q(Exists(carried))
        where = within(role_cities(person))
        condition |= by_role if where is None else by_role & where
    return condition if in_city is None else condition & in_city


def amendments_visible_to(user: User):
    """The amendments a person may know exist (see `amendment_visibility`). Anything else is a 404
    in the interface."""
    condition = amendment_visibility(user)
    return Amendment.objects.all() if condition is None else Amendment.objects.filter(condition)


def revisions_visible_to(user: User):
    """The revisions a person may know exist: all of them for the revision path's roles (the
    integration working group, the councils' secretariats, the governorate, the planning office)
    and for auditors; none for anyone else, since a revision shows every committee's amendments.
    Only ever in the cities where those roles apply (`role_cities`)."""

    def of(cities):
        return Revision.objects.all() if cities is None else Revision.objects.filter(plan__municipality__in=cities)

    if user.has_perm("plan.view_revision"):  # auditors (and superusers) read every revision of their cities
        return of(role_cities(user))
    found = Revision.objects.none()
    for person in (user, *delegators_of(user)):  # a substitute sees what they may act on
        rights = explicit_permissions(person)  # roles only: a delegator's blanket read is not passed on
        if "plan.integrate_amendment" in rights or any(p in rights for p in COUNCIL_PERMISSIONS):
            found |= of(role_cities(person))
    cities = cities_of(user)
    return found if cities is None else found.filter(plan__municipality__in=cities)


def seat_committee_ids(user: User, permission: str) -> frozenset[int]:
    """The committees on which the person's own seats (never superuser status, never a role) give
    this object right; asked once per request (core.request_memo)."""

    def compute():
        found = get_objects_for_user(
            user, permission, klass=Committee, accept_global_perms=False, with_superuser=False
        ).values_list("pk", flat=True)
        return frozenset(found)

    return remembered(("seat_committee_ids", user.pk, permission), compute)


def _committees_of(user: User, perms: list[str]):
    """The committees on which the person, or someone who delegated to them today, holds a seat's right."""
    ids: set[int] = set()
    for person in (user, *delegators_of(user)):
        for permission in perms:
            ids |= seat_committee_ids(person, permission)
    return Committee.objects.filter(pk__in=ids)


def reporting_committees(user: User):
    """The committees whose figures the person may enter: those they sit on as a member (their own
    seat: entering is not a step a substitute takes)."""
    return (
        get_objects_for_user(
            user, "plan.draft_amendment", klass=Committee, accept_global_perms=False, with_superuser=False
        )
        .select_related("plan")
        .order_by("plan", "position")
    )


def _reads_every_committee(user: User) -> bool:
    """The integration working group, the planning office and auditors read the year's work as a whole."""
    rights = explicit_permissions(user)
    return user.has_perm("plan.view_amendment") or bool(
        rights & {"plan.integrate_amendment", "workflows.issue_revision"}
    )


def committees_in_view(user: User) -> set[str] | None:
    """The codes of the committees whose figures and progress a person follows: None for every
    committee (see `_reads_every_committee`), else those they sit on, or act for today."""
    if _reads_every_committee(user):
        return None
    committees = _committees_of(user, ["plan.draft_amendment", "plan.sign_off_amendment"])
    return set(committees.values_list("code", flat=True))


def actual_reports_visible_to(user: User):
    """The actuals reports a person may read: their committees', and every one for those who read
    the year's work as a whole."""
    if _reads_every_committee(user):
        cities = role_cities(user)
        return (
            ActualReport.objects.all() if cities is None else ActualReport.objects.filter(plan__municipality__in=cities)
        )
    committees = _committees_of(user, ["plan.draft_amendment", "plan.sign_off_amendment"])
    return ActualReport.objects.filter(committee__in=committees)


def committee_amendments(user: User, *, limit: int = 20):
    """The amendments of the committees a person sits on that are still moving (drafts included)."""
    # the committees first, so the newest amendments come off the (committee, updated_at) index
    committees = list(Membership.objects.filter(user=user).values_list("committee_id", flat=True))
    return (
        Amendment.objects.filter(committee_id__in=committees)
        .exclude(status__in=[Amendment.Status.ISSUED, Amendment.Status.REJECTED, Amendment.Status.WITHDRAWN])
        .select_related("committee", "drafted_by")
        .order_by("-updated_at")[:limit]
    )


def lunar_year_to_confirm(user: User, today) -> int | None:
    """Next Jalali year, when its lunar holidays wait for confirmation and this person keeps the
    calendar (the planning office, administrators); else None."""
    roles = set(user.groups.values_list("name", flat=True))
    if not (user.is_superuser or roles & {Role.PLANNING_OFFICE.value, Role.ADMINISTRATOR.value}):
        return None
    next_year = jalali_year(today) + 1
    return next_year if lunar_holidays_unconfirmed(next_year) else None
