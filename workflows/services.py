"""Decisions that move an amendment along its process: each one is checked, recorded with the
fingerprint of the diff it was taken on, audited in the same transaction, and only then lets the
flow create the next task.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from approvals import audit
from approvals.models import Decision, User
from approvals.services import audit_record
from plan.models import Amendment
from plan.selectors import amendment_preview
from plan.services import amendment_create
from workflows.flows import AmendmentFlow
from workflows.models import AmendmentProcess

OPEN = (STATUS.NEW, STATUS.ASSIGNED)
# step -> the outcomes a person may choose, and the amendment's status after each
STEP_OUTCOMES = {
    "draft": {Decision.Outcome.SUBMIT: Amendment.Status.SUBMITTED},
    "sign_off": {
        Decision.Outcome.APPROVE: Amendment.Status.SIGNED_OFF,
        Decision.Outcome.RETURN: Amendment.Status.RETURNED,
    },
    "integration": {
        Decision.Outcome.APPROVE: Amendment.Status.ACCEPTED,
        Decision.Outcome.RETURN: Amendment.Status.RETURNED,
        Decision.Outcome.REJECT: Amendment.Status.REJECTED,
    },
}


class DecisionRefused(ValidationError):
    """A decision that cannot be taken: not yours, not open, already decided, or incomplete."""


def register_audit_actions() -> None:
    audit.register_action("workflows.amendment.start", gettext_lazy("Amendment process started"))
    audit.register_action("workflows.amendment.submit", gettext_lazy("Amendment submitted"))
    audit.register_action("workflows.amendment.sign_off", gettext_lazy("Committee sign-off decided"))
    audit.register_action("workflows.amendment.integrate", gettext_lazy("Integration decided"))
    audit.register_action("workflows.amendment.withdraw", gettext_lazy("Amendment withdrawn"))


@transaction.atomic
def amendment_draft_start(*, plan, committee, drafted_by: User, title: str, summary: str = "") -> Amendment:
    """A committee member opens a draft: the amendment and its process, with the drafting task theirs."""
    if committee is None:
        raise DecisionRefused(_("an amendment is drafted for a committee"))
    if not drafted_by.has_perm("plan.draft_amendment", committee):
        raise PermissionDenied(_("you are not a member of this committee"))
    amendment = amendment_create(plan=plan, committee=committee, drafted_by=drafted_by, title=title, summary=summary)
    process = AmendmentFlow.start.run(amendment=amendment)
    audit_record(action="workflows.amendment.start", actor=drafted_by, obj=amendment, data={"process": process.pk})
    return amendment


def amendment_process(amendment: Amendment) -> AmendmentProcess:
    return AmendmentProcess.objects.filter(
        artifact_content_type__app_label="plan",
        artifact_content_type__model="amendment",
        artifact_object_id=amendment.pk,
    ).get()


def open_task(amendment: Amendment) -> Task | None:
    """The amendment's task that waits for someone, if any."""
    return Task.objects.filter(process=amendment_process(amendment), status__in=OPEN).order_by("-created").first()


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
    try:
        with transaction.atomic():
            return _decide(
                task_pk=task.pk,
                user=acting_user,
                outcome=outcome,
                reason=(reason or "").strip(),
                fingerprint=fingerprint,
                on_behalf_of=on_behalf_of,
            )
    except (FlowLockFailed, IntegrityError):
        # another person's decision on this task is being recorded, or was just recorded
        raise DecisionRefused(_("someone else has just decided this step; reload to see their decision")) from None


