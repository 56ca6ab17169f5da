"""API v1: the plan (versions, a version's items with an ETag, one item), the person's tasks (the
inbox, one task with the text and fingerprint it asks a decision on) and decisions (with the
fingerprint the caller was shown, idempotent by `Idempotency-Key`)."""

import datetime as dt
import hashlib
import json

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema, Status
from ninja.security import HttpBearer, django_auth
from ninja.throttling import AuthRateThrottle
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.selectors import (
    AuditQuery,
    amendments_visible_to,
    audit_events_page,
    inbox_page,
    may_act_on,
    queue_page,
    revisions_visible_to,
    workload,
)
from audit import chain
from audit.models import AuditEvent
from audit.selectors import inclusion_proof
from core.errors import NotAllowed
from notifications.events import render as render_notification
from notifications.selectors import notifications_for
from notifications.services import notification_mark_read
from people.middleware import speak_to
from people.models import AccessToken
from people.tokens import token_authenticate
from plan.changesets import ChangesetInvalid
from plan.models import Amendment, Committee, IssuedVersion, Plan, Revision
from plan.selectors import amendment_operations, version_in_force, version_state
from plan.services import amendment_operations_set
from workflows.api import errors
from workflows.models import IdempotentRequest
from workflows.selectors import live_text, open_task, revision_legal_basis, revision_open_task, task_text
from workflows.services import (
    amendment_draft_start,
    amendment_withdraw,
    decide,
    revision_decide,
    task_claim,
    task_release,
)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer bzn_…`: a personal access token (people.tokens)."""

    def authenticate(self, request, token):
        found = token_authenticate(token)
        if found is not None:
            request.user = found.user
            speak_to(request, found.user)
        return found


api = NinjaAPI(
    title="Baznegar API",
    version="1",
    description=(
        "The plan, tasks and decisions of Baznegar, with the same rules as its pages. "
        "API بازنگر: برنامه، کارها و تصمیم‌ها، با همان قواعد صفحه‌ها."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    throttle=[AuthRateThrottle("600/m")],
)
errors.install(api)


@api.exception_handler(NotAllowed)
def not_allowed(request, exc):  # before ValidationError in its MRO: a refusal of who asks is a 403
    return errors.problem(403, "; ".join(exc.messages))


def _writing(request) -> None:
    """A write needs a token with the write scope (or the signed-in browser session)."""
    token = request.auth if isinstance(request.auth, AccessToken) else None
    if token is not None and token.scope != AccessToken.Scope.WRITE:
        raise NotAllowed(_("this token may only read"))


def _plan(code: str | None) -> Plan:
    plans = Plan.objects.filter(code=code) if code else Plan.objects.order_by("pk")
    return get_object_or_404(plans[:1])


# ---------------------------------------------------------------------------------------------
# The plan


class VersionOut(Schema):
    number: int
    issuance_number: str
    issued_at: str
    fingerprint: str
    in_force: bool


@api.get("/plan/versions", response=list[VersionOut], tags=["plan"], summary="The plan's issued versions")
def versions(request, plan: str | None = None):
    the_plan = _plan(plan)
    in_force = version_in_force(the_plan)
    return [
        VersionOut(
            number=v.number,
            issuance_number=v.issuance_number,
            issued_at=v.issued_at.isoformat(),
            fingerprint=v.fingerprint,
            in_force=in_force is not None and v.pk == in_force.pk,
        )
        for v in the_plan.versions.order_by("number")
    ]


class ItemOut(Schema):
    code: str
    kind: str
    name_fa: str
    name_en: str = ""
    parent: str | None = None
    committee: str | None = None
    fields: dict


def _item(item: dict) -> ItemOut:
    named = {"code", "kind", "name_fa", "name_en", "parent", "committee"}
    return ItemOut(
        code=item["code"],
        kind=item["kind"],
        name_fa=item.get("name_fa", ""),
        name_en=item.get("name_en", "") or "",
        parent=item.get("parent") or None,
        committee=item.get("committee") or None,
        fields={k: v for k, v in item.items() if k not in named},
    )


@api.get(
    "/plan/versions/{number}/items",
    response={200: list[ItemOut], 304: None},
    tags=["plan"],
    summary="Every item of an issued version (immutable: an ETag, and 304 when unchanged)",
)
def version_items(request, number: int, plan: str | None = None, kind: str | None = None):
    version = get_object_or_404(IssuedVersion, plan=_plan(plan), number=number)
    etag = f'"{version.fingerprint}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
        response["ETag"] = etag
        return response
    items = [i for i in version_state(version).values() if kind is None or i["kind"] == kind]
    body = [_item(i).dict() for i in sorted(items, key=lambda i: i["code"])]
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=3600"
    return response


@api.get("/plan/items/{code}", response=ItemOut, tags=["plan"], summary="One item, in force or in a version")
def item(request, code: str, plan: str | None = None, version: int | None = None):
    the_plan = _plan(plan)
    chosen = get_object_or_404(IssuedVersion, plan=the_plan, number=version) if version else version_in_force(the_plan)
    state = version_state(chosen) if chosen is not None else {}
    if code not in state:
        raise errors.HttpError(404, _("There is no such item in this version."))
    return _item(state[code])


# ---------------------------------------------------------------------------------------------
# Tasks and decisions


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
    page: int
    pages: int
    results: list[TaskOut]


PER_PAGE = 50


def _task_page(page_of, request, page: int, per_page: int) -> TaskListOut:
    per_page = max(1, min(per_page, 200))
    found = page_of(workload(request.user), number=max(page, 1), per_page=per_page)
    return TaskListOut(
        total=found.total,
        page=found.page.number,
        pages=found.page.paginator.num_pages,
        results=_task_rows(found.rows),
    )


@api.get(
    "/tasks/inbox",
    response=TaskListOut,
    tags=["tasks"],
    summary="The tasks waiting for you, most urgent first (paged as the page is)",
)
def task_inbox(request, page: int = 1, per_page: int = PER_PAGE):
    return _task_page(inbox_page, request, page, per_page)


@api.get(
    "/tasks/queue",
    response=TaskListOut,
    tags=["tasks"],
    summary="Your roles' and seats' tasks anyone may take, most urgent first",
)
def task_queue(request, page: int = 1, per_page: int = PER_PAGE):
    return _task_page(queue_page, request, page, per_page)


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
        raise errors.HttpError(404, _("There is no such thing, or it is not one you may see."))
    if not visible.filter(pk=subject.pk).exists():
        raise errors.HttpError(404, _("There is no such thing, or it is not one you may see."))
    return task, subject


@api.get("/tasks/{task_id}", response=TaskTextOut, tags=["tasks"], summary="A task and the text it decides on")
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


class DecisionIn(Schema):
    outcome: str
    reason: str = ""
    fingerprint: str

    model_config = {"extra": "forbid"}


class DecisionOut(Schema):
    id: int
    step: str
    outcome: str
    fingerprint: str


def _decide(request, task_id: int, payload: DecisionIn) -> tuple[int, dict]:
    task, subject = _visible_task(request, task_id)
    if task.status not in (STATUS.NEW, STATUS.ASSIGNED):  # one who may read it may know that
        raise errors.Conflict(_("this step was already decided"))
    if not may_act_on(request.user, task.pk):
        raise errors.HttpError(404, _("There is no such thing, or it is not one you may see."))
    if payload.fingerprint != live_text(subject).fingerprint:
        raise errors.Conflict(_("the text changed since you read it; read the task again before deciding"))
    common = {"task": task, "acting_user": request.user, "outcome": payload.outcome, "reason": payload.reason}
    if isinstance(subject, Revision):
        decision = revision_decide(**common, fingerprint=payload.fingerprint)
    else:
        decision = decide(**common, fingerprint=payload.fingerprint)
    out = DecisionOut(
        id=decision.pk, step=decision.step, outcome=decision.outcome, fingerprint=decision.diff_fingerprint
    )
    return 201, out.dict()


ABANDONED_AFTER = dt.timedelta(minutes=10)  # a key still in hand after this was left by a worker that died


@api.post(
    "/tasks/{task_id}/decision",
    response={201: DecisionOut},
    tags=["tasks"],
    summary="Decide a task, on the fingerprint of the text you were shown",
    description="Send an `Idempotency-Key` header: a retry with the same key and body gets the first answer.",
)
def task_decide(request, task_id: int, payload: DecisionIn):
    _writing(request)
    key = request.headers.get("Idempotency-Key", "").strip()[:200]
    if not key:
        return Status(*_decide(request, task_id, payload))
    digest = hashlib.sha256(f"POST {request.path}\n".encode() + request.body).hexdigest()
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(user=request.user, key=key, request_hash=digest)
    except IntegrityError:
        record = IdempotentRequest.objects.filter(user=request.user, key=key).first()
        if record is None:  # the first copy failed and let its key go meanwhile
            raise errors.Conflict(_("a request with this Idempotency-Key is still being carried out")) from None
        if record.request_hash != digest:
            raise errors.HttpError(422, _("this Idempotency-Key was used for another request")) from None
        if record.status is None and record.created_at < timezone.now() - ABANDONED_AFTER:
            IdempotentRequest.objects.filter(pk=record.pk, status__isnull=True).delete()  # its worker died
        if record.status is None:
            raise errors.Conflict(_("a request with this Idempotency-Key is still being carried out")) from None
        if record.status >= 400:
            return errors.problem(record.status, record.body.get("detail", ""))
        return Status(record.status, record.body)
    try:
        status, body = _decide(request, task_id, payload)
    except errors.HttpError as error:
        IdempotentRequest.objects.filter(pk=record.pk).update(status=error.status_code, body={"detail": str(error)})
        raise
    except Exception:
        IdempotentRequest.objects.filter(pk=record.pk).delete()  # not carried out: a retry may try again
        raise
    IdempotentRequest.objects.filter(pk=record.pk).update(status=status, body=body)
    return Status(status, body)


class ClaimOut(Schema):
    id: int
    assigned_to: str | None = None


def _claimable(request, task_id: int) -> Task:
    task = get_object_or_404(Task.objects.select_related("process"), pk=task_id, flow_task_type="HUMAN")
    if not may_act_on(request.user, task.pk):
        raise errors.HttpError(404, _("There is no such thing, or it is not one you may see."))
    return task


@api.post("/tasks/{task_id}/claim", response=ClaimOut, tags=["tasks"], summary="Take a task from a queue")
def task_claim_api(request, task_id: int):
    _writing(request)
    task = task_claim(task=_claimable(request, task_id), acting_user=request.user)
    return ClaimOut(id=task.pk, assigned_to=task.owner.username if task.owner_id else None)


@api.post("/tasks/{task_id}/release", response=ClaimOut, tags=["tasks"], summary="Put a claimed task back")
def task_release_api(request, task_id: int):
    _writing(request)
    task = task_release(task=_claimable(request, task_id), acting_user=request.user)
    return ClaimOut(id=task.pk, assigned_to=task.owner.username if task.owner_id else None)


# ---------------------------------------------------------------------------------------------
# Notifications


class NotificationOut(Schema):
    id: int
    event: str
    text: str
    object_type: str
    object_id: str
    created_at: str
    read: bool


@api.get("/notifications", response=list[NotificationOut], tags=["notifications"], summary="Your newest notifications")
def notifications(request, unread: bool = False):
    rows = notifications_for(request.user, limit=100)
    return [
        NotificationOut(
            id=n.pk,
            event=n.event,
            text=render_notification(n),
            object_type=n.object_type,
            object_id=n.object_id,
            created_at=n.created_at.isoformat(),
            read=n.read_at is not None,
        )
        for n in rows
        if not unread or n.read_at is None
    ]


class MarkReadIn(Schema):
    ids: list[int] | None = None  # none: all of them

    model_config = {"extra": "forbid"}


class MarkReadOut(Schema):
    marked: int


@api.post("/notifications/read", response=MarkReadOut, tags=["notifications"], summary="Mark notifications read")
def notifications_read(request, payload: MarkReadIn):
    _writing(request)
    return MarkReadOut(marked=notification_mark_read(user=request.user, notification_ids=payload.ids))


# ---------------------------------------------------------------------------------------------
# Revisions


class VoteOut(Schema):
    session_date: str
    resolution_number: str
    members: int
    present: int
    votes_for: int
    votes_against: int
    abstentions: int
    passed: bool


class ReviewOut(Schema):
    notified_on: str
    window_ends_at: str
    outcome: str
    days_left: int | None = None
    rule: str


class RevisionOut(Schema):
    id: int
    year: int
    title: str
    status: str
    step: str | None = None
    rounds: int
    amendments: list[int]
    issued_version: int | None = None
    votes: list[VoteOut] = []
    review: ReviewOut | None = None


def _revision(revision: Revision, *, full: bool) -> RevisionOut:
    task = revision_open_task(revision)
    out = RevisionOut(
        id=revision.pk,
        year=revision.year,
        title=revision.title,
        status=revision.status,
        step=task.flow_task.name if task else None,
        rounds=revision.rounds,
        amendments=sorted(revision.amendments.values_list("pk", flat=True)),
        issued_version=revision.issued_version.number if revision.issued_version_id else None,
    )
    if full:
        legal = revision_legal_basis(revision)
        out.votes = [
            VoteOut(
                session_date=v.session_date.isoformat(),
                resolution_number=v.resolution_number,
                members=v.members,
                present=v.present,
                votes_for=v.votes_for,
                votes_against=v.votes_against,
                abstentions=v.abstentions,
                passed=v.passed,
            )
            for v in legal.votes
        ]
        if legal.review is not None:
            out.review = ReviewOut(
                notified_on=legal.review.notified_on.isoformat(),
                window_ends_at=legal.review.window_ends_at.isoformat(),
                outcome=legal.review.outcome,
                days_left=legal.days_left,
                rule=legal.review.rule.code,
            )
    return out


@api.get("/revisions", response=list[RevisionOut], tags=["revisions"], summary="The revisions you may see")
def revisions(request):
    rows = revisions_visible_to(request.user).select_related("issued_version").order_by("-created_at")[:200]
    return [_revision(r, full=False) for r in rows]


@api.get(
    "/revisions/{revision_id}",
    response=RevisionOut,
    tags=["revisions"],
    summary="A revision: its stage, amendments, the councils' votes and the governorate's window",
)
def revision(request, revision_id: int):
    return _revision(
        get_object_or_404(revisions_visible_to(request.user).select_related("issued_version"), pk=revision_id),
        full=True,
    )


# ---------------------------------------------------------------------------------------------
# Amendments: a committee member drafts through the API as on the drafting page


class OperationIn(Schema):
    action: str
    code: str
    kind: str = ""
    values: dict = {}
    cascade: bool = False
    justification: str

    model_config = {"extra": "forbid"}


class AmendmentIn(Schema):
    committee: str
    title: str
    summary: str = ""
    plan: str | None = None

    model_config = {"extra": "forbid"}


class AmendmentOut(Schema):
    id: int
    title: str
    summary: str
    committee: str | None = None
    status: str
    base_version: int
    operations: list[dict]
    entries: list = []
    fingerprint: str = ""
    problems: list[str] = []


def _amendment(amendment: Amendment) -> AmendmentOut:
    shown = live_text(amendment)
    return AmendmentOut(
        id=amendment.pk,
        title=amendment.title,
        summary=amendment.summary,
        committee=amendment.committee.code if amendment.committee_id else None,
        status=amendment.status,
        base_version=amendment.base_version.number,
        operations=amendment_operations(amendment),
        entries=shown.entries,
        fingerprint=shown.fingerprint,
        problems=shown.problems,
    )


def _own_draft(request, pk: int) -> Amendment:
    """The caller's own amendment (a draft is its drafter's to change, as on the drafting page)."""
    return get_object_or_404(
        Amendment.objects.select_related("committee", "base_version", "plan"), pk=pk, drafted_by=request.user
    )


@api.post("/amendments", response={201: AmendmentOut}, tags=["amendments"], summary="Open a draft for a committee")
def amendment_new(request, payload: AmendmentIn):
    _writing(request)
    committee = get_object_or_404(Committee, plan=_plan(payload.plan), code=payload.committee)
    amendment = amendment_draft_start(
        plan=committee.plan,
        committee=committee,
        drafted_by=request.user,
        title=payload.title.strip(),
        summary=payload.summary.strip(),
    )
    return Status(201, _amendment(amendment))


@api.get("/amendments/{amendment_id}", response=AmendmentOut, tags=["amendments"], summary="An amendment and its text")
def amendment_read(request, amendment_id: int):
    return _amendment(
        get_object_or_404(
            amendments_visible_to(request.user).select_related("committee", "base_version"), pk=amendment_id
        )
    )


class OperationsIn(Schema):
    operations: list[OperationIn]

    model_config = {"extra": "forbid"}


@api.put(
    "/amendments/{amendment_id}/operations",
    response=AmendmentOut,
    tags=["amendments"],
    summary="Replace a draft's operations (all checked against its base; refused whole)",
)
def amendment_operations_put(request, amendment_id: int, payload: OperationsIn):
    _writing(request)
    amendment = _own_draft(request, amendment_id)
    try:
        amendment_operations_set(
            amendment=amendment, operations=[op.dict() for op in payload.operations], acting_user=request.user
        )
    except ChangesetInvalid as invalid:
        return errors.problem(422, _("The operations do not apply to the plan."), errors=invalid.messages)
    amendment.refresh_from_db()
    return _amendment(amendment)


class SubmitIn(Schema):
    fingerprint: str

    model_config = {"extra": "forbid"}


@api.post(
    "/amendments/{amendment_id}/submit",
    response={201: DecisionOut},
    tags=["amendments"],
    summary="Send a draft to the committee's chair, on the fingerprint of its text",
)
def amendment_submit(request, amendment_id: int, payload: SubmitIn):
    _writing(request)
    amendment = _own_draft(request, amendment_id)
    task = open_task(amendment)
    if task is None or task.flow_task.name != "draft":
        raise errors.Conflict(_("this amendment is not waiting for you"))
    return Status(*_decide(request, task.pk, DecisionIn(outcome="submit", fingerprint=payload.fingerprint)))


class WithdrawIn(Schema):
    reason: str

    model_config = {"extra": "forbid"}


@api.post("/amendments/{amendment_id}/withdraw", response=AmendmentOut, tags=["amendments"], summary="Withdraw it")
def amendment_withdraw_api(request, amendment_id: int, payload: WithdrawIn):
    _writing(request)
    amendment = _own_draft(request, amendment_id)
    amendment_withdraw(amendment=amendment, acting_user=request.user, reason=payload.reason)
    amendment.refresh_from_db()
    return _amendment(amendment)


# ---------------------------------------------------------------------------------------------
# The audit trail: auditors and administrators only (to anyone else it does not exist)


class EventOut(Schema):
    id: int
    action: str
    occurred_at: str
    actor: str | None = None
    on_behalf_of: str | None = None
    object_type: str
    object_id: str
    object_repr: str
    data: dict
    hash: str


class EventPageOut(Schema):
    results: list[EventOut]
    older: int | None = None  # pass as `before` for the next (older) page: a keyset cursor
    newer: int | None = None  # pass as `after` for the newer page
    count: int
    count_capped: bool


class ProofOut(Schema):
    leaf_index: int
    leaf_hash: str
    tree_size: int
    root_hash: str
    path: list[str]
    signed_at: str
    key_id: str
    signature: str


class EventDetailOut(EventOut):
    hash_matches: bool
    proof: ProofOut | None = None  # None: recorded, not yet sealed under a signed head


def _auditor(request) -> None:
    if not request.user.has_perm("audit.view_auditevent"):
        raise errors.HttpError(404, _("There is no such thing, or it is not one you may see."))


def _event(event) -> dict:
    return {
        "id": event.pk,
        "action": event.action,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor_username or None,
        "on_behalf_of": getattr(event, "on_behalf_of_username", "") or None,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "data": event.data if isinstance(event.data, dict) else {},
        "hash": event.hash,
    }


@api.get(
    "/audit/events",
    response=EventPageOut,
    tags=["audit"],
    summary="Audit events, newest first, by keyset (before/after an event's id)",
)
def audit_events(
    request,
    before: int | None = None,
    after: int | None = None,
    action: str | None = None,
    amendment: int | None = None,
    revision: int | None = None,
    committee: int | None = None,
):
    _auditor(request)
    query = AuditQuery(action=action, amendment=amendment, revision=revision, committee=committee)
    page = audit_events_page(query, before=before, after=after)
    return EventPageOut(
        results=[EventOut(**_event(e)) for e in page.events],
        older=page.older,
        newer=page.newer,
        count=page.count,
        count_capped=page.count_capped,
    )


@api.get(
    "/audit/events/{event_id}",
    response=EventDetailOut,
    tags=["audit"],
    summary="One event, whether its hash matches its content, and its inclusion proof under the newest signed head",
)
def audit_event(request, event_id: int):
    _auditor(request)
    event = get_object_or_404(AuditEvent, pk=event_id)
    proof = inclusion_proof(event.pk)
    return EventDetailOut(
        **_event(event),
        hash_matches=chain.content_hash(event) == event.hash,
        proof=ProofOut(
            leaf_index=proof.leaf_index,
            leaf_hash=proof.leaf_hash.hex(),
            tree_size=proof.tree_size,
            root_hash=proof.root_hash.hex(),
            path=[h.hex() for h in proof.path],
            signed_at=proof.head.timestamp.isoformat(),
            key_id=proof.head.key_id,
            signature=bytes(proof.head.signature).hex(),
        )
        if proof is not None
        else None,
    )
