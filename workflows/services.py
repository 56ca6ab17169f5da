"""Decisions that move an amendment along its process: each one is checked, recorded with the
fingerprint of the diff it was taken on, audited in the same transaction, and only then lets the
flow create the next task.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from approvals.duties import drafted_any, duty_conflict
from approvals.models import ConformityReview, CouncilVote, Decision
from audit import chain
from audit.services import audit_record
from core.errors import BaznegarError, NotAllowed
from core.jalali import format_jalali
from notifications.services import notify
from people.models import User
from people.selectors import delegators_of, explicit_permissions, holds_object_right, holds_step_right
from plan import diff as plan_diff
from plan.changesets import ChangesetInvalid
from plan.models import REVISION_CLOSED, Amendment, Revision
from plan.selectors import amendment_preview, version_in_force
from plan.services import PlanConflict, amendment_create, amendment_rebase, plan_version_issue
from rules.models import CouncilRules
from rules.selectors import council_rules, legal_rule, working_calendar
from rules.steps import Step
from workflows.flows import AmendmentFlow, RevisionFlow
from workflows.selectors import (
    OPEN,
    amendment_process,
    package_conflicts,
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


class DecisionRefused(BaznegarError):
    """A decision that cannot be taken: not yours, not open, already decided, or incomplete."""


def register_audit_actions() -> None:
    chain.register_action("workflows.amendment.start", gettext_lazy("Amendment process started"))
    chain.register_action("workflows.amendment.submit", gettext_lazy("Amendment submitted"))
    chain.register_action("workflows.amendment.sign_off", gettext_lazy("Committee sign-off decided"))
    chain.register_action("workflows.amendment.integrate", gettext_lazy("Integration decided"))
    chain.register_action("workflows.amendment.withdraw", gettext_lazy("Amendment withdrawn"))
    chain.register_action("workflows.amendment.package", gettext_lazy("Amendment put into or taken out of a revision"))
    register_revision_audit_actions()
    chain.register_action("workflows.task.claim", gettext_lazy("Task claimed"))
    chain.register_action("workflows.task.release", gettext_lazy("Task released"))
    chain.register_action("workflows.task.reassign", gettext_lazy("Task reassigned by an administrator"))


@transaction.atomic
def amendment_draft_start(*, plan, committee, drafted_by: User, title: str, summary: str = "") -> Amendment:
    """A committee member opens a draft: the amendment and its process, with the drafting task theirs."""
    if committee is None:
        raise DecisionRefused(_("an amendment is drafted for a committee"))
    if not holds_object_right(drafted_by, "plan.draft_amendment", committee):
        raise NotAllowed(_("you are not a member of this committee"))
    amendment = amendment_create(plan=plan, committee=committee, drafted_by=drafted_by, title=title, summary=summary)
    process = AmendmentFlow.start.run(amendment=amendment)
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


# PostgreSQL's codes for a transaction that may simply be tried again, and for a wait that ran out
RETRYABLE = {"40001", "40P01"}  # serialization failure, deadlock detected
BUSY = {"55P03", "57014"}  # lock_timeout reached, statement_timeout reached


def _pgcode(error) -> str | None:
    """The SQLSTATE of a database error (psycopg 3 calls it sqlstate, psycopg 2 pgcode)."""
    for candidate in (error, getattr(error, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if code:
            return code
    return None


def _guarded(function, **kwargs):
    """Run a decision in its own transaction; a decision that lost a race is told so clearly.

    A transaction PostgreSQL aborted as a serialization failure or a deadlock victim is tried once
    more (nothing of it was committed); a lock or statement wait that ran out is a clear "busy,
    try again" refusal, not a server error."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return function(**kwargs)
        except (FlowLockFailed, IntegrityError):
            # another person's decision on this task is being recorded, or was just recorded
            raise DecisionRefused(_("someone else has just decided this step; reload to see their decision")) from None
        except OperationalError as error:
            code = _pgcode(error)
            if code in RETRYABLE and attempt == 1 and not transaction.get_connection().in_atomic_block:
                continue
            if code in BUSY or code in RETRYABLE:
                raise DecisionRefused(
                    _("this step is busy with another change right now; nothing was recorded, try again in a moment")
                ) from None
            raise


@dataclass(frozen=True)
class _Step:
    """An open task under its process's lock, with the process and the subject read once each."""

    task: Task
    process: Process
    subject: Amendment | Revision

    @property
    def name(self) -> str:
        return self.task.flow_task.name


