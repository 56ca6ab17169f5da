"""The viewflow flows. They only route: every decision is taken by a service in
`workflows.services`, which records it, audits it and then lets the flow move on.

Human steps are `flow.View` nodes for their assignment and permission rules; their pages are
ours (not viewflow's), so the flows' own URLs are not mounted and the view argument is None.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from approvals.models import ConformityReview
from approvals.services import task_opened
from rules.steps import Step
from workflows.models import ActualsProcess, AmendmentProcess, CallProcess, RevisionProcess


def _committee(process):
    return process.artifact.committee


class _OfASubject:
    """What every flow here shares: its process carries its subject (an amendment, a revision, a
    committee's report of figures, a committee's answer to the year's call), started with
    `Flow.start.run(subject=...)`; each human step, once open, gets its due date and tells who may
    take it."""

    def task_opened(self, activation):
        task_opened(task=activation.task, subject=activation.process.artifact)

    def start_process(self, activation, subject):
        activation.process.artifact = subject
        activation.process.data = {"outcome": ""}
        return activation.process


class AmendmentFlow(_OfASubject, flow.Flow):
    """Drafting → committee sign-off → integration working group: accepted, returned or rejected."""

    process_class = AmendmentProcess
    # Waits for the process row instead of failing fast: viewflow's nowait variant retries inside
    # the caller's transaction, which PostgreSQL has already aborted. The second of two
    # simultaneous decisions waits, then finds the task decided and is told so.
    lock_impl = lock.SelectForUpdateLock(nowait=False, attempts=1)
    process_title = _("Amendment")
    process_description = _("An amendment from drafting to the integration working group's decision.")

    start = flow.StartHandle(this.start_process).Next(this.draft)

    draft = (
        flow.View(None)
        .onCreate(this.task_opened)
        .Annotation(title=Step.DRAFT.label)
        .Assign(lambda activation: activation.process.artifact.drafted_by)
        .Next(this.sign_off)
    )
    sign_off = (
        flow.View(None)
        .onCreate(this.task_opened)
        .Annotation(title=Step.SIGN_OFF.label)
        .Permission("plan.sign_off_amendment", obj=_committee)
        .Next(this.after_sign_off)
    )
    after_sign_off = (
        flow.Switch()
        .Case(this.integration, lambda activation: activation.process.outcome == "approve")
        .Default(this.draft)
    )
    integration = (
        flow.View(None)
        .onCreate(this.task_opened)
        .Annotation(title=Step.INTEGRATION.label)
        .Permission("plan.integrate_amendment")
        .Next(this.after_integration)
    )
    after_integration = (
        flow.Switch()
        .Case(this.accepted, lambda activation: activation.process.outcome == "approve")
        .Case(this.rejected, lambda activation: activation.process.outcome == "reject")
        .Default(this.draft)
    )
    accepted = flow.End()
    rejected = flow.End()


def _outcome_is(*outcomes):
    return lambda activation: activation.process.outcome in outcomes


class RevisionFlow(_OfASubject, flow.Flow):
    """The year's revision: policy council → city council vote → governorate review (objection
    window, confirmed by silence when it closes) → issuance; with every return and objection loop."""

    process_class = RevisionProcess
    lock_impl = lock.SelectForUpdateLock(nowait=False, attempts=1)
    process_title = _("Revision")
    process_description = _("The year's revision from assembly to issuance.")

    start = flow.StartHandle(this.start_process).Next(this.assemble)

    assemble = (
        flow.View(None)
        .onCreate(this.task_opened)
        .Annotation(title=Step.ASSEMBLE.label)
        .Permission("plan.integrate_amendment")
        .Next(this.after_assemble)
    )
    # remove or return amendments: the package stays at assembly; withdraw: it ends
    after_assemble = (
        flow.Switch()
        .Case(this.policy_council, _outcome_is("submit"))
        .Case(this.withdrawn, _outcome_is("withdraw"))
        .Default(this.assemble)
    )
    policy_council = (
        flow.View(None)
        .onCreate(this.task_opened)
        .Annotation(title=Step.POLICY_COUNCIL.label)
        .Permission("workflows.decide_policy_council")
        .Next(this.after_policy_council)
    )
    after_policy_council = (
        flow.Switch()
        .Case(this.city_council, _outcome_is("approve"))
        .Case(this.rejected, _outcome_is("reject"))
        .Default(this.assemble)
    )
    city_council = (
        flow.View(None)
        .onCreate(this.task_opened)
        .Annotation(title=Step.CITY_COUNCIL.label)
        .Permission("workflows.record_council_vote")
        .Next(this.after_city_council)
    )
    after_city_council = (
        flow.Switch()
        .Case(this.governorate, _outcome_is("approve", "approve_partial"))
        .Case(this.rejected, _outcome_is("reject"))
        .Default(this.assemble)
    )
    governorate = (
        flow.View(None)
        .onCreate(this.task_opened)
        .Annotation(title=Step.GOVERNORATE.label)
        .Permission("workflows.record_conformity")
        .OnTimeout(this.objection_window_end, this.confirmed_by_silence)
        .Next(this.after_governorate)
    )
    after_governorate = flow.Switch().Case(this.issuance, _outcome_is("confirm")).Default(this.reconsideration)
    confirmed_by_silence = (
        flow.Function(this.confirm_by_silence).Annotation(title=_("Confirmed by silence")).Next(this.issuance)
    )
    reconsideration = (
        flow.View(None)
        .onCreate(this.task_opened)
        .Annotation(title=Step.RECONSIDERATION.label)
        .Permission("workflows.record_council_vote")
        .Next(this.after_reconsideration)
    )
    # amend: the content reopens at assembly and goes to both councils again; the governorate's
    # window starts again when the new resolution is notified to it
    after_reconsideration = flow.Switch().Case(this.assemble, _outcome_is("amend")).Default(this.dispute)
    dispute = (
        flow.View(None)
        .onCreate(this.task_opened)
        .Annotation(title=Step.DISPUTE.label)
        .Permission("workflows.issue_revision")
        .Next(this.after_dispute)
    )
    after_dispute = flow.Switch().Case(this.issuance, _outcome_is("upheld")).Default(this.rejected)
    issuance = (
        flow.View(None)
        .onCreate(this.task_opened)
        .Annotation(title=Step.ISSUANCE.label)
        .Permission("workflows.issue_revision")
        .Next(this.after_issuance)
    )
    # a version issued meanwhile collides with the package: back to assembly, the conflict named
    after_issuance = flow.Switch().Case(this.issued, _outcome_is("issue")).Default(this.assemble)
    issued = flow.End()
    rejected = flow.End()
    withdrawn = flow.End()

    def objection_window_end(self, activation):
        review = ConformityReview.objects.filter(revision_id=activation.process.artifact_object_id).latest("id")
        return review.window_ends_at

    def confirm_by_silence(self, activation):
        # services import this module (to start processes): the callback reads them when it runs
        from workflows.services import revision_confirm_by_silence

        revision_confirm_by_silence(process=activation.process)


class ActualsFlow(_OfASubject, flow.Flow):
    """A committee's report of a year's actuals: entered by a member, confirmed or returned by a
    chair of the committee (not the person who entered it)."""

    process_class = ActualsProcess
    lock_impl = lock.SelectForUpdateLock(nowait=False, attempts=1)
    process_title = _("Actuals report")
    process_description = _("A committee's figures for a year, from entry to the chair's confirmation.")

    start = flow.StartHandle(this.start_process).Next(this.confirm_actuals)
    confirm_actuals = (
        flow.View(None)
        .onCreate(this.task_opened)
        .Annotation(title=Step.CONFIRM_ACTUALS.label)
        .Permission("plan.sign_off_amendment", obj=_committee)
        .Next(this.after_confirm_actuals)
    )
    after_confirm_actuals = flow.Switch().Case(this.confirmed, _outcome_is("approve")).Default(this.returned)
    confirmed = flow.End()
    returned = flow.End()


class CallFlow(_OfASubject, flow.Flow):
    """A committee's answer to the year's call: its members propose amendments, or declare none,
    by the call's deadline."""

    process_class = CallProcess
    lock_impl = lock.SelectForUpdateLock(nowait=False, attempts=1)
    process_title = _("Annual call")
    process_description = _("A committee's answer to the year's call for amendments.")

    start = flow.StartHandle(this.start_process).Next(this.answer_call)
    answer_call = (
        flow.View(None)
        .onCreate(this.task_opened)
        .Annotation(title=Step.ANSWER_CALL.label)
        .Permission("plan.draft_amendment", obj=_committee)
        .Next(this.answered)
    )
    answered = flow.End()
