"""The approver's pages: dashboard (inbox, queue, archive) and claiming. Thin: parse, check, call
a service or a selector, render."""

import dataclasses
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from guardian.shortcuts import get_objects_for_user

from approvals import exports
from approvals.forms import AuditFilterForm, DelegationForm, PreferencesForm, TokenForm
from approvals.selectors import (
    AuditQuery,
    amendment_timeline,
    archive,
    audit_events_page,
    audit_plans,
    committee_amendments,
    committees_in_view,
    inbox_page,
    item_audit_history,
    lunar_year_to_confirm,
    overdue_page,
    queue_page,
    revision_timeline,
    revisions_visible_to,
    signed_text_drift,
    workload,
)
from audit import chain
from audit.models import AuditEvent, AuditVerification
from audit.selectors import inclusion_proof, latest_head, seals_of
from audit.services import audit_chain_verify_request
from core.db_router import reads_from_replica, streamed_from_replica
from core.errors import REFUSALS, refuse
from core.jalali import localize_digits, normalize_persian, parse_jalali_date
from core.middleware import long_database_work
from people import second_factor
from people.models import AccessToken, Delegation, User
from people.roles import Role
from people.services import delegation_create, delegation_revoke, user_preferences_set
from people.tokens import token_create, token_revoke
from plan.models import REVISION_CLOSED, Amendment, Committee, Revision
from plan.selectors import (
    CommitteeNotFound,
    committee_named,
    committees_for_filters,
    plans_of_roles,
    plans_visible_to,
)
from plan.selectors.actuals import committees_progress, progress_years, shown_year


def _filters(request):
    """Committee, stage and due-date filters from the query string; a bad date is a message, not a 500."""
    committee = None
    code = request.GET.get("committee")
    if code:
        try:
            committee = committee_named(code, user=request.user)
        except CommitteeNotFound as missing:
            messages.error(request, str(missing))
    due_before = None
    if request.GET.get("due_before"):
        try:
            due_before = parse_jalali_date(request.GET["due_before"])
        except REFUSALS as error:
            refuse(request, error)
    return {"committee": committee, "stage": request.GET.get("stage") or None, "due_before": due_before}


TASKS_ON_DASHBOARD = 10


@login_required
def dashboard(request):
    filters = _filters(request)
    role_values = set(request.user.groups.values_list("name", flat=True))
    archive_filters = {k: v for k, v in filters.items() if k != "due_before"}
    work = workload(request.user)
    # the most urgent of each; the inbox and queue pages list everything
    waiting = inbox_page(work, per_page=TASKS_ON_DASHBOARD, **filters)
    claimable = queue_page(work, per_page=TASKS_ON_DASHBOARD, **filters)
    today = timezone.localdate()
    return render(
        request,
        "approvals/dashboard.html",
        {
            # who keeps the calendar is told while next year's lunar holidays wait for confirmation
            "lunar_year": lunar_year_to_confirm(request.user, today),
            "roles": [role for role in Role if role.value in role_values],
            "inbox": waiting,
            "queue": claimable,
            "today": today,
            "overdue": overdue_page(work, today=today),
            "committee_amendments": committee_amendments(request.user),
            "revisions": revisions_visible_to(request.user)
            .exclude(status__in=REVISION_CLOSED)
            .select_related("plan")
            .order_by("-created_at")[:5],
            "archive": archive(request.user, limit=20, **archive_filters),
            "committees": committees_for_filters(request.user),
            "filters": filters,
            "query": request.GET,
            "can_draft": get_objects_for_user(
                request.user, "plan.draft_amendment", klass=Committee, accept_global_perms=False, with_superuser=False
            ).exists(),
            "progress": _dashboard_progress(request.user),
        },
    )


def _dashboard_progress(user):
    """The standing, in the latest year with figures, of the committees whose work the person reads
    as a whole (`committees_in_view`); None when they read none, or there is no plan."""
    plan = plans_visible_to(user).first()
    codes = committees_in_view(user)
    if plan is None or codes == set():
        return None
    year = shown_year(plan, progress_years(plan))
    return committees_progress(plan, year, codes) if year else None


TASKS_PER_LIST_PAGE = 50


@login_required
def task_list(request, which: str):
    """Everything in one's inbox, or in the queues one may claim from: paged, most urgent first,
    with the dashboard's filters."""
    filters = _filters(request)
    page_of = inbox_page if which == "inbox" else queue_page
    tasks = page_of(workload(request.user), number=request.GET.get("page"), per_page=TASKS_PER_LIST_PAGE, **filters)
    return render(
        request,
        "approvals/task_list.html",
        {
            "which": which,
            "mine": which == "inbox",
            "tasks": tasks,
            "today": timezone.localdate(),
            "committees": committees_for_filters(request.user),
            "filters": filters,
            "query": request.GET,
        },
    )