def _lock_step(*, task_pk: int, flow_class, subjects) -> _Step:
    """Take the flow's lock (the process row, the one viewflow's own lock takes), then read the
    task afresh and lock its subject (FOR NO KEY UPDATE, only that row).

    The process and the subject are handed to viewflow's objects, so the flow's permission rules,
    gateways and task hooks reuse them instead of reading them again."""
    process = flow_class.process_class.objects.select_for_update(of=("self",)).filter(task__pk=task_pk).first()
    if process is None:
        raise Task.DoesNotExist(f"no task {task_pk}")
    if process.flow_class is not flow_class:  # the caller chose the wrong service, not the person
        raise ValueError(f"task {task_pk} is a step of {process.flow_class.__name__}, not {flow_class.__name__}")
    task = Task.objects.get(pk=task_pk)
    subject = subjects.select_for_update(no_key=True, of=("self",)).get(pk=process.artifact_object_id)
    process.artifact = subject
    task.process = process
    return _Step(task=task, process=process, subject=subject)


def _advance(step: _Step, outcome: str, holder: User) -> Task:
    """Record the outcome the flow's gateways read, then complete the task so the flow moves on."""
    task, process = step.task, step.process
    process.data = {**(process.data or {}), "outcome": outcome}
    process.save(update_fields=["data"])
    activation = task.flow_task.activation_class(task)
    if task.status == STATUS.NEW:
        activation.assign(holder)
    activation.start(None)
    activation.execute()
    return task


def _decide(*, task_pk, user, outcome, reason, fingerprint, on_behalf_of) -> Decision:
    step = _lock_step(
        task_pk=task_pk,
        flow_class=AmendmentFlow,
        subjects=Amendment.objects.select_related("committee", "base_version", "drafted_by"),
    )
    task, amendment, name = step.task, step.subject, step.name
    if task.status not in OPEN:
        raise DecisionRefused(_("this step was already decided"))
    choices = STEP_OUTCOMES.get(name, {})
    if outcome not in choices:
        raise DecisionRefused(_("“%(outcome)s” is not a decision of this step") % {"outcome": outcome})
    _refuse_conflict_of_duty(name, amendment, user, on_behalf_of)
    actor_for_rights, on_behalf_of = _acting_for(task, user, on_behalf_of)
    _refuse_conflict_of_duty(name, amendment, user, actor_for_rights)
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
        step=name,
        outcome=outcome,
        reason=reason,
        round=amendment.rounds,
        decided_by=user,
        on_behalf_of=on_behalf_of,
        diff_fingerprint=preview.fingerprint,
        diff=preview.entries,
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
            "fingerprint": preview.fingerprint,
        },
    )
    return decision


def _refuse_conflict_of_duty(step: str, subject, *people) -> None:
    reason = duty_conflict(step, subject, people)
    if reason:
        raise NotAllowed(reason)


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


def _may_decide(task: Task, user: User) -> bool:
    """Role and object rights on a task: its owner, or anyone the step's permission admits."""
    if task.owner_id:
        # a claimed step stays decidable only while the right behind it holds (a seat removed after
        # the claim takes it away); a draft has no right to check, it is the drafter's
        return task.owner_id == user.pk and (not task.owner_permission or holds_step_right(user, task))
    return holds_step_right(user, task)


def _acting_for(task: Task, user: User, on_behalf_of: User | None) -> tuple[User, User | None]:
    """Whose right the decision uses: the person's own, or that of someone who delegated to them
    today. Returns (rights holder, on whose behalf or None)."""
    if on_behalf_of is None:
        # the first holder of the right with whom the separation of duties allows acting
        step, subject, conflict = task.flow_task.name, task.process.artifact, None
        for holder in (user, *delegators_of(user)):
            if not _may_decide(task, holder):
                continue
            conflict = duty_conflict(step, subject, [user, holder])
            if conflict is None:
                return holder, (None if holder.pk == user.pk else holder)
        raise NotAllowed(conflict or _("you may not decide this step"))
    if on_behalf_of.pk not in {d.pk for d in delegators_of(user)}:
        raise NotAllowed(_("you hold no delegation from this person today"))
    if not _may_decide(task, on_behalf_of):
        raise NotAllowed(_("you may not decide this step"))
    return on_behalf_of, on_behalf_of


@transaction.atomic
def amendment_withdraw(*, amendment: Amendment, acting_user: User, reason: str) -> Amendment:
    """The drafter takes their amendment back, at any time before the integration working group decides.

    Locks in the order a decision does (the process row, then the amendment), so a withdrawal
    racing a sign-off waits for it instead of deadlocking."""
    process = amendment_process(amendment)
    with AmendmentFlow.lock(process.pk):
        amendment = Amendment.objects.select_for_update(no_key=True).get(pk=amendment.pk)
        if amendment_process(amendment).pk != process.pk:  # a new drafting round began meanwhile
            raise DecisionRefused(_("this amendment has just changed; reload the page and try again"))
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


