"""The plan browser: any issued version as a tree, search, committee filter, and the diff between
two versions. Thin: parse, read through selectors, render."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from core.jalali import normalize_persian, tidy_text
from plan import diff as plan_diff
from plan.models import IssuedVersion, Plan
from plan.selectors import diff_display, plan_tree, version_in_force, versions_diff


def _plan(request) -> Plan:
    code = request.GET.get("plan")
    plans = Plan.objects.filter(code=code) if code else Plan.objects.order_by("pk")
    plan = plans.first()
    if plan is None:
        raise Http404(_("There is no plan yet."))
    return plan


def _version(plan, raw) -> IssuedVersion:
    if raw in (None, ""):
        return version_in_force(plan)
    try:
        number = int(normalize_persian(str(raw)))
    except ValueError:
        raise Http404(_("No such version.")) from None
    return get_object_or_404(IssuedVersion, plan=plan, number=number)


@login_required
def plan_browser(request):
    plan = _plan(request)
    version = _version(plan, request.GET.get("version"))
    query = tidy_text(request.GET.get("q", ""))  # shown back as typed; the selector folds digits to match
    committee = request.GET.get("committee") or None
    tree = plan_tree(version, query=query, committee=committee)
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
        },
    )


@login_required
def plan_diff_view(request):
    plan = _plan(request)
    in_force = version_in_force(plan)
    old = _version(plan, request.GET.get("from") or max(in_force.number - 1, 1))
    new = _version(plan, request.GET.get("to") or in_force.number)
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
