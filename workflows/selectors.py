"""Reads of the workflows app: who may see a revision, a revision's overview, a process diagram."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from viewflow.workflow import chart
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.models import ConformityReview, CouncilVote, Decision
from approvals.selectors import amendment_discussion
from audit.models import AuditEvent
from audit.selectors import seals_of
from people.selectors import holds_object_right
from plan import diff as plan_diff
from plan.changesets import ChangesetInvalid, apply_changeset
from plan.conflicts import NO_LONGER_APPLIES, Conflict
from plan.models import REVISION_CLOSED, Amendment, Revision
from plan.selectors import (
    amendment_operations,
    amendment_preview,
    amendment_staleness,
    amendments_conflicts,
    moves_horizons,
    plan_context,
    unusable,
    version_in_force,
    version_state,
)
from plan.selectors.attachments import attachments_of, files_shown, may_attach
from rules.steps import Step, step_title
from workflows.flows import RevisionFlow
from workflows.models import AmendmentProcess, RevisionProcess

OPEN = (STATUS.NEW, STATUS.ASSIGNED)


def amendment_pool(plan=None):
    """Accepted amendments in no open revision: what the integration working group may put into one."""
    pool = (
        Amendment.objects.filter(status=Amendment.Status.ACCEPTED)
        .exclude(revisions__status__in=[s for s in Revision.Status.values if s not in REVISION_CLOSED])
        .select_related("committee", "plan")
        .order_by("pk")
    )
    return pool.filter(plan=plan) if plan is not None else pool


def package_conflicts(amendments) -> list:
    """What blocks a package: an amendment that no longer applies even to its own base, overlaps
    among the amendments, collisions with versions issued since their bases, and, when none of
    those, the whole package applied to the version in force as issuance will apply it."""
    usable, conflicts = [], []
    for amendment in amendments:
        try:
            amendment_preview(amendment)
        except ChangesetInvalid as invalid:
            conflicts.extend(unusable(amendment, invalid))
        else:
            usable.append(amendment)
    conflicts.extend(amendments_conflicts(usable))
    for amendment in usable:
        conflicts.extend(amendment_staleness(amendment)[1])
    if not conflicts and usable:
        conflicts.extend(_issued_together(usable))
    return conflicts


def _issued_together(amendments: list) -> list:
    plan = amendments[0].plan
    in_force = version_in_force(plan)
    owners, operations = [], []
    # in the order issuance applies them: a roll-forward first, and the base's own years (see plan_context)
    for amendment in sorted(amendments, key=lambda a: (not moves_horizons(a), a.pk)):
        ops = amendment_operations(amendment)
        owners += [amendment] * len(ops)
        operations += ops
    try:
        apply_changeset(version_state(in_force), operations, plan_context(plan, as_of=in_force, issuing=True))
    except ChangesetInvalid as invalid:
        return [
            Conflict(
                NO_LONGER_APPLIES,
                p.code,
                p.field,
                owners[p.index] if p.index is not None and p.index < len(owners) else amendments[0],
                in_force,
                str(p),
            )
            for p in invalid.problems
        ]
    return []


@dataclass
class ShownText:
    """The diff a page shows for a step: the stored one of a decision, or the live preview."""

    entries: list
    fingerprint: str
    against: object | None  # the issued version it was read against
    decision: Decision | None = None  # set when the text is the one stored with a decision
    problems: list = field(default_factory=list)  # why a live preview could not be made, in full
    files: list = field(default_factory=list)  # the documents shown beside it (name, sha256, size, id)


def task_text(task, subject) -> ShownText:
    """A decided step shows what was decided on: the diff stored with its decision (the same bytes
    whose fingerprint was signed and audited), never a replay against today's plan. A step closed
    without a decision (a withdrawal cancelled it) shows nothing to sign."""
    decision = Decision.objects.filter(task=task).select_related("against_version").first()
    if decision is None:
        return ShownText(entries=[], fingerprint="", against=None)
    return _as_decided(decision)


def _as_decided(decision: Decision) -> ShownText:
    return ShownText(
        entries=decision.diff,
        fingerprint=decision.diff_fingerprint,
        against=decision.against_version,
        decision=decision,
        files=decision.files or [],
    )


def live_text(subject) -> ShownText:
    """An open step's text: the amendment applied to its base, or the revision's amendments in order.
    An amendment that no longer applies is named, and the rest is still shown."""
    amendments = [subject] if isinstance(subject, Amendment) else list(subject.amendments.order_by("pk"))
    entries, problems = [], []
    for amendment in amendments:
        try:
            entries.extend(amendment_preview(amendment).entries)
        except ChangesetInvalid as invalid:
            problems.extend(f"{amendment.title}: {message}" for message in invalid.messages)
    against = subject.base_version if isinstance(subject, Amendment) else version_in_force(subject.plan)
    files = files_shown(subject)
    return ShownText(
        entries=entries,
        fingerprint=plan_diff.fingerprint(entries, files),
        against=against,
        problems=problems,
        files=files,
    )


def latest_decided_text(amendment: Amendment) -> ShownText | None:
    """What an amendment past drafting was last decided on (sign-off, integration, ...)."""
    decision = (
        Decision.objects.filter(amendment=amendment, task__isnull=False)
        .select_related("against_version")
        .order_by("-decided_at", "-pk")
        .first()
    )
    return _as_decided(decision) if decision is not None else None


def process_diagram(flow_class, process=None) -> str:
    """The flow drawn as SVG by viewflow, each step coloured by the state of its tasks in this process,
    read right to left (it starts on the right, as the page does) and at its own size, so its labels
    are as large as the page's text (the figure scrolls within itself on narrower screens).

    The SVG is generated from the flow's own definition, so it never drifts from what runs."""
    grid = chart.calc_layout_data(flow_class)
    if process is not None:
        chart.calc_cell_status(flow_class, grid, process.pk)
    _mirror(grid)
    return chart.grid_to_svg(grid).replace(
        'width="100%" height="100%"', f'width="{grid.width}" height="{grid.height}" direction="rtl"', 1
    )