# ---------------------------------------------------------------------------------------------
# The revision's process

REVISION_OUTCOMES = {
    Step.ASSEMBLE: {"submit", "add", "remove", "return", "withdraw"},
    Step.POLICY_COUNCIL: {"approve", "return", "reject"},
    Step.CITY_COUNCIL: {"approve", "approve_partial", "return", "reject"},
    Step.GOVERNORATE: {"object", "confirm"},
    Step.RECONSIDERATION: {"amend", "insist"},
    Step.DISPUTE: {"upheld", "overturned"},
    Step.ISSUANCE: {"issue", "reassemble"},
}
NEEDS_REASON = {
    "return",
    "reject",
    "insist",
    "upheld",
    "overturned",
    "approve_partial",
    "remove",
    "withdraw",
    "amend",
    "reassemble",
}
# outcomes that send the package back to assembly: each starts a new round
BACK_TO_ASSEMBLY = {
    ("policy_council", "return"),
    ("city_council", "return"),
    ("reconsideration", "amend"),
    ("issuance", "reassemble"),
}
# outcomes that take nothing forward, or record a fact outside the municipality (the governorate's
# confirmation, the dispute board's ruling): they may be taken on a package whose text no longer
# applies; issuance checks the text again
LENIENT = {
    "remove",
    "return",
    "withdraw",
    "reject",
    "reassemble",
    "insist",
    "overturned",
    "object",
    "amend",
    "confirm",
    "upheld",
    "approve_partial",
    "add",
}
# outcomes that change the package: the decision records the text after the step
TEXT_AFTER = {("issuance", "issue"), ("city_council", "approve_partial"), ("assemble", "add")}
# the details each step's form may send (anything else is dropped before the audit records it)
STEP_DETAILS = {
    Step.ASSEMBLE: {"chosen", "added"},
    Step.CITY_COUNCIL: {
        "session_date",
        "resolution_number",
        "present",
        "votes_for",
        "votes_against",
        "abstentions",
        "notified_on",
        "excluded",
    },
    Step.GOVERNORATE: {"legal_ground"},
    Step.ISSUANCE: {"issuance_number", "issued_at"},
}


def register_revision_audit_actions() -> None:
    chain.register_action("plan.revision.start", gettext_lazy("Revision assembled"))
    chain.register_action("plan.revision.decide", gettext_lazy("Revision step decided"))
    chain.register_action("plan.revision.confirm_by_silence", gettext_lazy("Confirmed by silence"))


@transaction.atomic
def revision_start(*, plan, year: int, title: str, amendments: list[Amendment], acting_user: User) -> Revision:
    """The integration working group puts accepted amendments into the year's revision (one is enough)."""
    if "plan.integrate_amendment" not in explicit_permissions(acting_user):
        raise NotAllowed(_("only the integration working group assembles a revision"))
    if not amendments:
        raise DecisionRefused(_("a revision needs at least one accepted amendment"))
    amendments = list(
        Amendment.objects.select_for_update(no_key=True).filter(pk__in=[a.pk for a in amendments]).order_by("pk")
    )
    for amendment in amendments:
        _check_poolable(amendment, plan)
    refusal = drafted_any(amendments, [acting_user])
    if refusal:
        raise NotAllowed(refusal)
    revision = Revision(plan=plan, year=year, title=title.strip(), created_by=acting_user)
    revision.full_clean()
    revision.save()
    revision.amendments.set(amendments)
    process = RevisionFlow.start.run(revision=revision)
    audit_record(
        action="plan.revision.start",
        actor=acting_user,
        obj=revision,
        data={"process": process.pk, "amendments": sorted(a.pk for a in amendments), "year": year},
    )
    return revision


def revision_decide(
    *, task: Task, acting_user: User, outcome: str, reason: str = "", on_behalf_of: User | None = None, **details
) -> Decision:
    """Take a decision on a revision's step; the step's details (vote, dates, ground) come as keywords."""
    return _guarded(
        _revision_decide,
        task_pk=task.pk,
        user=acting_user,
        outcome=outcome,
        reason=(reason or "").strip(),
        on_behalf_of=on_behalf_of,
        details=details,
    )


