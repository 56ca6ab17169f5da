"""The discussion of an amendment, from its drafting page and its decision pages: post, reply,
edit within the window, resolve a thread. Thin: each calls a service and goes back where it came from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.models import Comment
from approvals.selectors import amendments_visible_to
from core.errors import REFUSALS, refuse
from core.jalali import normalize_persian
from core.redirects import back_to
from workflows.services import comment_edit, comment_post, thread_resolve


def _back(request, amendment):
    return back_to(request, "discussion", "drafting:amendment_edit", amendment.pk)


def _number(raw):
    try:
        return int(normalize_persian(str(raw))) if raw not in (None, "") else None
    except ValueError:
        return -1  # no operation has it: the service refuses


@login_required
@require_POST
def comment_new(request, pk):
    amendment = get_object_or_404(amendments_visible_to(request.user), pk=pk)
    thread_pk = _number(request.POST.get("thread"))
    thread = Comment.objects.filter(pk=thread_pk, amendment=amendment).first() if thread_pk else None
    try:
        comment_post(
            amendment=amendment,
            author=request.user,
            body=request.POST.get("body", ""),
            operation=_number(request.POST.get("operation")),
            thread=thread,
        )
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(request, _("Your comment was added."))
    return _back(request, amendment)


def _visible_comment(request, pk) -> Comment:
    return get_object_or_404(
        Comment.objects.select_related("amendment"), pk=pk, amendment__in=amendments_visible_to(request.user)
    )


@login_required
@require_POST
def comment_change(request, pk):
    comment = _visible_comment(request, pk)
    try:
        comment_edit(comment=comment, author=request.user, body=request.POST.get("body", ""))
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(request, _("The comment was changed; its earlier text is kept."))
    return _back(request, comment.amendment)


@login_required
@require_POST
def comment_resolve(request, pk):
    comment = _visible_comment(request, pk)
    try:
        thread_resolve(comment=comment, acting_user=request.user)
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(request, _("The thread is marked resolved."))
    return _back(request, comment.amendment)
