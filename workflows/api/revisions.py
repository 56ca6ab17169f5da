"""Revisions: their stage, amendments, the councils' votes and the governorate's window."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_noop
from ninja import Router, Schema

from approvals.selectors import (
    revisions_visible_to,
)
from plan.models import Revision
from workflows.selectors import revision_legal_basis, revision_open_task

router = Router(tags=["revisions"])


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


@router.get("", response=list[RevisionOut], summary=gettext_noop("The revisions you may see"))
def revisions(request):
    rows = revisions_visible_to(request.user).select_related("issued_version").order_by("-created_at")[:200]
    return [_revision(r, full=False) for r in rows]


@router.get(
    "/{revision_id}",
    response=RevisionOut,
    summary=gettext_noop("A revision: its stage, amendments, the councils' votes and the governorate's window"),
)
def revision(request, revision_id: int):
    return _revision(
        get_object_or_404(revisions_visible_to(request.user).select_related("issued_version"), pk=revision_id),
        full=True,
    )