def _revision_decide(*, task_pk, user, outcome, reason, on_behalf_of, details) -> Decision:
    step = _lock_step(task_pk=task_pk, flow_class=RevisionFlow, subjects=Revision.objects.select_related("plan"))
    task, revision, name = step.task, step.subject, step.name
    if task.status not in OPEN:
        raise DecisionRefused(_("this step was already decided"))
    if outcome not in REVISION_OUTCOMES.get(name, ()):
        raise DecisionRefused(_("“%(outcome)s” is not a decision of this step") % {"outcome": outcome})
    acting_for, on_behalf_of = _acting_for(task, user, on_behalf_of)
    _refuse_conflict_of_duty(name, revision, user, acting_for)
    if outcome in NEEDS_REASON and not reason:
        raise DecisionRefused(_("a decision other than approval needs a written reason"))
    details = {k: v for k, v in details.items() if k in STEP_DETAILS.get(name, ())}
    entries = _revision_entries(revision, lenient=outcome in LENIENT)
    round_ = revision.rounds
    against = _read_against(revision)
    _REVISION_STEPS[name](
        revision=revision, outcome=outcome, reason=reason, user=user, details=details, acting_for=acting_for
    )
    if (name, outcome) in TEXT_AFTER:
        # the package changed (amendments left out or added, or rebased at issuance): the decision
        # is on the text after the step
        entries = _revision_entries(revision)
        against = _read_against(revision)
    if (name, outcome) in BACK_TO_ASSEMBLY:
        revision.rounds += 1
        revision.status = Revision.Status.ASSEMBLING
        revision.save(update_fields=["rounds", "status"])
    if (name, outcome) in BACK_TO_ASSEMBLY or outcome in ("reject", "overturned"):
        _tell_drafters(revision, name, outcome, reason)
    fingerprint = plan_diff.fingerprint(entries)
    decision = Decision.objects.create(
        task=task,
        revision=revision,
        step=name,
        outcome=outcome,
        reason=reason,
        round=round_,
        decided_by=user,
        on_behalf_of=on_behalf_of,
        diff_fingerprint=fingerprint,
        diff=entries,
        against_version=against,
    )
    task = _advance(step, outcome, acting_for)
    audit_record(
        action="plan.revision.decide",
        actor=user,
        on_behalf_of=on_behalf_of,
        obj=revision,
        data={
            "step": name,
            "outcome": outcome,
            "reason": reason,
            "task": task.pk,
            "decision": decision.pk,
            "fingerprint": fingerprint,
            "status": revision.status,
            "round": round_,
            **{k: _audited(v) for k, v in details.items()},
        },
    )
    return decision


def _read_against(revision: Revision):
    """The issued version a revision's text is read against: its amendments' common base (after
    an issuance, the version it was issued on); None when the bases differ."""
    if revision.issued_version_id:
        return revision.plan.versions.filter(number=revision.issued_version.number - 1).first()
    bases = set(revision.amendments.values_list("base_version_id", flat=True))
    if len(bases) == 1:
        return revision.plan.versions.get(pk=bases.pop())
    return None


def _tell_drafters(revision: Revision, step: str, outcome: str, reason: str) -> None:
    """The drafters of a package's amendments, told when it goes back to assembly or is rejected."""
    drafters = [a.drafted_by for a in revision.amendments.select_related("drafted_by")]
    notify(
        recipients=drafters,
        event={
            "reassemble": "revision.reassembled",
            "reject": "revision.rejected",
            "overturned": "revision.rejected",
        }.get(outcome, "revision.returned"),
        obj=revision,
        context={"subject": revision.title, "step": step, "reason": reason},
    )


def _audited(value):
    if isinstance(value, list | tuple | set):
        return sorted(str(v) for v in value)
    return str(value)


def _revision_entries(revision: Revision, *, lenient: bool = False) -> list[dict]:
    """The revision's combined diff, the text its deciders sign: every amendment's entries, in order.

    An amendment whose text no longer applies refuses a decision that takes the package forward;
    with `lenient` (an exit: remove, return, withdraw, reject ...) it is left out of the text."""
    entries = []
    for amendment in revision.amendments.select_related("plan", "base_version", "committee").order_by("pk"):
        try:
            entries.extend(amendment_preview(amendment).entries)
        except ChangesetInvalid as invalid:
            if not lenient:
                raise DecisionRefused(
                    _("amendment “%(title)s” no longer applies: %(problems)s")
                    % {"title": amendment.title, "problems": "; ".join(invalid.messages)}
                ) from None
    return entries


