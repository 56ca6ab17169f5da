"""The supporting documents of an amendment or a revision: which are shown with its text, and
who may add or remove them."""

from django.db.models import Q

from people.models import User
from people.selectors import explicit_permissions, holds_object_right, holds_role_right
from plan import diff as plan_diff
from plan.changesets import ChangesetInvalid
from plan.models import REVISION_CLOSED, Amendment, Attachment, Revision
from plan.selectors import amendment_preview

EDITABLE_AMENDMENT = (Amendment.Status.DRAFT, Amendment.Status.RETURNED)


def attachments_of(subject, *, removed: bool = False):
    """A subject's documents in the order they came; with `removed`, those taken off too."""
    rows = Attachment.objects.filter(**{_field(subject): subject}).select_related("uploaded_by", "removed_by")
    return rows if removed else rows.filter(removed_at__isnull=True)


def _field(subject) -> str:
    return "amendment" if isinstance(subject, Amendment) else "revision"


def files_shown(subject) -> list[dict]:
    """The documents in front of a person deciding on the subject, as a decision records them: an
    amendment's own; for a revision, its own and those of every amendment it carries."""
    condition = Q(**{_field(subject): subject})
    if isinstance(subject, Revision):
        condition |= Q(amendment__in=subject.amendments.all())
    rows = Attachment.objects.filter(condition, removed_at__isnull=True).order_by("pk")
    return [row.shown() for row in rows]


def may_attach(user: User, subject) -> bool:
    """Who may add or take off a subject's documents, and when: an amendment's while its text can
    change (a draft, or returned), by the members of its committee (the integration working group
    for its own amendments); a revision's while it is open, by the integration working group."""
    if not user.is_authenticated or not user.is_active:
        return False
    if isinstance(subject, Amendment):
        if subject.status not in EDITABLE_AMENDMENT:
            return False
        if subject.committee_id is None:
            return "plan.integrate_amendment" in explicit_permissions(user)
        return holds_object_right(user, "plan.draft_amendment", subject.committee)
    return subject.status not in REVISION_CLOSED and holds_role_right(
        user, "plan.integrate_amendment", subject.plan.municipality_id
    )


def amendment_fingerprint(amendment: Amendment) -> str:
    """The fingerprint of what a person deciding on the amendment now reads: its diff and its
    documents (raises ChangesetInvalid when the text no longer applies)."""
    entries = amendment_preview(amendment).entries if amendment.operations.exists() else []
    return plan_diff.fingerprint(entries, files_shown(amendment))


def revision_fingerprint(revision: Revision) -> str:
    """The fingerprint of what a person deciding on the revision now reads: its amendments' diffs in
    order (one that no longer applies left out, as its page leaves it out) and every document
    shown (the revision's and its amendments', those of an amendment left out included)."""
    entries = []
    for amendment in revision.amendments.select_related("plan", "base_version", "committee").order_by("pk"):
        try:
            entries.extend(amendment_preview(amendment).entries)
        except ChangesetInvalid:
            continue
    return plan_diff.fingerprint(entries, files_shown(revision))
