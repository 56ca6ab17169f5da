"""Taking a step safely: the task locked, who may take it and for whom, retries on a
serialization failure, a busy database refused clearly, and the flow advanced after the record."""

from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, transaction
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from approvals.duties import duty_conflict
from core.errors import BaznegarError, NotAllowed
from people.models import User
from people.selectors import delegators_of, holds_step_right
from plan.models import Amendment, Revision


class DecisionRefused(BaznegarError):
    """A decision that cannot be taken: not yours, not open, already decided, or incomplete."""


class StateChanged(DecisionRefused):
    """Refused because what the person read has moved on (decided, claimed, changed by someone
    else): reading it again shows what happened. The API answers it 409, other refusals 422."""


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
            raise StateChanged(_("someone else has just decided this step; reload to see their decision")) from None
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


def _refuse_conflict_of_duty(step: str, subject, *people) -> None:
    reason = duty_conflict(step, subject, people)
    if reason:
        raise NotAllowed(reason)


def _may_decide(task: Task, user: User) -> bool:
    """Role and object rights on a task: its owner, or anyone the step's permission admits."""
    if task.owner_id:
        # a claimed step stays decidable only while the right behind it holds (a seat removed after
        # the claim takes it away); a draft has no right to check, it is the drafter's
        return task.owner_id == user.pk and (not task.owner_permission or holds_step_right(user, task))
    return holds_step_right(user, task)


def _acting_for(task: Task, user: User, on_behalf_of: User | None) -> tuple[User, User | None]:
    """Whose right the decision uses: the person's own, or that of someone who delegated to them
    today, such that the separation of duties allows the two of them to take the step (checked
    here, once). Returns (rights holder, on whose behalf or None)."""
    if on_behalf_of is None:
        # the first holder of the right with whom the separation of duties allows acting
        step, subject, conflict = task.flow_task.name, task.process.artifact, None

        def holders():  # the person first: their delegations are read only when their own right fails
            yield user
            yield from delegators_of(user)

        for holder in holders():
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
    _refuse_conflict_of_duty(task.flow_task.name, task.process.artifact, user, on_behalf_of)
    return on_behalf_of, on_behalf_of


def _set_status(revision: Revision, status: str) -> None:
    revision.status = status
    revision.save(update_fields=["status"])