def _chosen_amendments(revision: Revision, details: dict) -> list[Amendment]:
    """The package's amendments a removal or a return names; at least one must stay in the package."""
    try:
        chosen = {int(pk) for pk in details.get("chosen", [])}
    except (TypeError, ValueError):
        chosen = set()
    amendments = list(revision.amendments.select_for_update(no_key=True).filter(pk__in=chosen).order_by("pk"))
    if not chosen or len(amendments) != len(chosen):
        raise DecisionRefused(_("name the amendments of this revision to take out"))
    if revision.amendments.exclude(pk__in=chosen).count() == 0:
        raise DecisionRefused(_("at least one amendment must stay; to take them all out, withdraw the revision"))
    return amendments


def _take_out(*, revision, amendments, outcome, reason, user):
    """Remove amendments from the package: back to the pool (remove), or to their drafters for a
    new drafting round (return). Each amendment keeps a decision saying why, and its drafter is told."""
    revision.amendments.remove(*amendments)
    for amendment in amendments:
        Decision.objects.create(
            amendment=amendment,
            step="assemble",
            outcome=outcome,
            reason=reason,
            round=amendment.rounds,
            decided_by=user,
            against_version=amendment.base_version,
        )
        data = {"revision": revision.pk, "outcome": outcome, "reason": reason}
        if outcome == "return":
            amendment_rebase(amendment=amendment, acting_user=user, force=True)
            amendment.refresh_from_db()
            amendment.status = Amendment.Status.RETURNED
            amendment.rounds += 1
            amendment.save(update_fields=["status", "rounds", "updated_at"])
            process = AmendmentFlow.start.run(amendment=amendment)  # a new drafting round, the drafter's
            data["process"] = process.pk
        audit_record(action="workflows.amendment.package", actor=user, obj=amendment, data=data)
        notify(
            recipients=[amendment.drafted_by],
            event="amendment.returned" if outcome == "return" else "amendment.removed",
            obj=amendment,
            context={"subject": amendment.title, "step": "assemble", "reason": reason, "revision": revision.title},
        )


def _add_to_package(*, revision, details, user, acting_for=None):
    """Put accepted amendments from the pool into the package (e.g. one its drafter reworked after
    it was returned from this revision): the same checks as assembling a revision."""
    try:
        added = {int(pk) for pk in details.get("added", [])}
    except (TypeError, ValueError):
        added = set()
    amendments = list(Amendment.objects.select_for_update(no_key=True).filter(pk__in=added).order_by("pk"))
    if not added or len(amendments) != len(added):
        raise DecisionRefused(_("name the accepted amendments to add"))
    for amendment in amendments:
        _check_poolable(amendment, revision.plan)
    refusal = drafted_any(amendments, [user, acting_for])
    if refusal:
        raise NotAllowed(refusal)
    revision.amendments.add(*amendments)
    for amendment in amendments:
        audit_record(
            action="workflows.amendment.package",
            actor=user,
            obj=amendment,
            data={"revision": revision.pk, "outcome": "add"},
        )


def _check_poolable(amendment: Amendment, plan) -> None:
    if amendment.plan_id != plan.pk or amendment.status != Amendment.Status.ACCEPTED:
        raise DecisionRefused(_("amendment %(id)s is not an accepted amendment of this plan") % {"id": amendment.pk})
    if amendment.revisions.exclude(status__in=REVISION_CLOSED).exists():
        raise DecisionRefused(_("amendment %(id)s is already in an open revision") % {"id": amendment.pk})


def _package_conflicts(revision: Revision) -> list:
    return package_conflicts(revision.amendments.select_related("plan", "base_version", "committee"))


def _assemble(*, revision, outcome, reason, user, details, acting_for=None):
    if outcome == "add":
        _add_to_package(revision=revision, details=details, user=user, acting_for=acting_for)
        return
    if outcome in ("remove", "return"):
        amendments = _chosen_amendments(revision, details)
        _take_out(revision=revision, amendments=amendments, outcome=outcome, reason=reason, user=user)
        return
    if outcome == "withdraw":
        # the revision ends; its amendments are back in the pool for another revision
        _set_status(revision, Revision.Status.WITHDRAWN)
        amendments = list(revision.amendments.select_related("drafted_by"))
        notify(
            recipients=[a.drafted_by for a in amendments],
            event="revision.withdrawn",
            obj=revision,
            context={"subject": revision.title, "reason": reason},
        )
        return
    amendments = list(revision.amendments.all())
    if not amendments:
        raise DecisionRefused(_("a revision needs at least one accepted amendment"))
    conflicts = _package_conflicts(revision)
    if conflicts:
        raise DecisionRefused(
            _("overlapping amendments must be resolved first: %(codes)s")
            % {"codes": ", ".join(sorted({c.code for c in conflicts}))}
        )
    _set_status(revision, Revision.Status.POLICY_COUNCIL)


