"""Reads of the approvals app: the steps of the flows, each person's inbox, queue and archive,
who is told of a task, what a person may see, and the audit trail as auditors read it."""

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F, Q
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user, get_users_with_perms
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.duties import DRAFTER, PACKAGE, SEPARATION_OF_DUTIES, duty_conflict
from approvals.models import Decision
from approvals.steps import human_nodes
from audit.models import AuditEvent
from people.models import Membership, User
from people.selectors import delegators_of, explicit_permissions
from plan import diff as plan_diff
from plan.changesets import ChangesetInvalid
from plan.models import Amendment, Committee, IssuedVersion, Revision
from plan.selectors import amendment_preview, diff_display, item_history


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


def _claimable(user: User) -> Q:
    """Unassigned tasks whose permission the person holds, by role or on the task's committee."""
    model_perms = explicit_permissions(user)
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
    return Workload(
        inbox=_human_tasks()
        .filter(status=STATUS.ASSIGNED, owner_id__in=[user.pk, *holders])
        .exclude(_own_work([user.pk]))
        .exclude(~Q(owner_id=user.pk) & _own_work([user.pk, *holders])),
        holders=holders,
        queue=_human_tasks().filter(condition, status=STATUS.NEW),
    )


def _own_work(people: list[int]) -> Q:
    """Tasks these people may not claim under the separation of duties (approvals.duties): the
    sign-off or integration of an amendment one of them drafted, any step of a revision holding one."""
    stages = _stages()
    drafted = Amendment.objects.filter(drafted_by_id__in=people).values("pk")
    amendment_steps = [stages[s] for s, rule in SEPARATION_OF_DUTIES.items() if rule == DRAFTER and s in stages]
    revision_steps = [stages[s] for s, rule in SEPARATION_OF_DUTIES.items() if rule == PACKAGE and s in stages]
    return Q(
        flow_task__in=amendment_steps,
        process__artifact_content_type__model="amendment",
        process__artifact_object_id__in=drafted,
    ) | Q(
        flow_task__in=revision_steps,
        process__artifact_content_type__model="revision",
        process__artifact_object_id__in=Revision.objects.filter(amendments__in=drafted).values("pk"),
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
            with_superuser=False,  # a superuser delegator's blanket rights are not passed on
        )
        condition |= Q(committee__in=committees)
        rights = explicit_permissions(person)  # roles only: a delegator's blanket read is not passed on
        if "plan.integrate_amendment" in rights:
            # once submitted: a draft withdrawn before it ever left its committee stays the committee's
            condition |= Q(decisions__outcome="submit")
        if any(perm in rights for perm in COUNCIL_PERMISSIONS):
            condition |= Q(revisions__isnull=False)
    return Amendment.objects.filter(condition).distinct()


def revisions_visible_to(user: User):
    """The revisions a person may know exist: all of them for the revision path's roles (the
    integration working group, the councils' secretariats, the governorate, the planning office)
    and for auditors; none for anyone else, since a revision shows every committee's amendments."""
    if user.has_perm("plan.view_revision"):  # auditors (and superusers) read every revision
        return Revision.objects.all()
    for person in (user, *delegators_of(user)):  # a substitute sees what they may act on
        rights = explicit_permissions(person)  # roles only: a delegator's blanket read is not passed on
        if "plan.integrate_amendment" in rights or any(p in rights for p in COUNCIL_PERMISSIONS):
            return Revision.objects.all()
    return Revision.objects.none()


def task_candidates(task) -> list:
    """Who may act on a task: its owner, else everyone its permission admits (by role or on its object)."""
    if task.owner_id:
        return [task.owner]
    if not task.owner_permission:
        return []
    app_label, codename = task.owner_permission.split(".", 1)
    by_role = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
    by_user = Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    people = list(User.objects.filter(by_role | by_user, is_active=True).distinct())
    target = task.owner_permission_obj
    if target is not None:
        people += [
            person
            for person in get_users_with_perms(target, only_with_perms_in=[codename], with_group_users=True)
            if person.is_active
        ]
    subject = task.process.artifact
    return [p for p in people if duty_conflict(task.flow_task.name, subject, [p]) is None]


def committee_amendments(user: User, *, limit: int = 20):
    """The amendments of the committees a person sits on that are still moving (drafts included)."""
    # the committees first, so the newest amendments come off the (committee, updated_at) index
    committees = list(Membership.objects.filter(user=user).values_list("committee_id", flat=True))
    return (
        Amendment.objects.filter(committee_id__in=committees)
        .exclude(status__in=[Amendment.Status.ISSUED, Amendment.Status.REJECTED, Amendment.Status.WITHDRAWN])
        .select_related("committee", "drafted_by")
        .order_by("-updated_at")[:limit]
    )


AUDIT_PAGE_SIZE = 50


AUDIT_COUNT_CAP = 10_000


