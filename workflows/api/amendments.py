"""Amendments: a committee member drafts through the API as on the drafting page."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Router, Schema, Status

from approvals.selectors import (
    amendments_visible_to,
)
from plan.changesets import ChangesetInvalid
from plan.models import Amendment
from plan.selectors import (
    CommitteeAmbiguous,
    CommitteeNotFound,
    amendment_operations,
    amendment_preview,
    committee_named,
)
from plan.services import amendment_operations_set
from workflows.api import errors
from workflows.api.common import idempotent, plan_of, writing
from workflows.api.tasks import DecisionIn, DecisionOut, _decide
from workflows.selectors import live_text, open_task
from workflows.services import (
    amendment_draft_start,
    amendment_withdraw,
)

router = Router(tags=["amendments"])


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


@router.post("", response={201: AmendmentOut}, summary=gettext_noop("Open a draft for a committee"))
@idempotent(201)
def amendment_new(request, payload: AmendmentIn):
    writing(request)
    try:
        committee = committee_named(
            payload.committee,
            plan=plan_of(payload.plan, request.user) if payload.plan else None,
            user=request.user,
        )
    except CommitteeNotFound as missing:  # several plans have it: say so (422); none has: 404
        raise errors.HttpError(422 if isinstance(missing, CommitteeAmbiguous) else 404, str(missing)) from None
    amendment = amendment_draft_start(
        plan=committee.plan,
        committee=committee,
        drafted_by=request.user,
        title=payload.title.strip(),
        summary=payload.summary.strip(),
    )
    return Status(201, _amendment(amendment))


@router.get("/{amendment_id}", response=AmendmentOut, summary=gettext_noop("An amendment and its text"))
def amendment_read(request, amendment_id: int):
    return _amendment(
        get_object_or_404(
            amendments_visible_to(request.user).select_related("committee", "base_version"), pk=amendment_id
        )
    )


class OperationsIn(Schema):
    operations: list[OperationIn]

    model_config = {"extra": "forbid"}


@router.put(
    "/{amendment_id}/operations",
    response=AmendmentOut,
    summary=gettext_noop("Replace a draft's operations (all checked against its base; refused whole)"),
)
def amendment_operations_put(request, amendment_id: int, payload: OperationsIn):
    writing(request)
    amendment = _own_draft(request, amendment_id)
    try:
        amendment_operations_set(
            amendment=amendment, operations=[op.dict() for op in payload.operations], acting_user=request.user
        )
    except ChangesetInvalid as invalid:
        return errors.problem(422, _("The operations do not apply to the plan."), errors=invalid.messages)
    amendment.refresh_from_db()
    return _amendment(amendment)


class PreviewOut(Schema):
    fingerprint: str = ""
    entries: list = []
    problems: list[str] = []


@router.post(
    "/{amendment_id}/preview",
    response=PreviewOut,
    summary=gettext_noop("What these operations would make of the draft's base, without keeping anything"),
)
def amendment_preview_api(request, amendment_id: int, payload: OperationsIn):
    amendment = _own_draft(request, amendment_id)
    try:
        preview = amendment_preview(amendment, operations=[op.dict() for op in payload.operations])
    except ChangesetInvalid as invalid:
        return PreviewOut(problems=invalid.messages)
    return PreviewOut(fingerprint=preview.fingerprint, entries=preview.entries)


class SubmitIn(Schema):
    fingerprint: str

    model_config = {"extra": "forbid"}


@router.post(
    "/{amendment_id}/submit",
    response={201: DecisionOut},
    summary=gettext_noop("Send a draft to the committee's chair, on the fingerprint of its text"),
)
@idempotent(201)
def amendment_submit(request, amendment_id: int, payload: SubmitIn):
    writing(request)
    amendment = _own_draft(request, amendment_id)
    task = open_task(amendment)
    if task is None or task.flow_task.name != "draft":
        raise errors.Conflict(_("this amendment is not waiting for you"))
    return _decide(request, task.pk, DecisionIn(outcome="submit", fingerprint=payload.fingerprint))


class WithdrawIn(Schema):
    reason: str

    model_config = {"extra": "forbid"}


@router.post("/{amendment_id}/withdraw", response=AmendmentOut, summary=gettext_noop("Withdraw it"))
@idempotent()
def amendment_withdraw_api(request, amendment_id: int, payload: WithdrawIn):
    writing(request)
    amendment = _own_draft(request, amendment_id)
    amendment_withdraw(amendment=amendment, acting_user=request.user, reason=payload.reason)
    amendment.refresh_from_db()
    return _amendment(amendment)
