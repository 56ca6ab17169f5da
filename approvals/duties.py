"""Separation of duties, as data: whose work a person may not judge at each step.

A person who drafted an amendment, or who acts for someone who did, may neither claim nor decide
its sign-off or its integration, nor any step of a revision that contains it. The services
(`decide`, `revision_decide`, `task_claim`) ask `duty_conflict` before anything is written.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from rules.steps import Step

DRAFTER = "drafter"  # the amendment's own drafter
PACKAGE = "package"  # the drafter of any amendment in the revision
ENTERED = "entered"  # the person who entered a report's figures

SEPARATION_OF_DUTIES = {
    Step.SIGN_OFF: DRAFTER,
    Step.INTEGRATION: DRAFTER,
    Step.ASSEMBLE: PACKAGE,
    Step.POLICY_COUNCIL: PACKAGE,
    Step.CITY_COUNCIL: PACKAGE,
    Step.GOVERNORATE: PACKAGE,
    Step.RECONSIDERATION: PACKAGE,
    Step.DISPUTE: PACKAGE,
    Step.ISSUANCE: PACKAGE,
    Step.CONFIRM_ACTUALS: ENTERED,
}


def _package_refusal() -> str:
    return _("you drafted an amendment of this revision, or act for its drafter: someone else must take this step")


def drafted_any(amendments, people) -> str | None:
    """Why these people may not put these amendments into a package (one of them drafted one)."""
    ids = {person.pk for person in people if person is not None}
    return _package_refusal() if any(a.drafted_by_id in ids for a in amendments) else None


def duty_conflict(step: str, subject, people) -> str | None:
    """Why these people (the one acting, and whoever they act for) may not take this step on this
    amendment or revision, or None."""
    rule = SEPARATION_OF_DUTIES.get(step)
    ids = {person.pk for person in people if person is not None}
    if rule == DRAFTER and subject.drafted_by_id in ids:
        return _("the drafter of an amendment, or someone acting for them, may not decide on it at this step")
    if rule == ENTERED and subject.entered_by_id in ids:
        return _("the person who entered these figures, or someone acting for them, may not confirm them")
    if rule == PACKAGE and subject.amendments.filter(drafted_by_id__in=ids).exists():
        return _package_refusal()
    return None


def _kept_out(step: str, subject):
    """The ids of the people a step's rule keeps out: a set for one person (no query), a subquery
    of the drafters for a revision's package."""
    rule = SEPARATION_OF_DUTIES.get(step)
    if rule == DRAFTER:
        return {subject.drafted_by_id}
    if rule == ENTERED:
        return {subject.entered_by_id}
    if rule == PACKAGE:
        return subject.amendments.values_list("drafted_by_id", flat=True)
    return set()


def duty_excluded(step: str, subject, people) -> set[int]:
    """Which of these people the separation of duties keeps from this step, each on their own: one
    query for a revision's package, whatever the number of people (who is told of a new task)."""
    ids = {person.pk for person in people if person is not None}
    kept = _kept_out(step, subject)
    if isinstance(kept, set):
        return ids & kept
    return set(kept.filter(drafted_by_id__in=ids)) if ids else set()


def duty_excluding(step: str, subject) -> Q:
    """The same people as `duty_excluded`, as a condition on a query of people, so that who may be
    told of a new task is read in one statement with it."""
    return Q(pk__in=_kept_out(step, subject))
