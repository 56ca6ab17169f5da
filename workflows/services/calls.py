"""The year's call for amendments: the planning office opens it with a deadline, every committee
gets a task to answer it (amendments proposed, or none), reminded and escalated like any task."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import NotAllowed
from core.jalali import tidy_text
from people.models import User
from people.selectors import holds_role_right
from plan.models import AnnualCall, CallAnswer, Plan
from workflows.flows import CallFlow
from workflows.selectors import OPEN
from workflows.services.steps import DecisionRefused, StateChanged, _acting_for, _advance, _guarded, _lock_step
from workflows.year_selectors import call_committee_amendments


@transaction.atomic
def annual_call_open(*, plan: Plan, year: int, deadline: dt.date, acting_user: User, note: str = "") -> AnnualCall:
    """Open the year's call: one answer task per committee of the plan, due on the deadline."""
    if not holds_role_right(acting_user, "workflows.issue_revision", plan.municipality_id):
        raise NotAllowed(_("only the planning office opens the year's call"))
    plan = Plan.objects.select_for_update(no_key=True).get(pk=plan.pk)
    if AnnualCall.objects.filter(plan=plan, year=year).exists():
        raise DecisionRefused(_("the call for %(year)s is already open") % {"year": year})
    if deadline <= timezone.localdate():
        raise DecisionRefused(_("the deadline must be after today"))
    committees = list(plan.committees.order_by("position", "code"))
    if not committees:
        raise DecisionRefused(_("the plan has no committee to ask"))
    call = AnnualCall.objects.create(
        plan=plan, year=year, deadline=deadline, note=tidy_text(note), opened_by=acting_user
    )
    processes = []
    for committee in committees:
        answer = CallAnswer.objects.create(call=call, committee=committee)
        processes.append(CallFlow.start.run(subject=answer).pk)
    audit_record(
        action="workflows.call.open",
        actor=acting_user,
        obj=call,
        data={"year": year, "deadline": deadline.isoformat(), "committees": len(committees), "processes": processes},
    )
    return call


def call_answer(*, task, acting_user: User, answer: str, note: str = "") -> CallAnswer:
    """A member answers for the committee: the amendments it proposed since the call opened (at
    least one must have left its drafter), or none this year, with a note."""
    return _guarded(_call_answer, task_pk=task.pk, user=acting_user, answer=answer, note=tidy_text(note or ""))


def _call_answer(*, task_pk, user, answer, note) -> CallAnswer:
    step = _lock_step(
        task_pk=task_pk, flow_class=CallFlow, subjects=CallAnswer.objects.select_related("committee", "call")
    )
    task, subject = step.task, step.subject
    if task.status not in OPEN or subject.answer != CallAnswer.Answer.PENDING:
        raise StateChanged(_("this step was already decided"))
    holder, on_behalf_of = _acting_for(task, user, None)  # a member, or someone standing in for one today
    if answer not in (CallAnswer.Answer.PROPOSED, CallAnswer.Answer.NONE):
        raise DecisionRefused(_("“%(outcome)s” is not a decision of this step") % {"outcome": answer})
    proposed = list(call_committee_amendments(subject))
    if answer == CallAnswer.Answer.PROPOSED and not proposed:
        raise DecisionRefused(
            _("no amendment of this committee was submitted since the call opened: submit one, or declare none")
        )
    if answer == CallAnswer.Answer.NONE and not note:
        raise DecisionRefused(_("say briefly why the committee proposes no amendment this year"))
    subject.answer, subject.note, subject.answered_by, subject.answered_at = answer, note, user, timezone.now()
    subject.save(update_fields=["answer", "note", "answered_by", "answered_at"])
    if answer == CallAnswer.Answer.PROPOSED:
        subject.amendments.set(proposed)
    _advance(step, answer, holder)
    audit_record(
        action="workflows.call.answer",
        actor=user,
        on_behalf_of=on_behalf_of,
        obj=subject,
        data={"answer": answer, "amendments": [a.pk for a in proposed] if answer == "proposed" else [], "note": note},
    )
    return subject
