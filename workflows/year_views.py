"""The rolling year's pages: the planning office opens the year's call and the integration working
group rolls the horizon forward (one page, /tasks/year/); a committee answers the call; a drafter
prefills the new year's figures. Thin: parse, call the services, render the selectors' reads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.selectors import amendments_visible_to, may_act_on
from core.errors import REFUSALS, refuse
from core.jalali import jalali_year
from people.selectors import explicit_permissions, holds_object_right, works_in
from plan.models import CallAnswer
from plan.rolling import leaving_horizon
from plan.selectors import pending_roll, version_in_force, version_state
from plan.selectors.actuals import progress_overview, progress_years, shown_year
from plan.views import requested_plan
from workflows.forms import CallAnswerForm, CallOpenForm, ReasonForm, RollForwardForm
from workflows.services import (
    annual_call_open,
    call_answer,
    roll_forward_cancel,
    roll_forward_figures,
    roll_forward_start,
)
from workflows.year_selectors import answer_open_task, call_committee_amendments, year_overview

YEAR_RIGHTS = {"plan.integrate_amendment", "workflows.issue_revision"}


@login_required
def year_page(request):
    """The year: the horizon in force, a roll-forward (the integration working group), the year's
    call and its answers (the planning office)."""
    rights = explicit_permissions(request.user)
    if not rights & YEAR_RIGHTS:
        raise Http404
    plan = requested_plan(request)
    may_roll = "plan.integrate_amendment" in rights
    may_call = "workflows.issue_revision" in rights
    roll_form = RollForwardForm(request.POST if "roll" in request.POST else None) if may_roll else None
    cancel_form = ReasonForm(request.POST if "cancel" in request.POST else None, prefix="cancel") if may_roll else None
    call_form = (
        CallOpenForm(
            request.POST if "call" in request.POST else None,
            initial={"year": jalali_year(timezone.localdate()) + 1},
        )
        if may_call
        else None
    )
    if request.method == "POST":
        if "roll" in request.POST and roll_form is not None and roll_form.is_valid():
            try:
                roll_forward_start(
                    plan=plan,
                    acting_user=request.user,
                    indicator_rule=roll_form.cleaned_data["indicator_rule"],
                    project_rule=roll_form.cleaned_data["project_rule"],
                    justification=roll_form.cleaned_data.get("justification", ""),
                )
            except REFUSALS as error:
                refuse(roll_form, error)
            else:
                messages.success(request, _("The roll-forward waits in the pool for the year's revision."))
                return redirect("workflows:year")
        elif "cancel" in request.POST and cancel_form is not None and cancel_form.is_valid():
            roll = pending_roll(plan)
            try:
                if roll is None:
                    raise Http404
                roll_forward_cancel(roll=roll, acting_user=request.user, reason=cancel_form.cleaned_data["reason"])
            except REFUSALS as error:
                refuse(cancel_form, error)
            else:
                messages.success(request, _("The roll-forward was taken back."))
                return redirect("workflows:year")
        elif "call" in request.POST and call_form is not None and call_form.is_valid():
            try:
                annual_call_open(
                    plan=plan,
                    year=call_form.cleaned_data["year"],
                    deadline=call_form.cleaned_data["deadline"],
                    note=call_form.cleaned_data.get("note", ""),
                    acting_user=request.user,
                )
            except REFUSALS as error:
                refuse(call_form, error)
            else:
                messages.success(request, _("Every committee was asked to answer by the deadline."))
                return redirect("workflows:year")
        elif not {"roll", "cancel", "call"} & set(request.POST):
            raise Http404
    return render(
        request,
        "workflows/year.html",
        {
            "plan": plan,
            "overview": year_overview(plan, amendments_visible_to(request.user)),
            "roll_form": roll_form,
            "cancel_form": cancel_form,
            "call_form": call_form,
        },
    )


@login_required
def call_answer_page(request, pk):
    """A committee's answer to the year's call, with the past year's performance in front of it."""
    answer = get_object_or_404(CallAnswer.objects.select_related("call", "call__plan", "committee"), pk=pk)
    user = request.user
    is_member = holds_object_right(user, "plan.draft_amendment", answer.committee) or holds_object_right(
        user, "plan.sign_off_amendment", answer.committee
    )
    reads = explicit_permissions(user) & YEAR_RIGHTS or user.has_perm("plan.view_amendment")
    if not (is_member or (reads and works_in(user, answer.call.plan.municipality_id, by_role=True))):
        raise Http404  # another committee's, or another city's
    plan = answer.call.plan
    task = answer_open_task(answer)
    form = None
    if task is not None and may_act_on(user, task.pk):
        form = CallAnswerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                call_answer(
                    task=task, acting_user=user, answer=form.cleaned_data["answer"], note=form.cleaned_data["note"]
                )
            except REFUSALS as error:
                refuse(form, error)
            else:
                messages.success(request, _("The committee's answer was recorded."))
                return redirect("workflows:call_answer", answer.pk)
    elif request.method == "POST":
        raise Http404
    year = shown_year(plan, [y for y in progress_years(plan) if y < answer.call.year])
    performance = progress_overview(plan, year, committee=answer.committee.code) if year else None
    roll = pending_roll(plan)
    state = version_state(version_in_force(plan))
    return render(
        request,
        "workflows/call_answer.html",
        {
            "answer": answer,
            "form": form,
            "task": task,
            "performance": performance,
            "proposed": list(call_committee_amendments(answer).filter(pk__in=amendments_visible_to(user))),
            "roll": roll,
            "leaving": leaving_horizon(state, answer.committee.code, roll.to_start) if roll else [],
        },
    )


@login_required
@require_POST
def amendment_prefill(request, pk):
    """Add to one's draft the new year's figures the roll-forward's rules offer."""
    amendment = get_object_or_404(amendments_visible_to(request.user), pk=pk)
    try:
        added = roll_forward_figures(amendment=amendment, acting_user=request.user)
    except REFUSALS as error:
        refuse(request, error)
    else:
        if added:
            messages.success(
                request, _("%(count)s figures for the new year were added; check each one.") % {"count": added}
            )
        else:
            messages.info(request, _("Every item of the committee already has a figure for the new year."))
    return redirect("drafting:amendment_edit", amendment.pk)
