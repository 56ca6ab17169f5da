"""The plan browser: any issued version as a tree, search, committee filter, and the diff between
two versions. Thin: parse, read through selectors, render."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from guardian.shortcuts import get_objects_for_user

from core.jalali import normalize_persian, tidy_text
from plan import diff as plan_diff
from plan.models import Committee, IssuedVersion, Plan
from plan.selectors import (
    diff_display,
    plan_tree,
    plans_visible_to,
    version_horizons,
    version_in_force,
    version_state,
    versions_diff,
)
from plan.selectors.actuals import (
    REPORTED_KINDS,
    item_chart,
    item_fields,
    item_record,
    item_standing,
    item_years_progress,
    progress_overview,
    progress_years,
    shown_year,
    status_chart,
    yearly_rows,
)


def requested_plan(request) -> Plan:
    """The plan a page is about: `?plan=<code>`, else the first one; 404 when there is none, or it
    is another city's."""
    code = request.GET.get("plan")
    plans = plans_visible_to(request.user)
    plans = plans.filter(code=code) if code else plans
    plan = plans.first()
    if plan is None:
        raise Http404(_("There is no plan yet."))
    return plan


def requested_version(plan, raw) -> IssuedVersion:
    if raw in (None, ""):
        version = version_in_force(plan)
        if version is None:
            raise Http404(_("There is no plan yet."))
        return version
    try:
        number = int(normalize_persian(str(raw)))
    except ValueError:
        raise Http404(_("No such version.")) from None
    return get_object_or_404(IssuedVersion, plan=plan, number=number)


@login_required
def plan_browser(request):
    plan = requested_plan(request)
    version = requested_version(plan, request.GET.get("version"))
    query = tidy_text(request.GET.get("q", ""))  # shown back as typed; the selector folds digits to match
    committee = request.GET.get("committee") or None
    tree = plan_tree(version, query=query, committee=committee)
    year = shown_year(plan, progress_years(plan))
    return render(
        request,
        "plan/browser.html",
        {
            "plan": plan,
            "version": version,
            "versions": plan.versions.order_by("-number"),
            "committees": plan.committees.all(),
            "tree": tree,
            "query": query,
            "committee": committee,
            "in_force": version_in_force(plan),
            "horizons": version_horizons(version),
            # the version in force shows how each indicator and project did in the latest year begun
            "standing": item_standing(plan, year) if version == version_in_force(plan) and year else None,
            "standing_year": year,
        },
    )


@login_required
def plan_diff_view(request):
    plan = requested_plan(request)
    in_force = requested_version(plan, None)
    old = requested_version(plan, request.GET.get("from") or max(in_force.number - 1, 1))
    new = requested_version(plan, request.GET.get("to") or in_force.number)
    entries = versions_diff(old, new)
    fingerprint = plan_diff.fingerprint(entries)  # of the data itself, before anything is added for display
    shown = diff_display(entries)
    return render(
        request,
        "plan/diff.html",
        {
            "plan": plan,
            "old": old,
            "new": new,
            "versions": plan.versions.order_by("-number"),
            "entries": shown,
            "summary": plan_diff.summary(entries),
            "fingerprint": fingerprint,
        },
    )


def requested_year(request, years: list[int], default: int | None = None) -> int:
    """The year asked for (any digits), else `default` or the latest; 404 outside the years."""
    raw = request.GET.get("year")
    if not years:
        raise Http404(_("No year of the plan has begun."))
    if raw in (None, ""):
        return default or years[-1]
    try:
        year = int(normalize_persian(str(raw)))
    except ValueError:
        raise Http404(_("No such year.")) from None
    if year not in years:
        raise Http404(_("No such year."))
    return year


@login_required
def progress_view(request):
    """How the plan is doing in a year: the whole, each objective and output, each committee and
    portfolio, as charts with their tables."""
    plan = requested_plan(request)
    years = progress_years(plan)
    if not years:  # nothing has begun: a page that says so, not a 404 behind a menu link
        return render(request, "plan/progress.html", {"plan": plan, "years": [], "overview": None})
    year = requested_year(request, years, shown_year(plan, years))
    committee = request.GET.get("committee") or None
    if committee and not plan.committees.filter(code=committee).exists():
        raise Http404(_("No such committee."))
    overview = progress_overview(plan, year, committee=committee)
    if overview is None:
        raise Http404(_("There is no plan yet."))
    chart = status_chart(overview["committees"], [row["name"] for row in overview["committees"]])
    return render(
        request,
        "plan/progress.html",
        {
            "plan": plan,
            "years": years,
            "year": year,
            "committee": committee,
            "committees": plan.committees.all(),
            "overview": overview,
            "chart": chart,
            "can_enter": Committee.objects.filter(
                pk__in=get_objects_for_user(
                    request.user,
                    "plan.draft_amendment",
                    klass=Committee,
                    accept_global_perms=False,
                    with_superuser=False,
                )
            ).exists(),
        },
    )


@login_required
def item_view(request, code: str):
    """One item of the version in force: its fields, its progress year by year (a chart and its
    table) and every figure ever entered for it, corrections kept."""
    plan = requested_plan(request)
    version = version_in_force(plan)
    if version is None:
        raise Http404(_("There is no plan yet."))
    item = version_state(version).get(normalize_persian(code).upper())
    if item is None:
        raise Http404(_("No such item in the plan in force."))
    years = progress_years(plan)
    yearly = item_years_progress(plan, item, years) if item["kind"] in REPORTED_KINDS else []
    return render(
        request,
        "plan/item.html",
        {
            "plan": plan,
            "version": version,
            "item": item,
            "fields": item_fields(item),
            "yearly": yearly_rows(yearly),
            "chart": item_chart(item, yearly),
            "record": item_record(plan, item["code"]) if item["kind"] in REPORTED_KINDS else [],
        },
    )