# ---------------------------------------------------------------------------------------------
# The auditor's pages: read-only, refused (404) to anyone without the right to read the trail


def auditor_required(view):
    """Auditors and administrators read the trail; to anyone else the pages do not exist."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm("audit.view_auditevent"):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@auditor_required
@reads_from_replica
def audit_events_view(request):
    form = AuditFilterForm(request.GET or None, user=request.user)
    page, status = None, 200
    if form.is_bound and not form.is_valid():
        status = 400  # the filter is wrong: say where, show nothing rather than everything
    else:
        query = form.query() if form.is_bound else AuditQuery()
        query = dataclasses.replace(query, plans=audit_plans(request.user))  # the cities they audit
        cursor = form.cleaned_data if form.is_bound else {}
        page = audit_events_page(query, before=cursor.get("before"), after=cursor.get("after"))
    params = request.GET.copy()
    for key in ("before", "after"):
        params.pop(key, None)
    return render(
        request,
        "approvals/audit_events.html",
        {"form": form, "page": page, "filter_query": params.urlencode()},
        status=status,
    )


def _export_query(request):
    form = AuditFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return None, form
    query = form.query() if form.is_bound else AuditQuery()
    return dataclasses.replace(query, plans=audit_plans(request.user)), form


def _export_name(extension: str) -> str:
    return f"baznegar-audit-{timezone.now():%Y%m%dT%H%M%SZ}.{extension}"


@auditor_required
@long_database_work
@reads_from_replica
def audit_export_csv(request):
    query, form = _export_query(request)
    if query is None:
        return render(request, "approvals/audit_events.html", {"form": form, "page": None}, status=400)
    lines = streamed_from_replica(exports.audit_csv_lines(query))  # read while sent, after this returns
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv")}"'
    return response


@auditor_required
@long_database_work
@reads_from_replica
def audit_export_xlsx(request):
    query, form = _export_query(request)
    if query is None:
        return render(request, "approvals/audit_events.html", {"form": form, "page": None}, status=400)
    if exports.audit_xlsx_too_large(query):
        messages.error(
            request,
            _("More than %(count)s events match: narrow the filter, or export them as CSV, which has no limit.")
            % {"count": localize_digits(f"{exports.XLSX_MAX_ROWS:,}")},
        )
        return redirect(f"{reverse('audit:events')}?{request.GET.urlencode()}")
    response = HttpResponse(
        exports.audit_xlsx(query),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("xlsx")}"'
    return response


@auditor_required
def audit_event_view(request, pk):
    event = get_object_or_404(AuditEvent, pk=pk)
    plans = audit_plans(request.user)
    if plans is not None and event.scope_plan not in plans:
        raise Http404  # another city's, or an event of no city
    return render(
        request,
        "approvals/audit_event.html",
        {
            "event": event,
            "hash_matches": chain.content_hash(event) == event.hash,
            "seal": seals_of([event.pk]).get(event.pk),  # None: recorded, sealing
            "proof": inclusion_proof(event.pk),
            "action_label": chain.action_label(event.action),
        },
    )


@auditor_required
@reads_from_replica
def audit_amendment_timeline(request, pk):
    amendment = get_object_or_404(
        Amendment.objects.select_related("plan", "committee", "drafted_by").filter(
            plan__in=plans_of_roles(request.user)  # where the auditor's role applies, as for the events
        ),
        pk=pk,
    )
    timeline = amendment_timeline(amendment)
    return render(
        request,
        "approvals/audit_timeline.html",
        {
            "subject": amendment,
            "kind": "amendment",
            "timeline": timeline,
            "drift": signed_text_drift(amendment, timeline),
        },
    )


@auditor_required
@reads_from_replica
def audit_revision_timeline(request, pk):
    revision = get_object_or_404(
        Revision.objects.select_related("plan", "issued_version").filter(plan__in=plans_of_roles(request.user)),
        pk=pk,
    )
    return render(
        request,
        "approvals/audit_timeline.html",
        {"subject": revision, "kind": "revision", "timeline": revision_timeline(revision), "drift": False},
    )


@auditor_required
@reads_from_replica
def audit_item_history(request):
    plans = list(plans_of_roles(request.user))
    plan = next((p for p in plans if str(p.pk) == request.GET.get("plan")), plans[0] if plans else None)
    code = normalize_persian(request.GET.get("code", "")).strip().upper()
    changes = []
    if code and plan is not None:
        changes = item_audit_history(plan, code)
        if not changes:
            messages.error(request, _("The plan has no item with the code “%(code)s”.") % {"code": code})
    return render(
        request,
        "approvals/audit_item.html",
        {"plans": plans, "plan": plan, "code": code, "changes": changes},
    )


@auditor_required
def audit_verification_view(request):
    if request.method == "POST":
        if not request.user.has_perm("audit.add_auditverification"):
            raise PermissionDenied  # auditors read; only administrators start a check
        try:
            audit_chain_verify_request(requested_by=request.user)
            messages.success(request, _("The check has started; its result appears here when it ends."))
        except Exception:  # the broker is down: say so, change nothing
            messages.error(request, _("The check could not be started now; try again in a few minutes."))
        return redirect("audit:verification")
    checks = list(AuditVerification.objects.order_by("-checked_at", "-pk")[:20])
    return render(
        request,
        "approvals/audit_verification.html",
        {
            "latest": checks[0] if checks else None,
            "checks": checks,
            "last_ok": next((c for c in checks if c.ok), None),
            "head": latest_head(),
            "schedule": settings.CELERY_BEAT_SCHEDULE.get("verify-audit-chain-daily", {}).get("schedule"),
        },
    )


# ---------------------------------------------------------------------------------------------
# The person's own page: language, email, delegation


@login_required
def profile(request):
    user = request.user
    preferences = PreferencesForm(instance=user, prefix="pref")
    delegation_form = DelegationForm(delegator=user, prefix="del")
    if request.method == "POST" and "pref-language" in request.POST:
        preferences = PreferencesForm(request.POST, instance=User.objects.get(pk=user.pk), prefix="pref")
        if preferences.is_valid():
            user_preferences_set(
                user=user,
                language=preferences.cleaned_data["language"],
                email_preference=preferences.cleaned_data["email_preference"],
            )
            translation.activate(user.language)
            messages.success(request, _("Your preferences were saved."))
            response = redirect("profile")
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax", secure=request.is_secure()
            )
            return response
    elif request.method == "POST":
        delegation_form = DelegationForm(request.POST, delegator=user, prefix="del")
        if delegation_form.is_valid():
            try:
                delegation_create(
                    delegator=user,
                    substitute=delegation_form.cleaned_data["substitute"],
                    starts_on=delegation_form.cleaned_data["starts_on"],
                    ends_on=delegation_form.cleaned_data["ends_on"],
                )
            except REFUSALS as error:
                refuse(delegation_form, error)
            else:
                messages.success(request, _("The delegation was saved."))
                return redirect("profile")
    return render(
        request,
        "approvals/profile.html",
        {
            "preferences": preferences,
            "delegation_form": delegation_form,
            "given": Delegation.objects.filter(delegator=user).select_related("substitute").order_by("-starts_on"),
            "received": Delegation.objects.filter(substitute=user, revoked_at__isnull=True)
            .select_related("delegator")
            .order_by("-starts_on"),
            "roles": [role for role in Role if role.value in set(user.groups.values_list("name", flat=True))],
            "memberships": user.memberships.select_related("committee"),
            "today": timezone.localdate(),
            "tokens": user.access_tokens.order_by("-created_at"),
            "token_form": TokenForm(prefix="tok"),
            "new_token": getattr(request, "_new_token", None),
            "second_factor_on": second_factor.enrolled(user),
            "second_factor_required": second_factor.second_factor_required(user),
        },
    )


@login_required
@require_POST
def token_new(request):
    """Make a personal access token; the answer is the profile with the secret shown this once (never
    stored in a message or the session)."""
    form = TokenForm(request.POST, prefix="tok")
    if form.is_valid():
        try:
            _token, request._new_token = token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
            )
        except REFUSALS as error:
            refuse(request, error)
    else:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    request.method = "GET"  # the profile as it is now, with the secret once
    response = profile(request)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke_view(request, pk):
    token = get_object_or_404(AccessToken, pk=pk, user=request.user)
    try:
        token_revoke(token=token, acting_user=request.user)
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(request, _("The token was revoked."))
    return redirect("profile")


@login_required
@require_POST
def delegation_revoke_view(request, pk):
    delegation = get_object_or_404(Delegation, pk=pk, delegator=request.user, revoked_at__isnull=True)
    delegation_revoke(delegation=delegation, acting_user=request.user)
    messages.success(request, _("The delegation was revoked."))
    return redirect("profile")