def _policy_council(*, revision, outcome, reason, user, details, acting_for=None):
    _set_status(
        revision,
        {
            "approve": Revision.Status.CITY_COUNCIL,
            "return": Revision.Status.ASSEMBLING,
            "reject": Revision.Status.REJECTED,
        }[outcome],
    )


def _record_vote(*, revision, user, details, must_pass: bool) -> CouncilVote:
    rules = council_rules()
    try:
        present = int(details["present"])
        votes = [int(details[k]) for k in ("votes_for", "votes_against", "abstentions")]
        session_date = details["session_date"]
        resolution_number = str(details["resolution_number"]).strip()
    except (KeyError, TypeError, ValueError):
        raise DecisionRefused(
            _("record the session date, the resolution number, those present and the votes for, against and abstaining")
        ) from None
    if not resolution_number:
        raise DecisionRefused(_("the resolution number is required"))
    if present > rules.members or sum(votes) > present or min([present, *votes]) < 0:
        raise DecisionRefused(
            _("the tally does not add up: %(members)s members, %(present)s present, %(cast)s votes cast")
            % {"members": rules.members, "present": present, "cast": sum(votes)}
        )
    if present < rules.quorum:
        raise DecisionRefused(
            _("the session had no quorum: %(present)s present, %(quorum)s needed")
            % {"present": present, "quorum": rules.quorum}
        )
    base = present if rules.majority == CouncilRules.Majority.OF_PRESENT else rules.members
    passed = votes[0] * 2 > base
    if must_pass and not passed:
        raise DecisionRefused(
            _("the resolution did not pass: %(for)s for, more than half of %(base)s needed")
            % {"for": votes[0], "base": base}
        )
    return CouncilVote.objects.create(
        revision=revision,
        session_date=session_date,
        resolution_number=resolution_number,
        members=rules.members,
        present=present,
        votes_for=votes[0],
        votes_against=votes[1],
        abstentions=votes[2],
        passed=passed,
        recorded_by=user,
    )


def _notify_governorate(*, revision, vote, details):
    """The resolution is notified to the board: the objection window opens on the notification date."""
    rule = legal_rule("conformity-objection")
    notified_on = details.get("notified_on") or timezone.localdate()
    if notified_on > timezone.localdate() or notified_on < vote.session_date:
        raise DecisionRefused(
            _("the notification date must fall between the session (%(session)s) and today")
            % {"session": format_jalali(vote.session_date)}
        )
    last_day = working_calendar().statutory_deadline(notified_on, rule.days)
    window_ends_at = timezone.make_aware(dt.datetime.combine(last_day, dt.time(23, 59, 59)))
    ConformityReview.objects.create(
        revision=revision, vote=vote, rule=rule, notified_on=notified_on, window_ends_at=window_ends_at
    )
    _set_status(revision, Revision.Status.GOVERNORATE)


def _city_council(*, revision, outcome, reason, user, details, acting_for=None):
    if outcome == "return":
        _set_status(revision, Revision.Status.ASSEMBLING)
        return
    vote = _record_vote(revision=revision, user=user, details=details, must_pass=outcome != "reject")
    if outcome == "reject":
        if vote.passed:
            raise DecisionRefused(_("the vote passed: record it as an approval"))
        _set_status(revision, Revision.Status.REJECTED)
        return
    if outcome == "approve_partial":
        excluded = [int(pk) for pk in details.get("excluded", [])]
        kept = revision.amendments.exclude(pk__in=excluded)
        if not excluded or not kept.exists() or revision.amendments.filter(pk__in=excluded).count() != len(excluded):
            raise DecisionRefused(_("name the amendments not approved; at least one must remain"))
        # amendments left out go back to the integration working group for a later revision
        vote.excluded_amendments.set(excluded)
        revision.amendments.remove(*excluded)
    _notify_governorate(revision=revision, vote=vote, details=details)


def _governorate(*, revision, outcome, reason, user, details, acting_for=None):
    review = ConformityReview.objects.select_for_update().filter(revision=revision).latest("id")
    now = timezone.now()
    if now > review.window_ends_at:
        raise DecisionRefused(
            _("the objection window closed on %(day)s") % {"day": format_jalali(review.window_ends_at)}
        )
    if outcome == "object":
        ground = (details.get("legal_ground") or "").strip()
        if not ground:
            raise DecisionRefused(_("an objection names its legal ground"))
        review.outcome, review.legal_ground = ConformityReview.Outcome.OBJECTED, ground
        _set_status(revision, Revision.Status.RECONSIDERATION)
    else:
        review.outcome = ConformityReview.Outcome.CONFIRMED
        _set_status(revision, Revision.Status.CONFIRMED)
    review.decided_at = now
    review.save(update_fields=["outcome", "legal_ground", "decided_at"])


