"""The signed-in person's notifications: list, and mark read. Thin: selectors and a service."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from notifications.events import render as render_notification
from notifications.selectors import notifications_for
from notifications.services import notification_mark_read


@login_required
def notification_list(request):
    items = [(n, render_notification(n)) for n in notifications_for(request.user, limit=100)]
    return render(request, "notifications/list.html", {"items": items})


@login_required
@require_POST
def notification_read(request):
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    notification_mark_read(user=request.user, notification_ids=ids)
    return redirect("notifications:list")