# Outcomes by which a person puts their name to the text in front of them.
SIGNING_OUTCOMES = {
    "submit",
    "approve",
    "approve_partial",
    "confirm",
    "confirm_by_silence",
    "amend",
    "insist",
    "upheld",
    "issue",
}


EDIT_ACTIONS = {"plan.amendment.edit"}


@dataclass(frozen=True)
class AuditQuery:
    """What an auditor asked for; every part is optional."""

    plan: int | None = None
    revision: int | None = None
    amendment: int | None = None
    committee: int | None = None
    person: User | None = None
    action: str | None = None
    date_from: object | None = None  # dates, inclusive, in the local (Tehran) day
    date_to: object | None = None


@dataclass
class AuditPage:
    events: list
    newer: int | None  # the id to pass as `after` for the newer page, if there is one
    older: int | None  # the id to pass as `before` for the older page, if there is one
    count: int
    count_capped: bool


def _day_start(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_events(query: AuditQuery):
    """The events matching a query, newest first; each filter is served by an index on (column, id)."""
    events = AuditEvent.objects.all()
    for key in ("plan", "revision", "amendment", "committee"):
        value = getattr(query, key)
        if value is not None:
            events = events.filter(**{f"scope_{key}": value})
    if query.person is not None:
        events = events.filter(Q(actor=query.person) | Q(on_behalf_of=query.person))
    if query.action:
        events = events.filter(action=query.action)
    # Events are appended in time order under the chain's lock, so a date range is also a range of
    # ids: its two ends are found on the occurred_at index, and the page then walks the primary key
    # (a month in the middle of a million events is read from where it is, not from the newest).
    by_time = AuditEvent.objects.order_by()
    if query.date_from:
        start = _day_start(query.date_from)
        first = by_time.filter(occurred_at__gte=start).order_by("occurred_at").values_list("id", flat=True).first()
        events = events.filter(occurred_at__gte=start, id__gte=first if first is not None else 0)
        if first is None:
            events = events.none()
    if query.date_to:
        end = _day_start(query.date_to + dt.timedelta(days=1))
        last = by_time.filter(occurred_at__lt=end).order_by("-occurred_at").values_list("id", flat=True).first()
        events = events.filter(occurred_at__lt=end, id__lte=last if last is not None else 0)
        if last is None:
            events = events.none()
    return events.order_by("-id")


def audit_events_page(
    query: AuditQuery, *, before: int | None = None, after: int | None = None, size: int | None = None
) -> AuditPage:
    """One page of events by keyset (ids), so the thousandth page costs what the first does."""
    size = size or AUDIT_PAGE_SIZE
    events = audit_events(query)
    if after is not None:
        rows = list(events.filter(id__gt=after).order_by("id")[: size + 1])
        has_more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_older = True
        has_newer = has_more_newer
    else:
        window = events.filter(id__lt=before) if before is not None else events
        rows = list(window[: size + 1])
        has_older = len(rows) > size
        rows = rows[:size]
        has_newer = before is not None
    count = events.order_by()[: AUDIT_COUNT_CAP + 1].count()
    return AuditPage(
        events=rows,
        newer=rows[0].pk if rows and has_newer else None,
        older=rows[-1].pk if rows and has_older else None,
        count=min(count, AUDIT_COUNT_CAP),
        count_capped=count > AUDIT_COUNT_CAP,
    )


@dataclass
class TimelineEntry:
    """One event in a timeline, with the decision it recorded and what was signed."""

    event: object
    decision: object | None = None
    diff: list | None = None  # the entries decided on, labelled for display
    fingerprint: str = ""
    diff_verified: bool | None = None  # the stored diff hashes to the fingerprint the chain holds
    is_signature: bool = False
    changed_after: "TimelineEntry | None" = None  # this event changed text someone had signed
    superseded_by: "TimelineEntry | None" = None  # this signature no longer covers the text
    subject: str = ""  # "amendment" or "revision"

    @property
    def reason(self) -> str:
        return (self.event.data or {}).get("reason", "")

    @property
    def outcome(self) -> str:
        return (self.event.data or {}).get("outcome", "")


def _subject_key(event) -> str | None:
    if event.object_type == "plan.amendment":
        return f"amendment:{event.object_id}"
    if event.object_type == "plan.revision":
        return f"revision:{event.object_id}"
    return None


def _timeline(events) -> list[TimelineEntry]:
    """Entries in chain order, decisions attached, and every change of signed text marked."""
    events = list(events)
    decision_ids = [e.data.get("decision") for e in events if isinstance(e.data, dict) and e.data.get("decision")]
    decisions = Decision.objects.select_related("decided_by", "on_behalf_of").in_bulk(decision_ids)
    entries, signed = [], {}
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        entry = TimelineEntry(event=event, fingerprint=data.get("fingerprint", ""))
        key = _subject_key(event)
        entry.subject = key.split(":")[0] if key else ""
        decision = decisions.get(data.get("decision"))
        if decision is not None:
            entry.decision = decision
            entry.diff = diff_display(decision.diff or [])
            stored = plan_diff.fingerprint(decision.diff or [])
            entry.diff_verified = stored == decision.diff_fingerprint == entry.fingerprint
            entry.is_signature = decision.outcome in SIGNING_OUTCOMES
        previous = signed.get(key)
        text_changed = bool(
            previous is not None
            and (event.action in EDIT_ACTIONS or entry.decision is not None)
            and entry.fingerprint != previous.fingerprint
        )
        if text_changed:
            entry.changed_after = previous
            previous.superseded_by = entry
            signed.pop(key)
        if entry.is_signature and key:
            signed[key] = entry
        entries.append(entry)
    return entries


def amendment_timeline(amendment) -> list[TimelineEntry]:
    """Everything recorded about an amendment, and about the revisions that carried it."""
    revision_ids = list(amendment.revisions.values_list("pk", flat=True))
    events = AuditEvent.objects.filter(Q(scope_amendment=amendment.pk) | Q(scope_revision__in=revision_ids))
    return _timeline(events.order_by("id"))


def revision_timeline(revision) -> list[TimelineEntry]:
    """Everything recorded about a revision, its amendments, and the version it issued."""
    amendment_ids = list(revision.amendments.values_list("pk", flat=True))
    condition = Q(scope_revision=revision.pk) | Q(scope_amendment__in=amendment_ids)
    if revision.issued_version_id:
        condition |= Q(object_type="plan.issuedversion", object_id=str(revision.issued_version_id))
    return _timeline(AuditEvent.objects.filter(condition).order_by("id"))


def signed_text_drift(amendment, timeline: list[TimelineEntry]) -> bool:
    """True when the amendment's text now differs from its last signature and no recorded edit
    explains it: a change made outside the product."""
    last = next((e for e in reversed(timeline) if e.subject == "amendment" and e.is_signature), None)
    if last is None or last.superseded_by is not None:
        return False
    try:
        return amendment_preview(amendment).fingerprint != last.fingerprint
    except ChangesetInvalid:
        return True


@dataclass
class ItemChange:
    """One version in which an item changed: what changed, and who put it there."""

    version: object
    entries: list  # the diff from the previous state (labelled): one entry, or none for the first version
    state: dict
    amendments: list
    through_cascade: bool
    decisions: list
    revision: object | None


def item_audit_history(plan, code: str) -> list[ItemChange]:
    """Every version in which the item changed, newest first, with the amendments and decisions behind it."""
    states = item_history(plan, code)
    if not states:
        return []
    numbers = {s["valid_from"] for s in states} | {s["valid_to"] for s in states if s["valid_to"]}
    versions = {
        v.number: v
        for v in IssuedVersion.objects.filter(plan=plan, number__in=numbers).select_related("issued_by", "revision")
    }
    version_ids = [v.pk for v in versions.values()]
    amendments = list(
        Amendment.objects.filter(issued_in__in=version_ids).select_related("drafted_by", "committee", "issued_in")
    )
    touching = set(
        Amendment.objects.filter(pk__in=[a.pk for a in amendments], operations__code=code).values_list("pk", flat=True)
    )
    revision_ids = [v.revision.pk for v in versions.values() if hasattr(v, "revision")]
    decisions = list(
        Decision.objects.filter(Q(amendment__in=amendments) | Q(revision__in=revision_ids))
        .select_related("decided_by", "on_behalf_of")
        .order_by("decided_at", "pk")
    )
    changes = []
    previous = None
    points = []
    for state in states:
        points.append((state["valid_from"], state["item"]))
        if state["valid_to"]:
            points.append((state["valid_to"], None))
    # the item's state at each version where something happened to it (None: retired)
    timeline: dict[int, dict | None] = {}
    for number, item in sorted(points, key=lambda p: (p[0], p[1] is not None)):
        timeline[number] = item
    for number in sorted(timeline):
        item = timeline[number]
        version = versions.get(number)
        in_version = [a for a in amendments if a.issued_in_id == getattr(version, "pk", None)]
        direct = [a for a in in_version if a.pk in touching]
        revision = getattr(version, "revision", None) if version is not None else None
        chosen = direct or in_version
        chosen_ids = {a.pk for a in chosen}
        # version 1 is the imported plan: the item's first state there is where it began, not a change
        entry = plan_diff.diff_item(previous, item) if previous is not None or number > 1 else None
        changes.append(
            ItemChange(
                version=version,
                entries=diff_display([entry]) if entry else [],
                state=item or previous or {},
                amendments=chosen,
                through_cascade=bool(in_version) and not direct,
                decisions=[
                    d
                    for d in decisions
                    if d.amendment_id in chosen_ids or (revision is not None and d.revision_id == revision.pk)
                ],
                revision=revision,
            )
        )
        previous = item
    return list(reversed(changes))