def _decide(*, task_pk, user, outcome, reason, fingerprint, on_behalf_of) -> Decision:
    task = Task.objects.get(pk=task_pk)
    with AmendmentFlow.lock(task.process_id):
        task.refresh_from_db()
        process = AmendmentProcess.objects.get(pk=task.process_id)
        amendment = Amendment.objects.select_for_update().get(pk=process.artifact_object_id)
        step = task.flow_task.name
        if task.status not in OPEN:
            raise DecisionRefused(_("this step was already decided"))
        choices = STEP_OUTCOMES.get(step, {})
        if outcome not in choices:
            raise DecisionRefused(_("“%(outcome)s” is not a decision of this step") % {"outcome": outcome})
        actor_for_rights = on_behalf_of or user
        _check_may_decide(task, step, actor_for_rights, amendment)
        if outcome != Decision.Outcome.APPROVE and outcome != Decision.Outcome.SUBMIT and not reason:
            raise DecisionRefused(_("a decision other than approval needs a written reason"))
        preview = amendment_preview(amendment)  # the exact diff decided on; invalid drafts are refused here
        if fingerprint is not None and fingerprint != preview.fingerprint:
            raise DecisionRefused(
                _("the amendment changed while you were reading it; review the new version before deciding")
            )
        decision = Decision.objects.create(
            task=task,
            amendment=amendment,
            step=step,
            outcome=outcome,
            reason=reason,
            round=amendment.rounds,
            decided_by=user,
            on_behalf_of=on_behalf_of,
            diff_fingerprint=preview.fingerprint,
        )
        amendment.status = choices[outcome]
        if outcome == Decision.Outcome.RETURN:
            amendment.rounds += 1
        amendment.save(update_fields=["status", "rounds", "updated_at"])
        process.data = {**(process.data or {}), "outcome": "approve" if outcome == "submit" else outcome}
        process.save(update_fields=["data"])
        task = Task.objects.select_related("process").get(pk=task.pk)  # the gateways read the saved outcome
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.NEW:
            activation.assign(actor_for_rights)
        activation.start(None)
        activation.execute()
        audit_record(
            action={
                "draft": "workflows.amendment.submit",
                "sign_off": "workflows.amendment.sign_off",
                "integration": "workflows.amendment.integrate",
            }[step],
            actor=user,
            on_behalf_of=on_behalf_of,
            obj=amendment,
            data={
                "outcome": outcome,
                "reason": reason,
                "round": decision.round,
                "task": task.pk,
                "fingerprint": preview.fingerprint,
            },
        )
        return decision


def _check_may_decide(task: Task, step: str, user: User, amendment: Amendment) -> None:
    if step == "sign_off" and user.pk == amendment.drafted_by_id:
        raise PermissionDenied(_("the drafter cannot sign off their own amendment"))
    if task.owner_id:
        if task.owner_id != user.pk:
            raise PermissionDenied(_("this step is assigned to someone else"))
        return
    if not task.flow_task.can_assign(user, task):
        raise PermissionDenied(_("you may not decide this step"))


@transaction.atomic
def amendment_withdraw(*, amendment: Amendment, acting_user: User, reason: str) -> Amendment:
    """The drafter takes their amendment back, at any time before the integration working group decides."""
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if acting_user.pk != amendment.drafted_by_id:
        raise PermissionDenied(_("only the drafter may withdraw an amendment"))
    if amendment.status not in (
        Amendment.Status.DRAFT,
        Amendment.Status.SUBMITTED,
        Amendment.Status.SIGNED_OFF,
        Amendment.Status.RETURNED,
    ):
        raise DecisionRefused(_("an amendment can be withdrawn only before the integration working group decides"))
    if not reason.strip():
        raise DecisionRefused(_("a decision other than approval needs a written reason"))
    process = amendment_process(amendment)
    with AmendmentFlow.lock(process.pk):
        for task in Task.objects.filter(process=process, status__in=OPEN):
            task.status = STATUS.CANCELED
            task.finished = timezone.now()
            task.save(update_fields=["status", "finished"])
        process.status = PROCESS.CANCELED
        process.finished = timezone.now()
        process.save(update_fields=["status", "finished"])
        Decision.objects.create(
            amendment=amendment,
            step="withdraw",
            outcome=Decision.Outcome.WITHDRAW,
            reason=reason.strip(),
            round=amendment.rounds,
            decided_by=acting_user,
        )
        amendment.status = Amendment.Status.WITHDRAWN
        amendment.save(update_fields=["status", "updated_at"])
        audit_record(
            action="workflows.amendment.withdraw", actor=acting_user, obj=amendment, data={"reason": reason.strip()}
        )
    return amendment
