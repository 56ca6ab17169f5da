"""Reads of the rolling year: the horizon in force and a roll-forward waiting, the items a move
leaves behind, the year's call and which committees have answered it."""

from plan.items import horizons
from plan.models import AnnualCall, CallAnswer, Plan
from plan.rolling import leaving_horizon
from plan.selectors import pending_roll, version_in_force, version_state
from plan.selectors.actuals import progress_years
from workflows.selectors import _open_tasks_of


def year_overview(plan: Plan) -> dict:
    """What the planning office and the integration working group see of the year."""
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
        "calls": [{"call": call, "answers": call_answers(call)} for call in calls],
    }


def call_answers(call: AnnualCall) -> list[CallAnswer]:
    """The committees' answers to a call, in the committees' order, each with its amendments."""
    return list(
        call.answers.select_related("committee", "answered_by")
        .prefetch_related("amendments")
        .order_by("committee__position", "committee__code")
    )


def call_for_revision(plan: Plan, year: int) -> dict | None:
    """The call of a revision's year with its answers (for the assembly page), or None."""
    call = AnnualCall.objects.filter(plan=plan, year=year).first()
    if call is None:
        return None
    answers = call_answers(call)
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
