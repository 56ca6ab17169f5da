"""The text a revision's decision is taken on: the package's entries, read against the version in force."""

from django.utils.translation import gettext as _

from plan.changesets import ChangesetInvalid
from plan.models import Revision
from plan.selectors import amendment_preview
from workflows.services.steps import DecisionRefused


def _read_against(revision: Revision):
    """The issued version a revision's text is read against: its amendments' common base (after
    an issuance, the version it was issued on); None when the bases differ."""
    if revision.issued_version_id:
        return revision.plan.versions.filter(number=revision.issued_version.number - 1).first()
    bases = set(revision.amendments.values_list("base_version_id", flat=True))
    if len(bases) == 1:
        return revision.plan.versions.get(pk=bases.pop())
    return None


def _audited(value):
    if isinstance(value, list | tuple | set):
        return sorted(str(v) for v in value)
    return str(value)


def _revision_entries(revision: Revision, *, lenient: bool = False) -> list[dict]:
    """The revision's combined diff, the text its deciders sign: every amendment's entries, in order.

    An amendment whose text no longer applies refuses a decision that takes the package forward;
    with `lenient` (an exit: remove, return, withdraw, reject ...) it is left out of the text."""
    entries = []
    for amendment in revision.amendments.select_related("plan", "base_version", "committee").order_by("pk"):
        try:
            entries.extend(amendment_preview(amendment).entries)
        except ChangesetInvalid as invalid:
            if not lenient:
                raise DecisionRefused(
                    _("amendment “%(title)s” no longer applies: %(problems)s")
                    % {"title": amendment.title, "problems": "; ".join(invalid.messages)}
                ) from None
    return entries
