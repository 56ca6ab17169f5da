"""Reads of the approvals app: who may act for whom; each person's inbox, queue and archive."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.models import Delegation, User


def delegators_of(user: User, *, on=None) -> list[User]:
    """The people `user` may act for today: active, unrevoked delegations naming them."""
    day = on or timezone.localdate()
    return [
        d.delegator
        for d in Delegation.objects.filter(
            Q(revoked_at__isnull=True), substitute=user, starts_on__lte=day, ends_on__gte=day
        ).select_related("delegator")
    ]


@dataclass
class TaskRow:
    """One line of an inbox, a queue or an archive: the task and what it is about."""

    task: Task
    stage: str
    title: str
    subject: object  # the Amendment or Revision
    committee: object | None
    delegated_by: User | None = None
    due_on: object | None = None


def _stages():
    from workflows.flows import AmendmentFlow, RevisionFlow

    stages = {}
    for flow_class in (AmendmentFlow, RevisionFlow):
        for node in flow_class.instance.nodes():
            if node.task_type == "HUMAN":
                stages[node.name] = node
    return stages


def _rows(tasks, holders: dict[int, User | None]) -> list[TaskRow]:
    """Attach subjects with one query per kind of subject, whatever the number of tasks."""
    from plan.models import Amendment
    from workflows.models import Revision

    tasks = list(tasks)
    ids: dict[str, set[int]] = {"amendment": set(), "revision": set()}
    for task in tasks:
        ids.setdefault(task.process.artifact_content_type.model, set()).add(task.process.artifact_object_id)
    amendments = Amendment.objects.select_related("committee").in_bulk(ids["amendment"]) if ids["amendment"] else {}
    revisions = Revision.objects.in_bulk(ids["revision"]) if ids["revision"] else {}
    rows = []
    for task in tasks:
        kind = task.process.artifact_content_type.model
        subject = (amendments if kind == "amendment" else revisions).get(task.process.artifact_object_id)
        rows.append(
            TaskRow(
                task=task,
                stage=task.flow_task.name,
                title=str(task.flow_task.task_title or task.flow_task.name),
                subject=subject,
                committee=getattr(subject, "committee", None),
                delegated_by=holders.get(task.owner_id),
                due_on=getattr(getattr(task, "deadline", None), "due_on", None),
            )
        )
    return rows


def _filtered(queryset, *, committee=None, stage=None, due_before=None):
    from plan.models import Amendment

    if due_before:
        queryset = queryset.filter(deadline__due_on__lte=due_before)
    if stage:
        node = _stages().get(stage)
        queryset = queryset.filter(flow_task=node) if node else queryset.none()
    if committee:
        queryset = queryset.filter(
            process__artifact_content_type__model="amendment",
            process__artifact_object_id__in=Amendment.objects.filter(committee=committee).values("pk"),
        )
    return queryset


def _human_tasks():
    return Task.objects.filter(flow_task_type="HUMAN").select_related(
        "process", "process__artifact_content_type", "owner", "deadline"
    )


def inbox(user: User, *, committee=None, stage=None, due_before=None) -> list[TaskRow]:
    """Tasks assigned to the person, or to someone who delegated to them today."""
    delegators = delegators_of(user)
    holders = {d.pk: d for d in delegators}
    owners = [user.pk, *holders]
    tasks = _filtered(
        _human_tasks().filter(status=STATUS.ASSIGNED, owner_id__in=owners),
        committee=committee,
        stage=stage,
        due_before=due_before,
    ).order_by("created")
    return _rows(tasks, holders)


def _claimable(user: User) -> Q:
    """Unassigned tasks whose permission the person holds, by role or on the task's committee."""
    from guardian.shortcuts import get_objects_for_user

    from plan.models import Committee

    model_perms = user.get_all_permissions()
    condition = Q(owner_permission__in=model_perms)
    committees = get_objects_for_user(
        user, "plan.sign_off_amendment", klass=Committee, accept_global_perms=False, with_superuser=False
    ).values_list("pk", flat=True)
    condition |= Q(
        owner_permission="plan.sign_off_amendment", owner_permission_obj_pk__in=[str(pk) for pk in committees]
    )
    return condition


def queue(user: User, *, committee=None, stage=None, due_before=None) -> list[TaskRow]:
    """Unassigned tasks the person (or someone who delegated to them) may claim."""
    delegators = delegators_of(user)
    condition = _claimable(user)
    for delegator in delegators:
        condition |= _claimable(delegator)
    tasks = _filtered(
        _human_tasks().filter(condition, status=STATUS.NEW), committee=committee, stage=stage, due_before=due_before
    )
    return _rows(tasks.order_by("created"), {})


def archive(user: User, *, committee=None, stage=None, limit: int = 100):
    """Decisions the person took, or that were taken on their behalf, newest first."""
    from approvals.models import Decision

    decisions = (
        Decision.objects.filter(Q(decided_by=user) | Q(on_behalf_of=user))
        .select_related("amendment", "amendment__committee", "revision", "decided_by", "on_behalf_of")
        .order_by("-decided_at")
    )
    if stage:
        decisions = decisions.filter(step=stage)
    if committee:
        decisions = decisions.filter(amendment__committee=committee)
    return list(decisions[:limit])


COUNCIL_PERMISSIONS = (
    "workflows.decide_policy_council",
    "workflows.record_council_vote",
    "workflows.record_conformity",
    "workflows.issue_revision",
)


def amendments_visible_to(user: User):
    """The amendments a person may know exist: their committees' (drafts included), what reached
    the integration working group for its members, what is in a revision for the councils, and
    everything for auditors. Anything else is a 404 in the interface."""
    from guardian.shortcuts import get_objects_for_user

    from plan.models import Amendment, Committee

    if user.has_perm("plan.view_amendment"):
        return Amendment.objects.all()
    people = [user, *delegators_of(user)]
    condition = Q(pk__in=[])
    for person in people:
        committees = get_objects_for_user(
            person,
            ["plan.draft_amendment", "plan.sign_off_amendment"],
            klass=Committee,
            any_perm=True,
            accept_global_perms=False,
        )
        condition |= Q(committee__in=committees)
        if person.has_perm("plan.integrate_amendment"):
            condition |= ~Q(status=Amendment.Status.DRAFT)
        if any(person.has_perm(perm) for perm in COUNCIL_PERMISSIONS):
            condition |= Q(revisions__isnull=False)
    return Amendment.objects.filter(condition).distinct()
