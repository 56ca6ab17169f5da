"""The actuals' process: a member enters a committee's figures for a year, a chair confirms or
returns them. The figures are written by `plan.services.actuals`; this module checks who acts,
starts and advances the flow, and tells those concerned."""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import NotAllowed
from notifications.services import notify
from people.models import User
from people.selectors import holds_object_right
from plan.models import ActualReport, Committee
from plan.services.actuals import actual_report_confirm, actual_report_create, actual_report_return
from workflows.flows import ActualsFlow
from workflows.selectors import OPEN
from workflows.services.steps import (
    DecisionRefused,
    StateChanged,
    _acting_for,
    _advance,
    _guarded,
    _lock_step,
    _refuse_conflict_of_duty,
)

ACTUALS_OUTCOMES = {"approve", "return"}


@transaction.atomic
def actuals_enter(
    *, committee: Committee, year, entries: list[dict], acting_user: User, note: str = ""
) -> ActualReport:
    """A member of the committee enters its figures for a year; a chair is asked to confirm them."""
    if not holds_object_right(acting_user, "plan.draft_amendment", committee):
        raise NotAllowed(_("you are not a member of this committee"))
    report = actual_report_create(
        plan=committee.plan, committee=committee, year=year, entries=entries, entered_by=acting_user, note=note
    )
    process = ActualsFlow.start.run(subject=report)
    audit_record(action="workflows.actuals.start", actor=acting_user, obj=report, data={"process": process.pk})
    return report


def actuals_decide(*, task, acting_user: User, outcome: str, reason: str = "", on_behalf_of: User | None = None):
    """A chair confirms the report (its figures are in force from now) or returns it with a reason."""
    return _guarded(
        _actuals_decide,
        task_pk=task.pk,
        user=acting_user,
        outcome=outcome,
        reason=(reason or "").strip(),
        on_behalf_of=on_behalf_of,
    )


def _actuals_decide(*, task_pk, user, outcome, reason, on_behalf_of) -> ActualReport:
    step = _lock_step(
        task_pk=task_pk,
        flow_class=ActualsFlow,
        subjects=ActualReport.objects.select_related("committee", "plan", "entered_by"),
    )
    task, report, name = step.task, step.subject, step.name
    if task.status not in OPEN or report.status != ActualReport.Status.PENDING:
        raise StateChanged(_("this step was already decided"))
    if outcome not in ACTUALS_OUTCOMES:
        raise DecisionRefused(_("“%(outcome)s” is not a decision of this step") % {"outcome": outcome})
    _refuse_conflict_of_duty(name, report, user, on_behalf_of)
    holder, on_behalf_of = _acting_for(task, user, on_behalf_of)  # with the separation of duties
    if outcome == "return" and not reason:
        raise DecisionRefused(_("a decision other than approval needs a written reason"))
    if outcome == "approve":
        actual_report_confirm(report=report, decided_by=user, on_behalf_of=on_behalf_of)
    else:
        actual_report_return(report=report, decided_by=user, reason=reason, on_behalf_of=on_behalf_of)
    _advance(step, outcome, holder)
    notify(
        recipients=[report.entered_by],
        event="actuals.confirmed" if outcome == "approve" else "actuals.returned",
        obj=report,
        context={"subject": str(report), "step": name, "reason": reason, "year": report.year},
    )
    return report
