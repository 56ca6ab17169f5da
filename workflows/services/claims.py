"""Claiming a task from a queue, giving it back, and an administrator's reassignment."""

from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.duties import duty_conflict
from audit import chain
from audit.services import audit_record
from core.errors import NotAllowed
from notifications.services import notify
from people.models import User
from people.selectors import delegators_of, holds_step_right
from workflows.selectors import (
    OPEN,
)
from workflows.services.steps import DecisionRefused, StateChanged, _acting_for, _refuse_conflict_of_duty


@transaction.atomic
def task_claim(*, task: Task, acting_user: User) -> Task:
    """Take an unassigned task from the queue: it moves to the person's inbox (or, for a
    substitute without the right of their own, to the inbox of the person they act for)."""
    with task.flow_task.flow_class.lock(task.process_id):
        task.refresh_from_db()
        if task.status != STATUS.NEW:
            raise StateChanged(_("someone has already claimed this task"))
        holder, _behalf = _acting_for(task, acting_user, None)  # with the separation of duties
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
            raise StateChanged(_("only a task that waits for someone can be reassigned"))
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
