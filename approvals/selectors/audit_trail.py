"""The audit trail as auditors read it: filtered pages by keyset, timelines of an amendment or a
revision with what was signed, and an item's history through the versions."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from approvals.models import Decision
from audit.models import AuditEvent
from people.models import User
from people.selectors import role_cities
from plan import diff as plan_diff
from plan.changesets import ChangesetInvalid
from plan.models import Amendment, IssuedVersion, Plan
from plan.selectors import diff_display, item_history
from plan.selectors.attachments import amendment_fingerprint

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

# what changes the text a signature covers: the operations, and the documents shown beside them
EDIT_ACTIONS = {
    "plan.amendment.edit",
    "plan.amendment.attach",
    "plan.amendment.detach",
    "plan.revision.attach",
    "plan.revision.detach",
}


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
    # the plans of the cities the reader audits; None for every city (and the events of none)
    plans: tuple[int, ...] | None = None


def audit_plans(user: User) -> tuple[int, ...] | None:
    """The plans whose events a person may read: None for every event (an auditor of every city);
    else those of their cities, and no event that belongs to no plan (people, tokens, the log)."""
    cities = role_cities(user)
    if cities is None:  # the auditor's role applies in every city
        return None
    return tuple(Plan.objects.filter(municipality__in=cities).values_list("pk", flat=True))


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
    if query.plans is not None:
        events = events.filter(scope_plan__in=query.plans)
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
            stored = plan_diff.fingerprint(decision.diff or [], decision.files or [])
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
        return amendment_fingerprint(amendment) != last.fingerprint
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
