"""Who may act on a task, and what waits for a person: the steps of the flows, inboxes, queues,
pages of them, the archive of decisions, and who is told a task waits."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F, Q
from guardian.shortcuts import get_users_with_perms
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.duties import DRAFTER, ENTERED, PACKAGE, SEPARATION_OF_DUTIES, duty_excluded, duty_excluding
from approvals.models import Decision
from approvals.selectors.visibility import seat_committee_ids
from approvals.steps import human_nodes
from people.models import User
from people.selectors import (
    cities_of,
    delegators_of,
    explicit_permissions,
    role_cities,
    subject_city,
    working_in,
    working_there,
)
from plan.models import ActualReport, Amendment, CallAnswer, Plan, Revision


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
    return human_nodes()


def _rows(tasks, holders: dict[int, User | None]) -> list[TaskRow]:
    """Attach subjects with one query per kind of subject, whatever the number of tasks."""
    tasks = list(tasks)
    ids: dict[str, set[int]] = {"amendment": set(), "revision": set(), "actualreport": set(), "callanswer": set()}
    for task in tasks:
        ids.setdefault(task.process.artifact_content_type.model, set()).add(task.process.artifact_object_id)
    kinds = {
        "amendment": Amendment.objects.select_related("committee"),
        "revision": Revision.objects.all(),
        "actualreport": ActualReport.objects.select_related("committee"),
        "callanswer": CallAnswer.objects.select_related("committee", "call"),
    }
    subjects = {kind: (kinds[kind].in_bulk(ids[kind]) if ids[kind] else {}) for kind in kinds}
    rows = []
    for task in tasks:
        kind = task.process.artifact_content_type.model
        subject = subjects.get(kind, {}).get(task.process.artifact_object_id)
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
    if due_before:
        queryset = queryset.filter(deadline__due_on__lte=due_before)
    if stage:
        node = _stages().get(stage)
        queryset = queryset.filter(flow_task=node) if node else queryset.none()
    if committee:  # a committee's amendments, its reports of figures and its answers to the year's call
        queryset = queryset.filter(
            Q(
                process__artifact_content_type__model="amendment",
                process__artifact_object_id__in=Amendment.objects.filter(committee=committee).values("pk"),
            )
            | Q(
                process__artifact_content_type__model="actualreport",
                process__artifact_object_id__in=ActualReport.objects.filter(committee=committee).values("pk"),
            )
            | Q(
                process__artifact_content_type__model="callanswer",
                process__artifact_object_id__in=CallAnswer.objects.filter(committee=committee).values("pk"),
            )
        )
    return queryset


def _human_tasks():
    # not the owner: a row needs only its id, and joining people made PostgreSQL, which expects one
    # queued task where a chair has hundreds, scan every person for every task (490 ms at 5,000)
    return Task.objects.filter(flow_task_type="HUMAN").select_related(
        "process", "process__artifact_content_type", "deadline"
    )


def inbox(user: User, *, committee=None, stage=None, due_before=None) -> list[TaskRow]:
    """Tasks assigned to the person, or to someone who delegated to them today."""
    work = workload(user)
    tasks = _filtered(work.inbox, committee=committee, stage=stage, due_before=due_before)
    return _rows(tasks.order_by("created"), work.holders)


def _in_cities(cities) -> Q:
    """Tasks whose subject belongs to one of these municipalities."""
    plans = Plan.objects.filter(municipality__in=cities).values("pk")
    subjects = {
        "amendment": Amendment.objects.filter(plan__in=plans),
        "revision": Revision.objects.filter(plan__in=plans),
        "actualreport": ActualReport.objects.filter(plan__in=plans),
        "callanswer": CallAnswer.objects.filter(call__plan__in=plans),
    }
    condition = Q(pk__in=[])
    for model, found in subjects.items():
        condition |= Q(process__artifact_content_type__model=model, process__artifact_object_id__in=found.values("pk"))
    return condition


def _claimable(user: User) -> Q:
    """Unassigned tasks whose permission the person holds, by role (in the cities they work in) or
    on the task's committee."""
    model_perms = explicit_permissions(user)
    condition = Q(owner_permission__in=model_perms)
    cities = role_cities(user)  # a role's steps: where their roles apply
    if cities is not None:
        condition &= _in_cities(cities)
    # a committee's steps: its chairs' sign-offs and confirmations, its members' answer to the year's call
    for permission in ("plan.sign_off_amendment", "plan.draft_amendment"):
        committees = sorted(seat_committee_ids(user, permission))
        condition |= Q(owner_permission=permission, owner_permission_obj_pk__in=[str(pk) for pk in committees])
    return condition


