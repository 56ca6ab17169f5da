"""The search page: one box over the plan, amendments, their discussion and their documents."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.jalali import tidy_text
from plan.views import requested_plan, requested_version
from workflows.search_selectors import KINDS, search


@login_required
def search_page(request):
    plan = requested_plan(request)
    every = request.GET.get("versions") == "all"
    version = None if every else requested_version(plan, request.GET.get("version"))
    kind = request.GET.get("kind") if request.GET.get("kind") in KINDS else None
    query = tidy_text(request.GET.get("q", ""))[:200]
    results = search(request.user, query, plan=plan, version=version, every_version=every, kind=kind)
    return render(
        request,
        "workflows/search.html",
        {
            "results": results,
            "query": query,
            "plan": plan,
            "every": every,
            "kind": kind or "",
            "versions": plan.versions.order_by("-number"),
        },
    )
