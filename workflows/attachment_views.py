"""The documents of amendments and revisions: upload, take off, download. Thin: visibility decides
who may know a document exists (a 404 otherwise), the service decides who may change them."""

import hashlib
import logging
import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from approvals.selectors import amendments_visible_to, revisions_visible_to
from core.errors import REFUSALS, refuse
from core.redirects import back_to
from plan.models import Amendment, Attachment
from plan.services.attachments import attachment_add, attachment_remove

logger = logging.getLogger(__name__)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Document"), allow_empty_file=True)


def _subject(request, kind: str, pk: int):
    visible = amendments_visible_to(request.user) if kind == "amendment" else revisions_visible_to(request.user)
    return get_object_or_404(visible, pk=pk)


def _visible(request, pk) -> Attachment:
    user = request.user
    return get_object_or_404(
        Attachment.objects.select_related("amendment", "revision"),
        Q(amendment__in=amendments_visible_to(user)) | Q(revision__in=revisions_visible_to(user)),
        pk=pk,
    )


def _back(request, subject):
    page = "drafting:amendment_edit" if isinstance(subject, Amendment) else "workflows:revision"
    return back_to(request, "documents", page, subject.pk)


@login_required
@require_POST
def attachment_new(request, kind, pk):
    subject = _subject(request, kind, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return _back(request, subject)
    try:
        attachment = attachment_add(subject=subject, upload=form.cleaned_data["file"], acting_user=request.user)
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(request, _("“%(name)s” was attached.") % {"name": attachment.name})
    return _back(request, subject)


@login_required
@require_POST
def attachment_take_off(request, pk):
    attachment = _visible(request, pk)
    try:
        attachment_remove(attachment=attachment, acting_user=request.user)
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(
            request, _("“%(name)s” was removed; decisions that showed it still name it.") % {"name": attachment.name}
        )
    return _back(request, attachment.subject)


def _verified_copy(attachment: Attachment):
    """The stored bytes, read once into a temporary file while they are hashed, or None when they
    are missing or no longer hash to what was recorded when the file came. What is checked is what
    is sent: the storage is not read a second time."""
    copy = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    digest = hashlib.sha256()
    try:
        with attachment.file.open("rb") as stored:
            for chunk in stored.chunks():
                digest.update(chunk)
                copy.write(chunk)
    except Exception:  # noqa: BLE001 - any storage's "not there" (OSError, an S3 client's error)
        logger.exception("attachment %s: the stored bytes cannot be read", attachment.pk)
        copy.close()
        return None
    if digest.hexdigest() != attachment.sha256:
        copy.close()
        return None
    copy.seek(0)
    return copy


@login_required
@require_GET
def attachment_download(request, pk):
    """The file as it came, only to people who may see its amendment or revision, always as a
    download (never shown inline) with the type read from its bytes when it came. Bytes that no
    longer match their recorded SHA-256 are not served."""
    attachment = _visible(request, pk)
    copy = _verified_copy(attachment)
    if copy is None:
        logger.error("attachment %s: stored bytes missing or not matching SHA-256 %s", attachment.pk, attachment.sha256)
        return render(request, "workflows/attachment_altered.html", {"attachment": attachment}, status=409)
    response = FileResponse(
        copy,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
