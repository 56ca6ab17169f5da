"""Reads of the rolling year: the horizon in force and a roll-forward waiting, the items a move
leaves behind, the year's call and which committees have answered it."""

from plan.items import horizons
from plan.models import Amendment, AnnualCall, CallAnswer, Plan
from plan.rolling import leaving_horizon
from plan.selectors import pending_roll, version_in_force, version_state
from plan.selectors.actuals import progress_years
from workflows.selectors import _open_tasks_of


def year_overview(plan: Plan, visible=None) -> dict:
    """What the planning office and the integration working group see of the year (the amendments
    the committees' answers name: those `visible` holds)."""
    version = version_in_force(plan)
    state = version_state(version) if version else {}
    horizon = horizons(state, plan) if version else None
    roll = pending_roll(plan)
    calls = list(plan.calls.order_by("-year")[:5])
    return {
        "version": version,
        "horizon": horizon,
        "roll": roll,
        "leaving": leaving_horizon(state, None, roll.to_start) if roll else [],
        "calls": [{"call": call, "answers": call_answers(call, visible)} for call in calls],
    }


def call_answers(call: AnnualCall, visible=None) -> list[CallAnswer]:
    """The committees' answers to a call, in the committees' order, each with the amendments it
    names that the reader may know exist (`visible`: a queryset of amendments; None: all) as `shown`."""
    answers = list(
        call.answers.select_related("committee", "answered_by")
        .prefetch_related("amendments")
        .order_by("committee__position", "committee__code")
    )
    allowed = None if visible is None else set(visible.filter(call_answers__call=call).values_list("pk", flat=True))
    for answer in answers:
        answer.shown = [a for a in answer.amendments.all() if allowed is None or a.pk in allowed]
    return answers


def call_for_revision(plan: Plan, year: int, visible=None) -> dict | None:
    """The call of a revision's year with its answers (for the assembly page), or None; the
    amendments each answer names are those `visible` holds (the reader's)."""
    call = AnnualCall.objects.filter(plan=plan, year=year).first()
    if call is None:
        return None
    answers = call_answers(call, visible)
    begun = progress_years(plan)
    return {
        "call": call,
        # the past year's performance, which the committees answered with in front of them
        "review_year": max((y for y in begun if y < year), default=None),
        "answers": answers,
        "waiting": sum(1 for a in answers if a.answer == CallAnswer.Answer.PENDING),
    }


def answer_open_task(answer: CallAnswer):
    return _open_tasks_of(answer).first()


# an amendment counts as proposed once it left its drafter
PROPOSED = (
    Amendment.Status.SUBMITTED,
    Amendment.Status.SIGNED_OFF,
    Amendment.Status.ACCEPTED,
    Amendment.Status.ISSUED,
)


def call_committee_amendments(answer: CallAnswer):
    """The committee's amendments submitted since the call opened (however long before they were
    begun) and not withdrawn or rejected since: what its answer may name."""
    return (
        Amendment.objects.filter(
            committee=answer.committee,
            status__in=PROPOSED,
            decisions__outcome="submit",
            decisions__decided_at__gte=answer.call.opened_at,
        )
        .distinct()
        .order_by("pk")
    )
