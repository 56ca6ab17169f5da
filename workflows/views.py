"""The task page: what is decided on (the exact diff), its history and deadline, and the step's
decision form. A task or amendment a person may not see is a 404, whatever the URL."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.models import Decision
from approvals.selectors import amendments_visible_to, may_act_on, revisions_visible_to
from core.errors import REFUSALS, refuse
from core.jalali import jalali_year
from people.selectors import explicit_permissions
from plan.models import ActualReport, CallAnswer, Revision
from plan.selectors import diff_display, plans_of_roles
from rules.steps import step_title
from workflows.forms import DecisionForm, RevisionForm
from workflows.selectors import (
    amendment_pool,
    attachments_context,
    discussion_context,
    live_text,
    package_conflicts,
    revision_legal_basis,
    revision_open_task,
    revision_overview,
    task_text,
)
from workflows.services import decide, revision_decide, revision_start, task_claim, task_release
from workflows.year_selectors import call_for_revision


@login_required
def task_page(request, pk):
    task = get_object_or_404(Task.objects.select_related("process"), pk=pk, flow_task_type="HUMAN")
    subject = task.process.artifact
    if isinstance(subject, ActualReport):  # a report's figures and its decision have their own page
        return redirect("actuals:report", subject.pk)
    if isinstance(subject, CallAnswer):  # so has a committee's answer to the year's call
        return redirect("workflows:call_answer", subject.pk)
    step = task.flow_task.name
    is_revision = isinstance(subject, Revision)
    visible = revisions_visible_to(request.user) if is_revision else amendments_visible_to(request.user)
    if not visible.filter(pk=subject.pk).exists():
        raise Http404
    amendments = list(subject.amendments.order_by("pk")) if is_revision else [subject]
    decisions = Decision.objects.filter(revision=subject) if is_revision else Decision.objects.filter(amendment=subject)
    is_open = task.status in (STATUS.NEW, STATUS.ASSIGNED)
    shown = task_text(task, subject) if not is_open else live_text(subject)
    for problem in shown.problems:
        messages.error(request, problem)
    entries = shown.entries
    fingerprint = shown.fingerprint
    may_act = is_open and may_act_on(request.user, task.pk)
    form = None
    if may_act:
        form = DecisionForm(
            request.POST or None,
            step=step,
            amendments=amendments if is_revision else (),
            pool=amendment_pool(subject.plan) if is_revision and step == "assemble" else (),
            initial={"fingerprint": fingerprint},
        )
        if request.method == "POST" and form.is_valid():
            try:
                if is_revision:
                    details = form.details()
                    for key in ("excluded", "chosen", "added"):
                        if key in details:
                            details[key] = [int(pk) for pk in details[key]]
                    revision_decide(
                        task=task,
                        acting_user=request.user,
                        outcome=form.cleaned_data["outcome"],
                        reason=form.cleaned_data.get("reason", ""),
                        fingerprint=form.cleaned_data.get("fingerprint") or None,
                        **details,
                    )
                else:
                    decide(
                        task=task,
                        acting_user=request.user,
                        outcome=form.cleaned_data["outcome"],
                        reason=form.cleaned_data.get("reason", ""),
                        fingerprint=form.cleaned_data.get("fingerprint") or None,
                    )
            except REFUSALS as error:
                refuse(form, error)
            else:
                messages.success(request, _("Your decision was recorded."))
                return redirect("home")
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "workflows/task.html",
        {
            "task": task,
            "step": step,
            "subject": subject,
            "amendments": amendments,
            "entries": diff_display(entries),
            "fingerprint": fingerprint,
            "decisions": [
                (d, step_title(d.step))
                for d in decisions.select_related("decided_by", "on_behalf_of").order_by("decided_at")
            ],
            "deadline": getattr(task, "deadline", None),
            "form": form,
            "is_revision": is_revision,
            "decided": shown.decision,
            "round": shown.decision.round if shown.decision else subject.rounds,
            "conflicts": package_conflicts(amendments) if is_revision and is_open else [],
            # the board's page shows what it decides on: the resolution, the tally, the window
            "legal": revision_legal_basis(subject)
            if is_revision and step in ("governorate", "reconsideration", "dispute", "issuance")
            else None,
            "against": shown.against,
            "files": shown.files,
            **(discussion_context(subject, request.user) if not is_revision else {}),
            # at assembly, which committees answered the year's call
            "call": call_for_revision(subject.plan, subject.year, amendments_visible_to(request.user))
            if is_revision and step == "assemble"
            else None,
        },
    )


@login_required
def revision_new(request):
    """The integration working group puts accepted amendments into a revision."""
    if "plan.integrate_amendment" not in explicit_permissions(request.user):
        raise Http404
    pool = amendment_pool().filter(plan__in=plans_of_roles(request.user))  # of the cities where their role applies
    form = RevisionForm(request.POST or None, amendments=pool, initial={"year": jalali_year(timezone.now()) + 1})
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["amendments"])
        try:
            revision = revision_start(
                plan=chosen[0].plan,
                year=form.cleaned_data["year"],
                title=form.cleaned_data["title"],
                amendments=chosen,
                acting_user=request.user,
            )
        except REFUSALS as error:
            refuse(form, error)
        else:
            messages.success(request, _("The revision was assembled."))
            return redirect("workflows:task", pk=revision_open_task(revision).pk)
    return render(request, "workflows/revision_new.html", {"form": form})


@login_required
def revision_page(request, pk):
    """A revision: its amendments, conflicts and how they were resolved, votes, the window, the
    stage on the process diagram, and the timeline of decisions."""
    revision = get_object_or_404(revisions_visible_to(request.user).select_related("plan", "issued_version"), pk=pk)
    return render(
        request,
        "workflows/revision.html",
        {
            "overview": revision_overview(revision),
            "call": call_for_revision(revision.plan, revision.year, amendments_visible_to(request.user)),
            **attachments_context(revision, request.user),
        },
    )


@login_required
def revision_list(request):
    revisions = revisions_visible_to(request.user).select_related("plan").order_by("-created_at")
    return render(request, "workflows/revision_list.html", {"revisions": revisions})


# ---------------------------------------------------------------------------------------------
# Claiming a task from a queue, and giving it back


def _claimable_task(request, pk) -> Task:
    task = get_object_or_404(Task, pk=pk, flow_task_type="HUMAN")
    if not may_act_on(request.user, task.pk):
        raise Http404  # a task one may not act on is not shown to exist
    return task


@login_required
@require_POST
def task_claim_view(request, pk):
    task = _claimable_task(request, pk)
    try:
        task_claim(task=task, acting_user=request.user)
        messages.success(request, _("The task is now in your inbox."))
    except REFUSALS as error:
        refuse(request, error)
    return redirect("home")


@login_required
@require_POST
def task_release_view(request, pk):
    task = _claimable_task(request, pk)
    try:
        task_release(task=task, acting_user=request.user)
        messages.success(request, _("The task is back in its queue."))
    except REFUSALS as error:
        refuse(request, error)
    return redirect("home")