def _reconsideration(*, revision, outcome, reason, user, details, acting_for=None):
    if outcome == "insist":
        _set_status(revision, Revision.Status.DISPUTE)
    # amend: the content reopens at assembly (status and round set by the caller); the new text
    # goes to both councils again, and a new vote opens a new window at the governorate


def _dispute(*, revision, outcome, reason, user, details, acting_for=None):
    _set_status(revision, Revision.Status.CONFIRMED if outcome == "upheld" else Revision.Status.REJECTED)


def _issuance(*, revision, outcome, reason, user, details, acting_for=None):
    if outcome == "reassemble":
        conflicts = _package_conflicts(revision)
        if not conflicts:
            raise DecisionRefused(_("nothing blocks this issuance: issue it"))
        return
    number = str(details.get("issuance_number") or "").strip()
    if not number:
        raise DecisionRefused(_("the issuance number is required"))
    try:
        version = plan_version_issue(
            plan=revision.plan,
            amendments=list(revision.amendments.order_by("pk")),
            issuance_number=number,
            issued_by=user,
            issued_at=details.get("issued_at") or timezone.now(),
            note=revision.title,
        )
    except (PlanConflict, ChangesetInvalid) as conflict:
        raise DecisionRefused(
            _("%(problem)s. Send the revision back to assembly, naming why.") % {"problem": conflict.messages[0]}
        ) from None
    _issued(revision=revision, version=version, number=number, user=user)


def _issued(*, revision, version, number, user):
    revision.issued_version = version
    revision.status = Revision.Status.ISSUED
    revision.save(update_fields=["issued_version", "status"])
    # everyone concerned: the drafters, their committees' members, and the people who decided
    amendments = list(revision.amendments.select_related("drafted_by"))
    concerned = [a.drafted_by for a in amendments]
    concerned += list(User.objects.filter(memberships__committee__in=[a.committee_id for a in amendments]))
    concerned += [*User.objects.filter(decisions__revision=revision), user]
    notify(
        recipients=concerned,
        event="revision.issued",
        obj=revision,
        context={"subject": revision.title, "version": version.number, "number": number},
    )


_REVISION_STEPS = {
    Step.ASSEMBLE: _assemble,
    Step.POLICY_COUNCIL: _policy_council,
    Step.CITY_COUNCIL: _city_council,
    Step.GOVERNORATE: _governorate,
    Step.RECONSIDERATION: _reconsideration,
    Step.DISPUTE: _dispute,
    Step.ISSUANCE: _issuance,
}


def _set_status(revision: Revision, status: str) -> None:
    revision.status = status
    revision.save(update_fields=["status"])


@transaction.atomic
def revision_confirm_by_silence(*, process) -> None:
    """The objection window closed with no objection: the resolution is confirmed by the system,
    under the named legal rule. Called by the flow when its timer fires (Celery beat)."""
    revision = Revision.objects.select_for_update(no_key=True).get(pk=process.artifact_object_id)
    review = ConformityReview.objects.select_for_update().filter(revision=revision).latest("id")
    if review.outcome != ConformityReview.Outcome.PENDING:
        return
    review.outcome = ConformityReview.Outcome.CONFIRMED_BY_SILENCE
    review.decided_at = timezone.now()
    review.save(update_fields=["outcome", "decided_at"])
    _set_status(revision, Revision.Status.CONFIRMED)
    rule = review.rule
    why = f"{rule.name_fa}: {rule.law}, {rule.article} ({rule.days})"
    entries = _revision_entries(revision, lenient=True)  # the law confirms whatever the text; issuance checks it
    decision = Decision.objects.create(
        revision=revision,
        step="governorate",
        outcome=Decision.Outcome.CONFIRM_BY_SILENCE,
        reason=why,
        round=revision.rounds,
        against_version=version_in_force(revision.plan),
        decided_by=None,
        diff_fingerprint=plan_diff.fingerprint(entries),
        diff=entries,
    )
    process.data = {**(process.data or {}), "outcome": "confirm"}
    process.save(update_fields=["data"])
    notify(
        recipients=User.objects.filter(decisions__revision=revision).distinct(),
        event="revision.confirmed_by_silence",
        obj=revision,
        context={"subject": revision.title},
    )
    audit_record(
        action="plan.revision.confirm_by_silence",
        actor=None,
        obj=revision,
        data={
            "decision": decision.pk,
            "fingerprint": decision.diff_fingerprint,
            "reason": why,
            "rule": rule.code,
            "law": rule.law,
            "article": rule.article,
            "days": rule.days,
            "notified_on": str(review.notified_on),
            "window_ends_at": review.window_ends_at.isoformat(),
        },
    )