def queue(user: User, *, committee=None, stage=None, due_before=None) -> list[TaskRow]:
    """Unassigned tasks the person (or someone who delegated to them) may claim."""
    tasks = _filtered(workload(user).queue, committee=committee, stage=stage, due_before=due_before)
    return _rows(tasks.order_by("created"), {})


@dataclass
class TaskPage:
    """One page of an inbox or a queue, most urgent first, and how many there are in all."""

    rows: list[TaskRow]
    page: object  # django.core.paginator.Page: number, has_next(), next_page_number() …
    total: int


@dataclass
class Workload:
    """What waits for a person, as queries: their inbox (and whose rights each task is held by)
    and the queues they may claim from. Built once a request; the pages below read from it."""

    inbox: object
    holders: dict
    queue: object


URGENT_FIRST = (F("deadline__due_on").asc(nulls_last=True), "created", "pk")


def workload(user: User) -> Workload:
    delegators = delegators_of(user)
    holders = {d.pk: d for d in delegators}
    # what the person may claim on their own right, and on each delegator's, less what the
    # separation of duties forbids: their own amendments' steps, and those of whom they act for
    condition = _claimable(user) & ~_own_work([user.pk])
    for delegator in delegators:
        condition |= _claimable(delegator) & ~_own_work([user.pk, delegator.pk])
    inbox = _human_tasks().filter(status=STATUS.ASSIGNED, owner_id__in=[user.pk, *holders])
    queue = _human_tasks().filter(condition, status=STATUS.NEW)
    cities = cities_of(user)
    if cities is not None:  # another city's work (left assigned to them, or a delegator's) is not theirs to see
        inbox = inbox.filter(_in_cities(cities))
        queue = queue.filter(_in_cities(cities))
    return Workload(
        inbox=inbox.exclude(_own_work([user.pk])).exclude(~Q(owner_id=user.pk) & _own_work([user.pk, *holders])),
        holders=holders,
        queue=queue,
    )


def _own_work(people: list[int]) -> Q:
    """Tasks these people may not claim under the separation of duties (approvals.duties): the
    sign-off or integration of an amendment one of them drafted, any step of a revision holding one,
    the confirmation of figures one of them entered."""
    stages = _stages()
    drafted = Amendment.objects.filter(drafted_by_id__in=people).values("pk")
    amendment_steps = [stages[s] for s, rule in SEPARATION_OF_DUTIES.items() if rule == DRAFTER and s in stages]
    revision_steps = [stages[s] for s, rule in SEPARATION_OF_DUTIES.items() if rule == PACKAGE and s in stages]
    report_steps = [stages[s] for s, rule in SEPARATION_OF_DUTIES.items() if rule == ENTERED and s in stages]
    return (
        Q(
            flow_task__in=report_steps,
            process__artifact_content_type__model="actualreport",
            process__artifact_object_id__in=ActualReport.objects.filter(entered_by_id__in=people).values("pk"),
        )
        | Q(
            flow_task__in=amendment_steps,
            process__artifact_content_type__model="amendment",
            process__artifact_object_id__in=drafted,
        )
        | Q(
            flow_task__in=revision_steps,
            process__artifact_content_type__model="revision",
            process__artifact_object_id__in=Revision.objects.filter(amendments__in=drafted).values("pk"),
        )
    )


def _page(tasks, holders: dict, number, per_page: int) -> TaskPage:
    """Sort and cut the page on the tasks and their deadlines alone, then read the page's rows
    with what they show (a queue of thousands is never joined to its processes)."""
    paginator = Paginator(tasks.order_by(*URGENT_FIRST).values_list("pk", flat=True), per_page)
    page = paginator.get_page(number)
    ids = list(page.object_list) if paginator.count else []
    found = _human_tasks().in_bulk(ids)
    return TaskPage(rows=_rows([found[pk] for pk in ids if pk in found], holders), page=page, total=paginator.count)


def inbox_page(work: Workload, *, per_page: int, number=1, **filters) -> TaskPage:
    """A page of the person's inbox: its cost follows the page, not the inbox."""
    return _page(_filtered(work.inbox, **filters), work.holders, number, per_page)


def queue_page(work: Workload, *, per_page: int, number=1, **filters) -> TaskPage:
    """A page of the queues the person may claim from."""
    return _page(_filtered(work.queue, **filters), {}, number, per_page)


