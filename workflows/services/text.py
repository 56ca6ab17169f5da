"""The text a revision's decision is taken on: the package's entries, read against the version in force."""

from django.utils.translation import gettext as _

from plan.changesets import ChangesetInvalid
from plan.models import IssuedVersion, Revision
from plan.selectors import amendment_preview
from workflows.services.steps import DecisionRefused


def _audited(value):
    if isinstance(value, list | tuple | set):
        return sorted(str(v) for v in value)
    return str(value)


def _revision_text(revision: Revision, *, lenient: bool = False) -> tuple[list[dict], IssuedVersion | None]:
    """The revision's combined diff, the text its deciders sign (every amendment's entries, in
    order), and the issued version it is read against (the amendments' common base; after an
    issuance, the version it was issued on; None when the bases differ): the package read once.

    An amendment whose text no longer applies refuses a decision that takes the package forward;
    with `lenient` (an exit: remove, return, withdraw, reject ...) it is left out of the text."""
    amendments = list(revision.amendments.select_related("plan", "base_version", "committee").order_by("pk"))
    entries = []
    for amendment in amendments:
        try:
            entries.extend(amendment_preview(amendment).entries)
        except ChangesetInvalid as invalid:
            if not lenient:
                raise DecisionRefused(
                    _("amendment “%(title)s” no longer applies: %(problems)s")
                    % {"title": amendment.title, "problems": "; ".join(invalid.messages)}
                ) from None
    if revision.issued_version_id:
        against = revision.plan.versions.filter(number=revision.issued_version.number - 1).first()
    else:
        bases = {amendment.base_version_id: amendment.base_version for amendment in amendments}
        against = bases.popitem()[1] if len(bases) == 1 else None
    return entries, against


def _revision_entries(revision: Revision, *, lenient: bool = False) -> list[dict]:
    """The revision's combined diff alone (see `_revision_text`)."""
    return _revision_text(revision, lenient=lenient)[0]