# ---------------------------------------------------------------------------------------------
# Claiming and releasing tasks of a queue


@transaction.atomic
def task_claim(*, task: Task, acting_user: User) -> Task:
    """Take an unassigned task from the queue: it moves to the person's inbox (or, for a
    substitute without the right of their own, to the inbox of the person they act for)."""
    with task.flow_task.flow_class.lock(task.process_id):
        task.refresh_from_db()
        if task.status != STATUS.NEW:
            raise DecisionRefused(_("someone has already claimed this task"))
        holder, _behalf = _acting_for(task, acting_user, None)
        _refuse_conflict_of_duty(task.flow_task.name, task.process.artifact, acting_user, holder)
        task.flow_task.activation_class(task).assign(holder)
        audit_record(
            action="workflows.task.claim",
            actor=acting_user,
            on_behalf_of=_behalf,
            obj=task,
            scope=chain.scope_of(task.process.artifact),
            data={"step": task.flow_task.name, "process": task.process_id},
        )
    return task


@transaction.atomic
def task_release(*, task: Task, acting_user: User) -> Task:
    """Put a claimed task back in its queue."""
    with task.flow_task.flow_class.lock(task.process_id):
        task.refresh_from_db()
        allowed = {acting_user.pk, *(d.pk for d in delegators_of(acting_user))}
        if task.status != STATUS.ASSIGNED or task.owner_id not in allowed:
            raise DecisionRefused(_("only the person who claimed this task may release it"))
        if task.flow_task.name == "draft":
            raise DecisionRefused(_("a draft stays with its drafter; withdraw it instead"))
        holder_id = task.owner_id  # the delegator's, when a substitute releases it for them
        task.flow_task.activation_class(task).unassign()
        audit_record(
            action="workflows.task.release",
            actor=acting_user,
            on_behalf_of=None if holder_id == acting_user.pk else User.objects.filter(pk=holder_id).first(),
            obj=task,
            scope=chain.scope_of(task.process.artifact),
            data={"step": task.flow_task.name, "process": task.process_id},
        )
    return task


def reassign_candidates(task: Task) -> list[User]:
    """The active people who may take this task over: its step's right, and no conflict of duty."""
    people = User.objects.filter(is_active=True).order_by("last_name", "username")
    subject = task.process.artifact
    return [
        person
        for person in people
        if holds_step_right(person, task)
        and duty_conflict(task.flow_task.name, subject, [person]) is None
        and person.pk != task.owner_id
    ]


@transaction.atomic
def task_reassign(*, task: Task, to_user: User, reason: str, acting_user: User) -> Task:
    """An administrator moves an open task to another person who may take it, with a written
    reason; audited, and the new holder is told. The only way the admin moves work."""
    if not acting_user.has_perm("workflows.reassign_task"):
        raise NotAllowed(_("only an administrator may reassign a task"))
    reason = (reason or "").strip()
    if not reason:
        raise DecisionRefused(_("a reassignment needs a written reason"))
    with task.flow_task.flow_class.lock(task.process_id):
        task.refresh_from_db()
        if task.status not in OPEN or task.flow_task_type != "HUMAN":
            raise DecisionRefused(_("only a task that waits for someone can be reassigned"))
        if to_user.pk not in {p.pk for p in reassign_candidates(task)}:
            raise DecisionRefused(_("this person may not take this step"))
        _refuse_conflict_of_duty(task.flow_task.name, task.process.artifact, acting_user)  # no choosing one's judge
        previous = task.owner
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.ASSIGNED:
            activation.unassign()
            activation = task.flow_task.activation_class(task)
        activation.assign(to_user)
        audit_record(
            action="workflows.task.reassign",
            actor=acting_user,
            obj=task,
            scope=chain.scope_of(task.process.artifact),
            data={
                "step": task.flow_task.name,
                "process": task.process_id,
                "from": previous.get_username() if previous else "",
                "to": to_user.get_username(),
                "reason": reason,
            },
        )
        notify(
            recipients=[to_user, *([previous] if previous is not None else [])],
            event="task.reassigned",
            obj=task.process.artifact,
            context={"subject": str(task.process.artifact), "step": task.flow_task.name, "reason": reason},
        )
    return task
