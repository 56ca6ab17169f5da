"""Decisions that move an amendment along its process: each one is checked, recorded with the
fingerprint of the diff it was taken on, audited in the same transaction, and only then lets the
flow create the next task."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from approvals.models import Decision
from audit.services import audit_record
from core.errors import NotAllowed
from notifications.services import notify
from people.models import User
from people.selectors import holds_object_right
from plan import diff as plan_diff
from plan.changesets import ChangesetInvalid
from plan.models import Amendment
from plan.selectors import amendment_preview
from plan.selectors.attachments import files_shown
from plan.services import amendment_create, require_drafter
from rules.steps import Step
from workflows.flows import AmendmentFlow
from workflows.selectors import (
    OPEN,
    amendment_process,
)
from workflows.services.steps import (
    DecisionRefused,
    StateChanged,
    _acting_for,
    _advance,
    _guarded,
    _lock_step,
    _refuse_conflict_of_duty,
)

# step -> the outcomes a person may choose, and the amendment's status after each
STEP_OUTCOMES = {
    Step.DRAFT: {Decision.Outcome.SUBMIT: Amendment.Status.SUBMITTED},
    Step.SIGN_OFF: {
        Decision.Outcome.APPROVE: Amendment.Status.SIGNED_OFF,
        Decision.Outcome.RETURN: Amendment.Status.RETURNED,
    },
    Step.INTEGRATION: {
        Decision.Outcome.APPROVE: Amendment.Status.ACCEPTED,
        Decision.Outcome.RETURN: Amendment.Status.RETURNED,
        Decision.Outcome.REJECT: Amendment.Status.REJECTED,
    },
}


@transaction.atomic
def amendment_draft_start(*, plan, committee, drafted_by: User, title: str, summary: str = "") -> Amendment:
    """A committee member opens a draft: the amendment and its process, with the drafting task theirs."""
    if committee is None:
        raise DecisionRefused(_("an amendment is drafted for a committee"))
    if not holds_object_right(drafted_by, "plan.draft_amendment", committee):
        raise NotAllowed(_("you are not a member of this committee"))
    amendment = amendment_create(plan=plan, committee=committee, drafted_by=drafted_by, title=title, summary=summary)
    process = AmendmentFlow.start.run(subject=amendment)
    audit_record(action="workflows.amendment.start", actor=drafted_by, obj=amendment, data={"process": process.pk})
    return amendment


def decide(
    *,
    task: Task,
    acting_user: User,
    outcome: str,
    reason: str = "",
    fingerprint: str | None = None,
    on_behalf_of: User | None = None,
) -> Decision:
    """Take a decision on an open task; exactly one decision per task ever counts."""
    return _guarded(
        _decide,
        task_pk=task.pk,
        user=acting_user,
        outcome=outcome,
        reason=(reason or "").strip(),
        fingerprint=fingerprint,
        on_behalf_of=on_behalf_of,
    )


def _decide(*, task_pk, user, outcome, reason, fingerprint, on_behalf_of) -> Decision:
    step = _lock_step(
        task_pk=task_pk,
        flow_class=AmendmentFlow,
        subjects=Amendment.objects.select_related("committee", "base_version", "drafted_by"),
    )
    task, amendment, name = step.task, step.subject, step.name
    if task.status not in OPEN:
        raise StateChanged(_("this step was already decided"))
    choices = STEP_OUTCOMES.get(name, {})
    if outcome not in choices:
        raise DecisionRefused(_("“%(outcome)s” is not a decision of this step") % {"outcome": outcome})
    _refuse_conflict_of_duty(name, amendment, user, on_behalf_of)
    actor_for_rights, on_behalf_of = _acting_for(task, user, on_behalf_of)  # with the separation of duties
    if name == Step.DRAFT:  # the drafting step is the drafter's own task, held while they keep their seat
        require_drafter(amendment, actor_for_rights)
    if outcome != Decision.Outcome.APPROVE and outcome != Decision.Outcome.SUBMIT and not reason:
        raise DecisionRefused(_("a decision other than approval needs a written reason"))
    try:
        entries = amendment_preview(amendment).entries  # the exact diff decided on
    except ChangesetInvalid:
        # a text that no longer applies (a roll-forward of the horizon moved its years, a committee's
        # items moved) is refused taking forward, never sending back: the page shows it as no diff
        # with its problems (workflows.selectors.live_text), and that is what is decided on
        if outcome not in (Decision.Outcome.RETURN, Decision.Outcome.REJECT):
            raise
        entries = []
    files = files_shown(amendment)  # and the documents beside it: the fingerprint covers both
    shown = plan_diff.fingerprint(entries, files)
    if fingerprint is not None and fingerprint != shown:
        raise StateChanged(_("the amendment changed while you were reading it; review the new version before deciding"))
    decision = Decision.objects.create(
        task=task,
        amendment=amendment,
        step=name,
        outcome=outcome,
        reason=reason,
        round=amendment.rounds,
        decided_by=user,
        on_behalf_of=on_behalf_of,
        diff_fingerprint=shown,
        diff=entries,
        files=files,
        against_version=amendment.base_version,
    )
    amendment.status = choices[outcome]
    if outcome == Decision.Outcome.RETURN:
        amendment.rounds += 1
    amendment.save(update_fields=["status", "rounds", "updated_at"])
    task = _advance(step, "approve" if outcome == "submit" else outcome, actor_for_rights)
    _tell_drafter(amendment, name, outcome, reason)
    audit_record(
        action={
            Step.DRAFT: "workflows.amendment.submit",
            Step.SIGN_OFF: "workflows.amendment.sign_off",
            Step.INTEGRATION: "workflows.amendment.integrate",
        }[name],
        actor=user,
        on_behalf_of=on_behalf_of,
        obj=amendment,
        data={
            "outcome": outcome,
            "reason": reason,
            "round": decision.round,
            "task": task.pk,
            "decision": decision.pk,
            "fingerprint": shown,
            **({"files": [{"name": f["name"], "sha256": f["sha256"]} for f in files]} if files else {}),
        },
    )
    return decision


def _tell_drafter(amendment: Amendment, step: str, outcome: str, reason: str) -> None:
    event = {"return": "amendment.returned", "reject": "amendment.rejected"}.get(outcome)
    if step == "integration" and outcome == "approve":
        event = "amendment.accepted"
    if event:
        notify(
            recipients=[amendment.drafted_by],
            event=event,
            obj=amendment,
            context={"subject": amendment.title, "step": step, "reason": reason},
        )


@transaction.atomic
def amendment_withdraw(*, amendment: Amendment, acting_user: User, reason: str) -> Amendment:
    """The drafter takes their amendment back, at any time before the integration working group decides.

    Locks in the order a decision does (the process row, then the amendment), so a withdrawal
    racing a sign-off waits for it instead of deadlocking."""
    process = amendment_process(amendment)
    if process is None:  # the integration group's roll-forward of the horizon: it has no drafting
        raise DecisionRefused(_("a roll-forward of the horizon is not withdrawn: cancel it from the year's page"))
    with AmendmentFlow.lock(process.pk):
        amendment = Amendment.objects.select_for_update(no_key=True).get(pk=amendment.pk)
        if amendment_process(amendment).pk != process.pk:  # a new drafting round began meanwhile
            raise StateChanged(_("this amendment has just changed; reload the page and try again"))
        if acting_user.pk != amendment.drafted_by_id:
            raise NotAllowed(_("only the drafter may withdraw an amendment"))
        if amendment.status not in (
            Amendment.Status.DRAFT,
            Amendment.Status.SUBMITTED,
            Amendment.Status.SIGNED_OFF,
            Amendment.Status.RETURNED,
        ):
            raise DecisionRefused(_("an amendment can be withdrawn only before the integration working group decides"))
        if not reason.strip():
            raise DecisionRefused(_("a decision other than approval needs a written reason"))
        for task in Task.objects.filter(process=process, status__in=OPEN):
            task.status = STATUS.CANCELED
            task.finished = timezone.now()
            task.save(update_fields=["status", "finished"])
        process.status = PROCESS.CANCELED
        process.finished = timezone.now()
        process.save(update_fields=["status", "finished"])
        decision = Decision.objects.create(
            amendment=amendment,
            step="withdraw",
            outcome=Decision.Outcome.WITHDRAW,
            reason=reason.strip(),
            round=amendment.rounds,
            decided_by=acting_user,
            against_version=amendment.base_version,
        )
        amendment.status = Amendment.Status.WITHDRAWN
        amendment.save(update_fields=["status", "updated_at"])
        audit_record(
            action="workflows.amendment.withdraw",
            actor=acting_user,
            obj=amendment,
            data={"reason": reason.strip(), "decision": decision.pk},
        )
    return amendment
