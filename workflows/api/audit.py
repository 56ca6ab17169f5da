"""The audit trail: auditors and administrators only (to anyone else it does not exist): events,
an amendment's or a revision's timeline, inclusion and consistency proofs, the newest signed head,
and the checks of the whole log."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Router, Schema, Status

from approvals.selectors import AuditQuery, amendment_timeline, audit_events_page, audit_plans, revision_timeline
from audit import chain
from audit.models import AuditEvent, AuditVerification
from audit.selectors import consistency_proof, inclusion_proof, latest_head
from audit.services import audit_chain_verify_request, head_export
from core.errors import NotAllowed
from plan.models import Amendment, Revision
from plan.selectors import plans_of_roles
from workflows.api import errors
from workflows.api.common import idempotent, not_found, writing

router = Router(tags=["audit"])


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


@router.get(
    "/events",
    response=EventPageOut,
    summary=gettext_noop("Audit events, newest first, by keyset (before/after an event's id)"),
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
    query = AuditQuery(
        action=action,
        amendment=amendment,
        revision=revision,
        committee=committee,
        plans=audit_plans(request.user),  # the cities they audit
    )
    page = audit_events_page(query, before=before, after=after)
    return EventPageOut(
        results=[EventOut(**_event(e)) for e in page.events],
        older=page.older,
        newer=page.newer,
        count=page.count,
        count_capped=page.count_capped,
    )


@router.get(
    "/events/{event_id}",
    response=EventDetailOut,
    summary=gettext_noop(
        "One event, whether its hash matches its content, and its inclusion proof under the newest signed head"
    ),
)
def audit_event(request, event_id: int):
    _auditor(request)
    event = get_object_or_404(AuditEvent, pk=event_id)
    plans = audit_plans(request.user)
    if plans is not None and event.scope_plan not in plans:
        raise not_found()
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


class TimelineEntryOut(Schema):
    event: EventOut
    decision: int | None = None
    outcome: str = ""
    reason: str = ""
    fingerprint: str = ""
    diff_verified: bool | None = None  # the stored text hashes to the fingerprint the log holds
    is_signature: bool = False
    superseded_by: int | None = None  # the event after which this signature no longer covers the text
    changed_after: int | None = None  # the signature whose text this event changed


def _timeline_out(timeline) -> list[TimelineEntryOut]:
    return [
        TimelineEntryOut(
            event=EventOut(**_event(entry.event)),
            decision=entry.decision.pk if entry.decision is not None else None,
            outcome=entry.outcome,
            reason=entry.reason,
            fingerprint=entry.fingerprint,
            diff_verified=entry.diff_verified,
            is_signature=entry.is_signature,
            superseded_by=entry.superseded_by.event.pk if entry.superseded_by else None,
            changed_after=entry.changed_after.event.pk if entry.changed_after else None,
        )
        for entry in timeline
    ]


@router.get(
    "/amendments/{amendment_id}/timeline",
    response=list[TimelineEntryOut],
    summary=gettext_noop(
        "Everything recorded about an amendment (and the revisions that carried it), signatures marked"
    ),
)
def amendment_timeline_api(request, amendment_id: int):
    _auditor(request)
    found = Amendment.objects.filter(plan__in=plans_of_roles(request.user))
    return _timeline_out(amendment_timeline(get_object_or_404(found, pk=amendment_id)))


@router.get(
    "/revisions/{revision_id}/timeline",
    response=list[TimelineEntryOut],
    summary=gettext_noop("Everything recorded about a revision, its amendments and the version it issued"),
)
def revision_timeline_api(request, revision_id: int):
    _auditor(request)
    found = Revision.objects.filter(plan__in=plans_of_roles(request.user))
    return _timeline_out(revision_timeline(get_object_or_404(found, pk=revision_id)))


class HeadOut(Schema):
    log: str
    tree_size: int
    root_hash: str
    timestamp_ms: int
    timestamp: str
    signature: str  # base64 Ed25519 over the head, as `manage.py audit_head export` writes it
    public_key: str
    key_id: str


@router.get(
    "/head",
    response=HeadOut,
    summary=gettext_noop("The newest signed tree head: keep it to check the log against later"),
)
def audit_head(request):
    _auditor(request)
    try:
        return HeadOut(**head_export())
    except LookupError as missing:
        raise errors.HttpError(404, _("The log has no head signed with the current key yet.")) from missing


class ConsistencyOut(Schema):
    old_size: int
    new_size: int
    path: list[str]


@router.get(
    "/consistency",
    response=ConsistencyOut,
    summary=gettext_noop("The proof that the tree of `new_size` leaves extends that of `old_size` (RFC 6962 §2.1.2)"),
)
def audit_consistency(request, old_size: int, new_size: int | None = None):
    _auditor(request)
    newest = latest_head()
    size = newest.tree_size if newest is not None else 0
    new_size = size if new_size is None else new_size
    if not 0 < old_size <= new_size <= size:
        raise errors.HttpError(
            422, _("Name two sizes of the signed log, the older first (the newest is %(size)s).") % {"size": size}
        )
    return ConsistencyOut(
        old_size=old_size, new_size=new_size, path=[h.hex() for h in consistency_proof(old_size, new_size)]
    )


class VerificationOut(Schema):
    checked_at: str
    ok: bool
    events_checked: int
    tree_size: int
    broken_event_id: int | None = None
    reason: str
    late_events: int


@router.get(
    "/verifications", response=list[VerificationOut], summary=gettext_noop("The latest checks of the whole log")
)
def audit_verifications(request):
    _auditor(request)
    return [
        VerificationOut(
            checked_at=v.checked_at.isoformat(),
            ok=v.ok,
            events_checked=v.events_checked,
            tree_size=v.tree_size,
            broken_event_id=v.broken_event_id,
            reason=v.reason,
            late_events=v.late_events,
        )
        for v in AuditVerification.objects.order_by("-checked_at", "-pk")[:20]
    ]


class StartedOut(Schema):
    started: bool


@router.post(
    "/verifications",
    response={202: StartedOut},
    summary=gettext_noop("Start a check of the whole log on a worker (administrators); its result joins the list"),
)
@idempotent(202)
def audit_verification_start(request):
    _auditor(request)
    writing(request)
    if not request.user.has_perm("audit.add_auditverification"):
        raise NotAllowed(_("auditors read the checks; only administrators start one"))
    try:
        audit_chain_verify_request(requested_by=request.user)
    except Exception as down:  # the broker: nothing was recorded
        raise errors.HttpError(503, _("The check could not be started now; try again in a few minutes.")) from down
    return Status(202, StartedOut(started=True))