def _mirror(grid) -> None:
    """Flip viewflow's left-to-right layout: every shape and edge point to the other side. A shape's
    own drawing and its text are placed relative to it, so words are never mirrored."""
    for cell in grid.cells:
        cell.shape.x = grid.width - cell.shape.x - cell.shape.width
    for edge in grid.edges:
        edge.segments = [(grid.width - x, y) for x, y in edge.segments]
        if edge.label_pos:
            edge.label_pos = (grid.width - edge.label_pos[0], edge.label_pos[1])


@dataclass(frozen=True)
class StepState:
    name: str
    title: str
    state: str  # "done", "current", "pending"


def process_steps(flow_class, process) -> list[StepState]:
    """The human steps of a flow in the order of the approval path (rules.steps.Step), each with its
    state in this process: the plain, ordered reading of the diagram (screen readers, phones)."""
    seen = {}
    for task in process.task_set.filter(flow_task_type="HUMAN").order_by("created", "pk"):
        name = task.flow_task.name
        if task.status in (STATUS.NEW, STATUS.ASSIGNED):
            seen[name] = "current"
        elif task.status == STATUS.DONE and seen.get(name) != "current":
            seen[name] = "done"
    order = list(Step.values)
    nodes = sorted(
        (node for node in flow_class.instance.nodes() if node.task_type == "HUMAN"),
        key=lambda node: order.index(node.name),
    )
    return [StepState(node.name, step_title(node.name), seen.get(node.name, "pending")) for node in nodes]


@dataclass
class RevisionOverview:
    revision: Revision
    amendments: list
    conflicts: list  # overlaps among the amendments, or with versions issued since their base
    resolutions: list  # audit events that resolved a conflict (rebases), oldest first
    excluded: list  # amendments the council left out, sent back to the pool
    votes: list
    review: ConformityReview | None
    days_left: int | None
    decisions: list
    current_step: str | None
    diagram: str
    open_task: object | None
    issuance_seal: object | None = None  # audit.selectors.Seal of the issuance's audit event
    steps: list = field(default_factory=list)  # StepState of each human step, in the flow's order


@dataclass
class LegalBasis:
    """What the governorate's board and the councils decide on: the resolutions and the window."""

    votes: list
    review: ConformityReview | None
    days_left: int | None


def revision_legal_basis(revision: Revision) -> LegalBasis:
    votes = list(CouncilVote.objects.filter(revision=revision).prefetch_related("excluded_amendments"))
    review = ConformityReview.objects.filter(revision=revision).select_related("rule").order_by("-id").first()
    days_left = None
    if review is not None and review.outcome == ConformityReview.Outcome.PENDING:
        days_left = max(0, (timezone.localdate(review.window_ends_at) - timezone.localdate()).days)
    return LegalBasis(votes=votes, review=review, days_left=days_left)


