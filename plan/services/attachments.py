"""Adding and taking off the supporting documents of amendments and revisions. A file is checked
whole before anything is written (its size, its type read from its bytes, its name's ending
against that type), stored under a random name, and recorded with its SHA-256 in the same
transaction as its audit event; if that transaction fails, the stored bytes are deleted again."""

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import chain
from audit.services import audit_record
from core.errors import BaznegarError, NotAllowed
from core.files import clean_file_name, name_ending, sniff
from people.models import User
from plan import diff as plan_diff
from plan.changesets import ChangesetInvalid
from plan.models import Amendment, Attachment, Revision
from plan.selectors.attachments import amendment_fingerprint, files_shown, may_attach, revision_fingerprint


def register_audit_actions() -> None:
    chain.register_action("plan.amendment.attach", gettext_lazy("Document attached to an amendment"))
    chain.register_action("plan.amendment.detach", gettext_lazy("Document removed from an amendment"))
    chain.register_action("plan.revision.attach", gettext_lazy("Document attached to a revision"))
    chain.register_action("plan.revision.detach", gettext_lazy("Document removed from a revision"))


def _kind(subject) -> str:
    return "amendment" if isinstance(subject, Amendment) else "revision"


def _lock(subject):
    model = type(subject)
    return model.objects.select_for_update(no_key=True).get(pk=subject.pk)


def _check(upload) -> tuple[str, object]:
    """The file's shown name and what its bytes are; a refusal says what is wrong with it."""
    name = clean_file_name(getattr(upload, "name", ""))
    if not name:
        raise BaznegarError(_("the file has no usable name"))
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise BaznegarError(
            _("“%(name)s” is larger than the %(limit)s a document may be")
            % {"name": name, "limit": filesizeformat(limit)}
        )
    found = sniff(upload)
    if found.size == 0:
        raise BaznegarError(_("“%(name)s” is empty") % {"name": name})
    if found.size > limit:
        raise BaznegarError(
            _("“%(name)s” is larger than the %(limit)s a document may be")
            % {"name": name, "limit": filesizeformat(limit)}
        )
    endings = settings.ATTACHMENT_TYPES.get(found.content_type)
    if endings is None:
        raise BaznegarError(
            _(
                "“%(name)s” is not a kind of document accepted here (its content is %(type)s); accepted are "
                "PDF, Word, Excel, PowerPoint, OpenDocument, PNG and JPEG images, and plain text or CSV"
            )
            % {"name": name, "type": found.content_type}
        )
    if name_ending(name) not in endings:
        raise BaznegarError(
            _(
                "“%(name)s” is named as something else than it is: its content is %(type)s, "
                "whose names end in %(endings)s"
            )
            % {"name": name, "type": found.content_type, "endings": " ".join(endings)}
        )
    return name, found


def attachment_add(*, subject: Amendment | Revision, upload, acting_user: User) -> Attachment:
    """Attach an uploaded file to an amendment or a revision."""
    if not may_attach(acting_user, subject):
        raise NotAllowed(_("you may not add documents to this %(kind)s now") % {"kind": _kind_label(subject)})
    name, found = _check(upload)
    stored = Attachment._meta.get_field("file").generate_filename(None, name)
    stored = Attachment._meta.get_field("file").storage.save(stored, upload, max_length=200)
    try:
        return _record(subject, acting_user, name, found, stored)
    except BaseException:
        Attachment._meta.get_field("file").storage.delete(stored)  # nothing half-stored
        raise


@transaction.atomic
def _record(subject, acting_user, name, found, stored) -> Attachment:
    subject = _lock(subject)
    if not may_attach(acting_user, subject):  # decided meanwhile
        raise NotAllowed(_("you may not add documents to this %(kind)s now") % {"kind": _kind_label(subject)})
    kind = _kind(subject)
    if Attachment.objects.filter(**{kind: subject}, removed_at__isnull=True).count() >= (
        settings.ATTACHMENT_MAX_PER_SUBJECT
    ):
        raise BaznegarError(
            _("a %(kind)s has at most %(count)s documents; remove one first")
            % {"kind": _kind_label(subject), "count": settings.ATTACHMENT_MAX_PER_SUBJECT}
        )
    attachment = Attachment.objects.create(
        **{kind: subject},
        name=name,
        file=stored,
        content_type=found.content_type,
        size=found.size,
        sha256=found.sha256,
        uploaded_by=acting_user,
    )
    _audit(f"plan.{kind}.attach", acting_user, subject, attachment)
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, acting_user: User) -> Attachment:
    """Take a document off its subject. The row and the bytes stay, for the decisions that showed it."""
    subject = _lock(attachment.subject)  # the subject first, as every service does (docs/workflows.md)
    attachment = Attachment.objects.select_for_update(no_key=True).get(pk=attachment.pk)
    if not may_attach(acting_user, subject):
        raise NotAllowed(_("you may not remove documents from this %(kind)s now") % {"kind": _kind_label(subject)})
    if attachment.removed_at is not None:
        raise BaznegarError(_("this document was already removed"))
    attachment.removed_at = timezone.now()
    attachment.removed_by = acting_user
    attachment.save(update_fields=["removed_at", "removed_by"])
    _audit(f"plan.{_kind(subject)}.detach", acting_user, subject, attachment)
    return attachment


def _audit(action: str, actor: User, subject, attachment: Attachment) -> None:
    """The event names the file by its hash, and carries the fingerprint of what a decision on the
    subject now covers, so a signature given before the change is seen to no longer cover it."""
    data = {"attachment": attachment.pk, "name": attachment.name, "sha256": attachment.sha256, "size": attachment.size}
    if isinstance(subject, Amendment):
        try:
            data["fingerprint"] = amendment_fingerprint(subject)
        except ChangesetInvalid:  # a text that no longer applies still gets its file recorded
            data["fingerprint"] = plan_diff.fingerprint([], files_shown(subject))
    else:
        data["fingerprint"] = revision_fingerprint(subject)
    audit_record(action=action, actor=actor, obj=subject, data=data)


def _kind_label(subject) -> str:
    return _("amendment") if isinstance(subject, Amendment) else _("revision")