@dataclass
class TaskSlice:
    """Tasks after a keyset cursor, most urgent first; `next` is the cursor after the last (None at
    the end). A cursor is (due date or None, created, id): the sort key of URGENT_FIRST."""

    rows: list[TaskRow]
    next: tuple | None
    total: int


def _after(tasks, cursor: tuple):
    due, created, pk = cursor
    later = Q(created__gt=created) | Q(created=created, pk__gt=pk)
    if due is None:  # nulls sort last: only undated tasks come after an undated one
        return tasks.filter(Q(deadline__due_on__isnull=True) & later)
    return tasks.filter(
        Q(deadline__due_on__gt=due) | Q(deadline__due_on__isnull=True) | (Q(deadline__due_on=due) & later)
    )


def _slice(tasks, holders: dict, after: tuple | None, per_page: int) -> TaskSlice:
    """As _page, but by keyset: a page deep in a long list costs what the first does, and a task
    decided meanwhile neither hides another nor shows one twice."""
    total = tasks.count()
    chosen = _after(tasks, after) if after else tasks
    keys = list(chosen.order_by(*URGENT_FIRST).values_list("pk", "deadline__due_on", "created")[: per_page + 1])
    more = len(keys) > per_page
    keys = keys[:per_page]
    found = _human_tasks().in_bulk([pk for pk, _due, _created in keys])
    rows = _rows([found[pk] for pk, _due, _created in keys if pk in found], holders)
    last = keys[-1] if keys else None
    return TaskSlice(rows=rows, next=(last[1], last[2], last[0]) if more and last else None, total=total)


def inbox_slice(work: Workload, *, per_page: int, after: tuple | None = None, **filters) -> TaskSlice:
    return _slice(_filtered(work.inbox, **filters), work.holders, after, per_page)


def queue_slice(work: Workload, *, per_page: int, after: tuple | None = None, **filters) -> TaskSlice:
    return _slice(_filtered(work.queue, **filters), {}, after, per_page)


def overdue_page(work: Workload, *, today, per_page: int = 10) -> TaskPage:
    """The most overdue of what waits for the person, in their inbox or their queues."""
    late = work.inbox.filter(deadline__due_on__lt=today) | work.queue.filter(deadline__due_on__lt=today)
    return _page(late, work.holders, 1, per_page)


def may_act_on(user: User, task_pk: int) -> bool:
    """Whether the task is in the person's inbox or in a queue they may claim from."""
    work = workload(user)
    return work.inbox.filter(pk=task_pk).exists() or work.queue.filter(pk=task_pk).exists()


def archive(user: User, *, committee=None, stage=None, limit: int = 100):
    """Decisions the person took, or that were taken on their behalf, newest first."""
    decisions = (
        Decision.objects.filter(Q(decided_by=user) | Q(on_behalf_of=user))
        .select_related("amendment", "amendment__committee", "revision", "decided_by", "on_behalf_of")
        .defer("diff")  # the text decided on is kept whole with each decision; a list does not need it
        .order_by("-decided_at")
    )
    if stage:
        decisions = decisions.filter(step=stage)
    if committee:
        decisions = decisions.filter(amendment__committee=committee)
    return list(decisions[:limit])


def task_candidates(task, *, separate_duties: bool = True) -> list:
    """Who may act on a task: its owner, else everyone its permission admits (by role or on its
    object), less whom the separation of duties keeps from this task's subject (unless told not to:
    a list shared by many subjects is read once, and each subject's exclusions applied to it)."""
    if task.owner_id:
        return [task.owner]
    if not task.owner_permission:
        return []
    app_label, codename = task.owner_permission.split(".", 1)
    step, subject = task.flow_task.name, task.process.artifact
    city = subject_city(subject)
    by_role = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
    by_user = Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    holders = User.objects.filter(by_role | by_user, is_active=True)
    target = task.owner_permission_obj
    if target is None:
        # a role's step: those whose roles apply in the subject's city, less whom the separation of
        # duties keeps from it, in one statement
        working = holders.filter(working_there(city, by_role=True))
        if separate_duties:
            working = working.exclude(duty_excluding(step, subject))
        return list(working.distinct())
    people = list(holders.distinct())
    people += [
        person
        for person in get_users_with_perms(target, only_with_perms_in=[codename], with_group_users=True)
        if person.is_active
    ]
    unique = list({person.pk: person for person in people}.values())
    if unique:  # only the people who work in the subject's city (a seat there counts)
        working = working_in(unique, city)
        unique = [person for person in unique if person.pk in working]
    excluded = duty_excluded(step, subject, unique) if separate_duties else set()
    return [person for person in unique if person.pk not in excluded]
