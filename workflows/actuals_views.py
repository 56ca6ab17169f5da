"""The year's actuals: a committee member enters the figures, a chair confirms or returns them.
Thin: parse, call the services, render what the selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from approvals.selectors import actual_reports_visible_to, may_act_on, reporting_committees
from core.errors import REFUSALS, refuse
from plan.review import review_workbook
from plan.selectors import version_in_force, version_state
from plan.selectors.actuals import (
    committee_items,
    confirmed_figures,
    progress_years,
    report_lines,
    reporting_years,
    shown_year,
    year_review,
)
from plan.views import requested_plan, requested_year
from workflows.forms import ActualsDecisionForm, ActualsForm
from workflows.letters import review_pdf
from workflows.selectors import open_task
from workflows.services import actuals_decide, actuals_enter


@login_required
def actuals_new(request):
    """Choose a committee and a year, then type the figures beside their targets and budgets."""
    committees = list(reporting_committees(request.user))
    if not committees:
        raise Http404
    committee = next((c for c in committees if c.code == request.GET.get("committee")), committees[0])
    years = reporting_years(committee.plan)
    year = requested_year(request, years)
    state = version_state(version_in_force(committee.plan))
    items = committee_items(state, committee)
    form = ActualsForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            report = actuals_enter(
                committee=committee,
                year=year,
                entries=form.entries(),
                acting_user=request.user,
                note=form.cleaned_data.get("note", ""),
            )
        except REFUSALS as error:
            refuse(form, error)
        else:
            messages.success(request, _("Your figures were sent to the committee's chair for confirmation."))
            return redirect("actuals:report", report.pk)
    in_force = confirmed_figures(committee.plan, year)
    return render(
        request,
        "workflows/actuals_new.html",
        {
            "committees": committees,
            "committee": committee,
            "years": years,
            "year": year,
            "form": form,
            "rows": [
                {
                    "item": item,
                    "line": line,
                    "target": item.get(f"targets.{year}")
                    if item["kind"] == "indicator"
                    else item.get(f"budgets.{year}"),
                    "in_force": in_force.get(item["code"]),
                }
                for item, line in zip(items, form.lines, strict=True)
            ],
        },
    )


@login_required
def actuals_report(request, pk):
    """A report: its figures against the targets, what each corrects, and the chair's decision."""
    report = get_object_or_404(actual_reports_visible_to(request.user), pk=pk)
    task = open_task(report)
    form = None
    if task is not None and may_act_on(request.user, task.pk):
        form = ActualsDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                actuals_decide(
                    task=task,
                    acting_user=request.user,
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data.get("reason", ""),
                )
            except REFUSALS as error:
                refuse(form, error)
            else:
                messages.success(request, _("Your decision was recorded."))
                return redirect("actuals:report", report.pk)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "workflows/actuals_report.html",
        {"report": report, "lines": report_lines(report), "form": form, "task": task},
    )


@login_required
def year_review_download(request, fmt: str):
    """The year in review, for the whole plan or one committee, as XLSX or PDF."""
    plan = requested_plan(request)
    year = requested_year(request, progress_years(plan), shown_year(plan, progress_years(plan)))
    code = request.GET.get("committee")
    committee = get_object_or_404(plan.committees, code=code) if code else None
    review = year_review(plan, year, committee=committee)
    name = f"review-{year}{'-' + committee.code if committee else ''}"
    if fmt == "xlsx":
        response = HttpResponse(
            review_workbook(review), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(review_pdf(review), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response
