"""Reads of the workflows app: who may see a revision, a revision's overview, a process diagram."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from viewflow.workflow import chart
from viewflow.workflow.status import STATUS

from approvals.models import AuditEvent, ConformityReview, CouncilVote, Decision, User
from approvals.selectors import COUNCIL_PERMISSIONS
from plan.changesets import ChangesetInvalid
from plan.selectors import amendment_staleness, amendments_conflicts
from workflows.models import Revision


def revisions_visible_to(user: User):
    """The revisions a person may know exist: all of them for the revision path's roles (the
    integration working group, the councils' secretariats, the governorate, the planning office)
    and for auditors; none for anyone else, since a revision shows every committee's amendments."""
    if (
        user.has_perm("workflows.view_revision")
        or user.has_perm("plan.integrate_amendment")
        or any(user.has_perm(p) for p in COUNCIL_PERMISSIONS)
    ):
        return Revision.objects.all()
    return Revision.objects.none()


def process_diagram(flow_class, process=None) -> str:
    """The flow drawn as SVG by viewflow, each step coloured by the state of its tasks in this process.

    The SVG is generated from the flow's own definition, so it never drifts from what runs."""
    grid = chart.calc_layout_data(flow_class)
    if process is not None:
        chart.calc_cell_status(flow_class, grid, process.pk)
    return chart.grid_to_svg(grid)


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


def revision_overview(revision: Revision) -> RevisionOverview:
    from workflows.flows import RevisionFlow
    from workflows.services import revision_process

    process = revision_process(revision)
    amendments = list(revision.amendments.select_related("committee", "drafted_by", "base_version").order_by("pk"))
    conflicts = []
    if revision.status not in (Revision.Status.ISSUED, Revision.Status.REJECTED):
        try:
            conflicts = amendments_conflicts(amendments)
            for amendment in amendments:
                conflicts.extend(amendment_staleness(amendment)[1])
        except ChangesetInvalid:
            conflicts = []
    amendment_ids = [a.pk for a in amendments]
    resolutions = list(
        AuditEvent.objects.filter(action="plan.amendment.rebase", scope_amendment__in=amendment_ids).order_by("id")
    )
    votes = list(CouncilVote.objects.filter(revision=revision).prefetch_related("excluded_amendments"))
    excluded = [a for vote in votes for a in vote.excluded_amendments.all()]
    review = ConformityReview.objects.filter(revision=revision).select_related("rule").order_by("-id").first()
    days_left = None
    if review is not None and review.outcome == ConformityReview.Outcome.PENDING:
        days_left = max(0, (timezone.localdate(review.window_ends_at) - timezone.localdate()).days)
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
    )
