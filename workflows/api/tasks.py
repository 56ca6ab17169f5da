"""Tasks and decisions: the inbox and the queues, one task with the text and fingerprint it asks a
decision on, the decision itself, claim and release."""

import base64
import datetime as dt
import json

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Query, Router, Schema, Status
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.selectors import (
    amendments_visible_to,
    inbox_slice,
    may_act_on,
    queue_slice,
    revisions_visible_to,
    workload,
)
from plan.models import Amendment, Revision
from plan.selectors import CommitteeAmbiguous, CommitteeNotFound, committee_named
from workflows.api import errors
from workflows.api.common import idempotent, not_found, plan_of, writing
from workflows.selectors import live_text, task_text
from workflows.services import (
    decide,
    revision_decide,
    task_claim,
    task_release,
)
from workflows.services.revisions import STEP_DETAILS

router = Router(tags=["tasks"])


class TaskOut(Schema):
    id: int
    step: str
    title: str
    subject: str
    subject_kind: str
    subject_id: int
    committee: str | None = None
    due_on: str | None = None
    delegated_by: str | None = None


def _task_rows(rows) -> list[TaskOut]:
    return [
        TaskOut(
            id=row.task.pk,
            step=row.stage,
            title=str(row.title),
            subject=str(row.subject),
            subject_kind=row.subject._meta.model_name,
            subject_id=row.subject.pk,
            committee=row.committee.code if row.committee else None,
            due_on=row.due_on.isoformat() if row.due_on else None,
            delegated_by=row.delegated_by.username if row.delegated_by else None,
        )
        for row in rows
    ]


class TaskListOut(Schema):
    total: int
    next: str | None = None  # pass as `cursor` for the following tasks; None at the end
    results: list[TaskOut]


PER_PAGE = 50


