"""The approver's pages: dashboard (inbox, queue, archive) and claiming. Thin: parse, check, call
a service or a selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from guardian.shortcuts import get_objects_for_user
from viewflow.workflow.models import Task

from approvals.roles import Role
from approvals.selectors import archive, inbox, queue
from config.jalali import parse_jalali_date
from plan.models import Committee
from workflows.services import task_claim, task_release


def _filters(request):
    """Committee, stage and due-date filters from the query string; a bad date is a message, not a 500."""
    committee = None
    code = request.GET.get("committee")
    if code:
        committee = Committee.objects.filter(code=code).first()
        if committee is None:
            messages.error(request, _("There is no committee “%(code)s”.") % {"code": code})
    due_before = None
    if request.GET.get("due_before"):
        try:
            due_before = parse_jalali_date(request.GET["due_before"])
        except ValidationError as error:
            messages.error(request, error.messages[0])
    return {"committee": committee, "stage": request.GET.get("stage") or None, "due_before": due_before}


@login_required
def dashboard(request):
    filters = _filters(request)
    role_values = set(request.user.groups.values_list("name", flat=True))
    archive_filters = {k: v for k, v in filters.items() if k != "due_before"}
    return render(
        request,
        "approvals/dashboard.html",
        {
            "roles": [role for role in Role if role.value in role_values],
            "inbox": inbox(request.user, **filters),
            "queue": queue(request.user, **filters),
            "archive": archive(request.user, limit=20, **archive_filters),
            "committees": Committee.objects.all(),
            "filters": filters,
            "query": request.GET,
            "can_draft": get_objects_for_user(
                request.user, "plan.draft_amendment", klass=Committee, accept_global_perms=False
            ).exists(),
        },
    )


def _claimable_task(request, pk) -> Task:
    task = get_object_or_404(Task, pk=pk, flow_task_type="HUMAN")
    rows = [row.task.pk for row in queue(request.user) + inbox(request.user)]
    if task.pk not in rows:
        raise Http404  # a task one may not act on is not shown to exist
    return task


@login_required
@require_POST
def task_claim_view(request, pk):
    task = _claimable_task(request, pk)
    try:
        task_claim(task=task, acting_user=request.user)
        messages.success(request, _("The task is now in your inbox."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, getattr(error, "messages", [str(error)])[0])
    return redirect("home")


@login_required
@require_POST
def task_release_view(request, pk):
    task = _claimable_task(request, pk)
    try:
        task_release(task=task, acting_user=request.user)
        messages.success(request, _("The task is back in its queue."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, getattr(error, "messages", [str(error)])[0])
    return redirect("home")
