"""Drafting pages: a committee member opens an amendment, adds operations one by one with the
redline in view, sees the rules' messages next to the form, and submits it for sign-off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from guardian.shortcuts import get_objects_for_user

from core.errors import REFUSALS, BaznegarError, NotAllowed, refuse
from plan.changesets import ChangesetInvalid
from plan.forms import ACTIONS, ADDABLE_KINDS, AmendmentForm, FiguresUploadForm, operation_form
from plan.models import Amendment, Committee
from plan.rolling import leaving_horizon
from plan.selectors import (
    amendment_figures_changes,
    amendment_figures_workbook,
    amendment_operations,
    amendment_preview,
    diff_display,
    pending_roll,
    plans_visible_to,
    version_state,
)
from plan.services import amendment_operations_set, require_drafter
from workflows.selectors import attachments_context, discussion_context, latest_decided_text, open_task
from workflows.services import amendment_draft_start, amendment_withdraw, decide


def _drafts_committees(user):
    return get_objects_for_user(
        user, "plan.draft_amendment", klass=Committee, accept_global_perms=False, with_superuser=False
    )


def _own_draft(request, pk) -> Amendment:
    amendment = get_object_or_404(Amendment, pk=pk)
    if amendment.drafted_by_id != request.user.pk:
        raise Http404  # another person's draft is not shown to exist
    return amendment


@login_required
def amendment_new(request):
    committees = _drafts_committees(request.user)
    if not committees.exists():
        raise Http404
    form = AmendmentForm(request.POST or None, committees=committees)
    if request.method == "POST" and form.is_valid():
        committee = form.cleaned_data["committee"]
        try:
            amendment = amendment_draft_start(
                plan=committee.plan,
                committee=committee,
                drafted_by=request.user,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
            )
        except REFUSALS as error:
            refuse(form, error)
        else:
            return redirect("drafting:amendment_edit", pk=amendment.pk)
    return render(request, "plan/amendment_new.html", {"form": form, "plans": plans_visible_to(request.user)})


@login_required
def amendment_edit(request, pk):
    amendment = _own_draft(request, pk)
    editable = amendment.status in (Amendment.Status.DRAFT, Amendment.Status.RETURNED)
    if editable and request.method == "GET":
        try:
            require_drafter(amendment, request.user)
        except NotAllowed as lost:  # their seat is gone: said before they type anything
            messages.warning(
                request, _("%(why)s: the draft can be withdrawn, not edited or sent.") % {"why": lost.messages[0]}
            )
    operations = amendment_operations(amendment)
    source = request.POST if request.method == "POST" else request.GET
    action, kind = source.get("action", "change"), source.get("kind", "")
    form = operation_form(action, plan=amendment.plan, data=request.POST or None, kind=kind)
    problems = []
    if request.method == "POST" and editable and form.is_valid():
        try:
            amendment_operations_set(
                amendment=amendment, operations=[*operations, form.operation()], acting_user=request.user
            )
        except ChangesetInvalid as invalid:
            problems = [str(p) for p in invalid.problems]  # shown beside the form; the typed operation stays
        except REFUSALS as error:  # no longer editable (decided meanwhile): said above the form
            refuse(form, error)
        else:
            messages.success(request, _("The operation was added."))
            return redirect("drafting:amendment_edit", pk=amendment.pk)
    decisions = list(amendment.decisions.select_related("decided_by").order_by("decided_at", "pk"))
    decided = None if editable else latest_decided_text(amendment)
    if decided is not None:  # past drafting: the text as it was last decided on, never a replay
        entries = decided.entries
    else:
        try:
            entries = amendment_preview(amendment).entries if operations else []
        except ChangesetInvalid as invalid:
            entries, problems = [], problems or [str(p) for p in invalid.problems]
    roll = pending_roll(amendment.plan) if editable and amendment.committee_id else None
    # the committee's projects and actions that end before the new horizon: to close, extend or retire
    leaving = (
        leaving_horizon(version_state(amendment.base_version), amendment.committee.code, roll.to_start) if roll else []
    )
    return render(
        request,
        "plan/amendment_edit.html",
        {
            "amendment": amendment,
            "operations": amendment.operations.all(),
            "form": form,
            "action": form.action,
            "actions": ACTIONS,
            "kinds": ADDABLE_KINDS,
            "kind": getattr(form, "kind", ""),
            "problems": problems,
            "entries": diff_display(entries),
            "editable": editable,
            "decided": decided,
            "decisions": decisions,
            # why it came back, at the top of the page the drafter must fix it on
            "returned": next((d for d in reversed(decisions) if d.outcome == "return"), None)
            if amendment.status == Amendment.Status.RETURNED
            else None,
            # the year rolls forward in this revision: the new year's figures can be prefilled
            "roll": roll,
            "leaving": leaving,
            **discussion_context(amendment, request.user),
            **attachments_context(amendment, request.user),
        },
    )


@login_required
@require_POST
def amendment_operation_remove(request, pk, position):
    amendment = _own_draft(request, pk)
    remaining = [op for i, op in enumerate(amendment_operations(amendment)) if i != position]
    try:
        amendment_operations_set(amendment=amendment, operations=remaining, acting_user=request.user)
    except REFUSALS as error:
        refuse(request, error)
    return redirect("drafting:amendment_edit", pk=amendment.pk)


@login_required
@require_POST
def amendment_submit(request, pk):
    amendment = _own_draft(request, pk)
    task = open_task(amendment)
    try:
        if task is None or task.flow_task.name != "draft":
            raise BaznegarError(_("this amendment is not waiting for you"))
        decide(task=task, acting_user=request.user, outcome="submit")
    except REFUSALS as error:
        refuse(request, error)
        return redirect("drafting:amendment_edit", pk=amendment.pk)
    messages.success(request, _("The amendment was sent to your committee's chair."))
    return redirect("home")


@login_required
@require_POST
def amendment_withdraw_view(request, pk):
    amendment = _own_draft(request, pk)
    try:
        amendment_withdraw(amendment=amendment, acting_user=request.user, reason=request.POST.get("reason", ""))
    except REFUSALS as error:
        refuse(request, error)
        return redirect("drafting:amendment_edit", pk=amendment.pk)
    messages.success(request, _("The amendment was withdrawn."))
    return redirect("home")


FIGURES_SALT = "baznegar.amendment-figures"
FIGURES_MAX_AGE = 3600  # a preview is saved within the hour, or uploaded again


def _editable_draft(request, pk) -> Amendment:
    amendment = _own_draft(request, pk)
    if amendment.status not in (Amendment.Status.DRAFT, Amendment.Status.RETURNED) or amendment.committee is None:
        raise Http404
    return amendment


@login_required
def amendment_figures(request, pk):
    """The committee's figures as the draft stands, to edit in a spreadsheet."""
    amendment = _editable_draft(request, pk)
    response = HttpResponse(
        amendment_figures_workbook(amendment),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="figures-{amendment.committee.code}-{amendment.pk}.xlsx"'
    return response


@login_required
@require_POST
def amendment_figures_preview(request, pk):
    """The edited workbook's changes shown with the draft's as they would stand; nothing is saved."""
    amendment = _editable_draft(request, pk)
    form = FiguresUploadForm(request.POST, request.FILES)
    context = {"amendment": amendment, "form": form, "entries": [], "problems": []}
    if form.is_valid():
        try:
            added = amendment_figures_changes(
                amendment, form.cleaned_data["file"].read(), form.cleaned_data["justification"]
            )
            if not added:
                raise BaznegarError(_("the workbook changes no figure of the draft"))
            preview = amendment_preview(amendment, operations=[*amendment_operations(amendment), *added])
        except ChangesetInvalid as invalid:
            context["problems"] = [str(p) for p in invalid.problems]
        except REFUSALS as error:
            refuse(form, error)
        else:
            context.update(
                added=added,
                entries=diff_display(preview.entries),
                payload=signing.dumps(added, salt=f"{FIGURES_SALT}:{amendment.pk}", compress=True),
            )
    return render(request, "plan/amendment_figures_preview.html", context)


@login_required
@require_POST
def amendment_figures_save(request, pk):
    """Save the previewed changes to the draft (checked again by the amendment's rules)."""
    amendment = _editable_draft(request, pk)
    try:
        added = signing.loads(
            request.POST.get("payload", ""), salt=f"{FIGURES_SALT}:{amendment.pk}", max_age=FIGURES_MAX_AGE
        )
    except signing.BadSignature:
        messages.error(request, _("The preview is too old or was altered; upload the workbook again."))
        return redirect("drafting:amendment_edit", pk=amendment.pk)
    try:
        amendment_operations_set(
            amendment=amendment, operations=[*amendment_operations(amendment), *added], acting_user=request.user
        )
    except ChangesetInvalid as invalid:
        for problem in invalid.problems[:5]:
            messages.error(request, str(problem))
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(request, _("%(count)s changes from the workbook were added.") % {"count": len(added)})
    return redirect("drafting:amendment_edit", pk=amendment.pk)