def _cursor_text(key: tuple | None) -> str | None:
    if key is None:
        return None
    due, created, pk = key
    raw = json.dumps([due.isoformat() if due else None, created.isoformat(), pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _cursor_key(text: str | None) -> tuple | None:
    if not text:
        return None
    refused = errors.HttpError(400, _("this cursor is not one this list gave"))
    try:
        if len(text) > 200:
            raise refused
        due, created, pk = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not (isinstance(created, str) and isinstance(pk, int) and (due is None or isinstance(due, str))):
            raise refused
        key = (dt.date.fromisoformat(due) if due else None, dt.datetime.fromisoformat(created), pk)
    except (ValueError, TypeError, OverflowError, RecursionError, json.JSONDecodeError):
        raise refused from None
    if key[1].tzinfo is None or not 0 < pk < 2**63:
        raise refused
    return key


def _task_list(slice_of, request, filters: "TaskFilters") -> TaskListOut:
    committee = None
    if filters.committee:
        try:
            committee = committee_named(
                filters.committee,
                plan=plan_of(filters.plan, request.user) if filters.plan else None,
                user=request.user,
            )
        except CommitteeNotFound as missing:  # several plans have it: say so (422); none has: 404
            status = 422 if isinstance(missing, CommitteeAmbiguous) else 404
            raise errors.HttpError(status, str(missing)) from None
    found = slice_of(
        workload(request.user),
        per_page=max(1, min(filters.per_page, 200)),
        after=_cursor_key(filters.cursor),
        committee=committee,
        stage=filters.step,
        due_before=filters.due_before,
    )
    return TaskListOut(total=found.total, next=_cursor_text(found.next), results=_task_rows(found.rows))


class TaskFilters(Schema):
    """The inbox page's filters, and a cursor."""

    cursor: str | None = None
    per_page: int = PER_PAGE
    step: str | None = None
    committee: str | None = None  # a committee's code (within `plan`), or <plan code>:<code>
    plan: str | None = None
    due_before: dt.date | None = None


@router.get(
    "/inbox",
    response=TaskListOut,
    summary=gettext_noop("The tasks waiting for you, most urgent first, by cursor"),
)
def task_inbox(request, filters: Query[TaskFilters]):
    return _task_list(inbox_slice, request, filters)


@router.get(
    "/queue",
    response=TaskListOut,
    summary=gettext_noop("Your roles' and seats' tasks anyone may take, most urgent first, by cursor"),
)
def task_queue(request, filters: Query[TaskFilters]):
    return _task_list(queue_slice, request, filters)


class TaskTextOut(Schema):
    id: int
    step: str
    open: bool
    subject: str
    fingerprint: str
    entries: list
    files: list


def _visible_task(request, pk: int) -> tuple[Task, object]:
    task = get_object_or_404(Task.objects.select_related("process"), pk=pk, flow_task_type="HUMAN")
    subject = task.process.artifact
    if isinstance(subject, Revision):
        visible = revisions_visible_to(request.user)
    elif isinstance(subject, Amendment):
        visible = amendments_visible_to(request.user)
    else:  # reports of figures and answers to the year's call: on their pages, not in this version
        raise not_found()
    if not visible.filter(pk=subject.pk).exists():
        raise not_found()
    return task, subject


@router.get("/{task_id}", response=TaskTextOut, summary=gettext_noop("A task and the text it decides on"))
def task_detail(request, task_id: int):
    task, subject = _visible_task(request, task_id)
    is_open = task.status in (STATUS.NEW, STATUS.ASSIGNED)
    shown = live_text(subject) if is_open else task_text(task, subject)
    return TaskTextOut(
        id=task.pk,
        step=task.flow_task.name,
        open=is_open,
        subject=str(subject),
        fingerprint=shown.fingerprint,
        entries=shown.entries,
        files=shown.files,
    )


class DetailsIn(Schema):
    """What a step records beside its outcome, as on the step's page: the city council's session
    and vote (and the day the governorate was notified), the amendments a step leaves out or adds,
    the governorate's legal ground, the issuance number. Dates are ISO 8601 (Gregorian)."""

    session_date: dt.date | None = None
    resolution_number: str | None = Field(None, max_length=100)
    present: int | None = Field(None, ge=0, le=1000)
    votes_for: int | None = Field(None, ge=0, le=1000)
    votes_against: int | None = Field(None, ge=0, le=1000)
    abstentions: int | None = Field(None, ge=0, le=1000)
    notified_on: dt.date | None = None
    excluded: list[int] | None = None
    chosen: list[int] | None = None
    added: list[int] | None = None
    legal_ground: str | None = Field(None, max_length=2000)
    issuance_number: str | None = Field(None, max_length=100)

    model_config = {"extra": "forbid"}


class DecisionIn(Schema):
    outcome: str
    reason: str = Field("", max_length=5000)
    fingerprint: str
    details: DetailsIn | None = None

    model_config = {"extra": "forbid"}


class DecisionOut(Schema):
    id: int
    step: str
    outcome: str
    fingerprint: str


def _decide(request, task_id: int, payload: DecisionIn) -> Status:
    task, subject = _visible_task(request, task_id)
    if task.status not in (STATUS.NEW, STATUS.ASSIGNED):  # one who may read it may know that
        raise errors.Conflict(_("this step was already decided"))
    if not may_act_on(request.user, task.pk):
        raise not_found()
    if payload.fingerprint != live_text(subject).fingerprint:
        raise errors.Conflict(_("the text changed since you read it; read the task again before deciding"))
    details = payload.details.dict(exclude_none=True) if payload.details else {}
    allowed = STEP_DETAILS.get(task.flow_task.name, set()) if isinstance(subject, Revision) else set()
    if set(details) - allowed:
        raise errors.HttpError(
            422,
            _("this step does not take: %(names)s") % {"names": ", ".join(sorted(set(details) - allowed))},
        )
    common = {"task": task, "acting_user": request.user, "outcome": payload.outcome, "reason": payload.reason}
    if isinstance(subject, Revision):
        decision = revision_decide(**common, fingerprint=payload.fingerprint, **details)
    else:
        decision = decide(**common, fingerprint=payload.fingerprint)
    out = DecisionOut(
        id=decision.pk, step=decision.step, outcome=decision.outcome, fingerprint=decision.diff_fingerprint
    )
    return Status(201, out)


@router.post(
    "/{task_id}/decision",
    response={201: DecisionOut},
    summary=gettext_noop("Decide a task, on the fingerprint of the text you were shown"),
    description="Send an `Idempotency-Key` header: a retry with the same key and body gets the first answer.",
)
@idempotent(201)
def task_decide(request, task_id: int, payload: DecisionIn):
    writing(request)
    return _decide(request, task_id, payload)


class ClaimOut(Schema):
    id: int
    assigned_to: str | None = None


def _claimable(request, task_id: int) -> Task:
    task = get_object_or_404(Task.objects.select_related("process"), pk=task_id, flow_task_type="HUMAN")
    if not may_act_on(request.user, task.pk):
        raise not_found()
    return task


@router.post("/{task_id}/claim", response=ClaimOut, summary=gettext_noop("Take a task from a queue"))
@idempotent()
def task_claim_api(request, task_id: int):
    writing(request)
    task = task_claim(task=_claimable(request, task_id), acting_user=request.user)
    return ClaimOut(id=task.pk, assigned_to=task.owner.username if task.owner_id else None)


@router.post("/{task_id}/release", response=ClaimOut, summary=gettext_noop("Put a claimed task back"))
@idempotent()
def task_release_api(request, task_id: int):
    writing(request)
    task = task_release(task=_claimable(request, task_id), acting_user=request.user)
    return ClaimOut(id=task.pk, assigned_to=task.owner.username if task.owner_id else None)