def revision_overview(revision: Revision) -> RevisionOverview:
    process = revision_process(revision)
    amendments = list(revision.amendments.select_related("committee", "drafted_by", "base_version").order_by("pk"))
    conflicts = package_conflicts(amendments) if revision.status not in REVISION_CLOSED else []
    amendment_ids = [a.pk for a in amendments]
    resolutions = list(
        AuditEvent.objects.filter(action="plan.amendment.rebase", scope_amendment__in=amendment_ids).order_by("id")
    )
    legal = revision_legal_basis(revision)
    votes, review, days_left = legal.votes, legal.review, legal.days_left
    excluded = [a for vote in votes for a in vote.excluded_amendments.all()]
    decisions = list(
        Decision.objects.filter(Q(revision=revision) | Q(amendment__in=amendment_ids))
        .select_related("decided_by", "on_behalf_of", "amendment")
        .order_by("decided_at", "pk")
    )
    open_task = process.task_set.filter(status__in=(STATUS.NEW, STATUS.ASSIGNED), flow_task_type="HUMAN").first()
    return RevisionOverview(
        revision=revision,
        amendments=amendments,
        conflicts=conflicts,
        resolutions=resolutions,
        excluded=excluded,
        votes=votes,
        review=review,
        days_left=days_left,
        decisions=decisions,
        current_step=open_task.flow_task.name if open_task else None,
        diagram=process_diagram(RevisionFlow, process),
        open_task=open_task,
        issuance_seal=issuance_seal(revision),
        steps=process_steps(RevisionFlow, process),
    )


def issuance_seal(revision: Revision):
    """Where the issuance of a revision's version is sealed in the audit log: its leaf and the first
    signed head covering it (the head that includes every decision before it), or None while sealing."""
    if not revision.issued_version_id:
        return None
    event = (
        AuditEvent.objects.filter(action="plan.version.issue", object_id=str(revision.issued_version_id))
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    seal = seals_of([event]).get(event) if event else None
    return seal if seal is not None and seal.head is not None else None


# ---------------------------------------------------------------------------------------------
# The process of an amendment or a revision, and its open task


def _process_of(subject, process_class):
    """The newest process whose artifact is this amendment or revision (an amendment sent back from
    a revision's assembly gets a new one; the database allows one open process per artifact)."""
    return (
        process_class.objects.filter(
            artifact_content_type__app_label=subject._meta.app_label,
            artifact_content_type__model=subject._meta.model_name,
            artifact_object_id=subject.pk,
        )
        .order_by("-pk")
        .first()
    )


def amendment_process(amendment: Amendment) -> AmendmentProcess:
    return _process_of(amendment, AmendmentProcess)


def _open_tasks_of(subject):
    """The open tasks of the process whose artifact is this amendment or revision, newest first."""
    return Task.objects.filter(
        process__artifact_content_type__app_label=subject._meta.app_label,
        process__artifact_content_type__model=subject._meta.model_name,
        process__artifact_object_id=subject.pk,
        status__in=OPEN,
    ).order_by("-created")


def open_task(amendment: Amendment) -> Task | None:
    """The amendment's task that waits for someone, if any."""
    return _open_tasks_of(amendment).first()


def revision_process(revision: Revision) -> RevisionProcess:
    return _process_of(revision, RevisionProcess)


def revision_open_task(revision: Revision) -> Task | None:
    return _open_tasks_of(revision).filter(flow_task_type="HUMAN").first()


def discussion_context(amendment, user) -> dict:
    """What a page of an amendment shows of its discussion: the threads, how many are unresolved,
    its operations to comment on, whether the reader may resolve a thread, and the time now."""
    threads = amendment_discussion(amendment)
    return {
        "discussion": threads,
        "unresolved": sum(1 for t in threads if not t.resolved),
        "operations": list(amendment.operations.all()),
        "may_resolve": amendment.committee_id is not None
        and holds_object_right(user, "plan.sign_off_amendment", amendment.committee),
        "now": timezone.now(),
    }


def attachments_context(subject, user) -> dict:
    """What a page of an amendment or a revision shows of its documents: all of them, those taken
    off marked, and whether the reader may add or remove one now."""
    return {
        "attachments": list(attachments_of(subject, removed=True)),
        "may_attach": may_attach(user, subject),
        "attach_subject": subject,
        "attach_limit": settings.ATTACHMENT_MAX_BYTES,
        "attach_accept": ",".join(sorted({e for endings in settings.ATTACHMENT_TYPES.values() for e in endings})),
    }
