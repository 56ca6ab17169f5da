"""The councils' steps: the policy council's decision, the city council's recorded session and vote,
its reconsideration after an objection, and a dispute's outcome."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import CouncilVote
from core.jalali import format_jalali, normalize_persian
from plan.models import Revision
from rules.models import CouncilRules
from rules.selectors import council_rules
from workflows.services.conformity import _notify_governorate
from workflows.services.steps import DecisionRefused, _set_status

# a session is recorded after it sat, and within the year: an older date is a typing slip (a Jalali
# date sent as an ISO one reads as the year 1404 AD), and one before 622 AD has no Jalali date at all
SESSION_AT_MOST_DAYS_OLD = 366


def _policy_council(*, revision, outcome, reason, user, details, acting_for=None):
    _set_status(
        revision,
        {
            "approve": Revision.Status.CITY_COUNCIL,
            "return": Revision.Status.ASSEMBLING,
            "reject": Revision.Status.REJECTED,
        }[outcome],
    )


def _record_vote(*, revision, user, details, must_pass: bool) -> CouncilVote:
    rules = council_rules(revision.plan.municipality_id)  # its city's council
    try:
        present = int(details["present"])
        votes = [int(details[k]) for k in ("votes_for", "votes_against", "abstentions")]
        session_date = details["session_date"]
        resolution_number = normalize_persian(str(details["resolution_number"]))  # an identifier
    except (KeyError, TypeError, ValueError):
        raise DecisionRefused(
            _("record the session date, the resolution number, those present and the votes for, against and abstaining")
        ) from None
    if not resolution_number:
        raise DecisionRefused(_("the resolution number is required"))
    today = timezone.localdate()
    earliest = today - dt.timedelta(days=SESSION_AT_MOST_DAYS_OLD)
    if not isinstance(session_date, dt.date) or not earliest <= session_date <= today:
        raise DecisionRefused(
            _("the session date must fall between %(earliest)s and today") % {"earliest": format_jalali(earliest)}
        )
    if present > rules.members or sum(votes) > present or min([present, *votes]) < 0:
        raise DecisionRefused(
            _("the tally does not add up: %(members)s members, %(present)s present, %(cast)s votes cast")
            % {"members": rules.members, "present": present, "cast": sum(votes)}
        )
    if present < rules.quorum:
        raise DecisionRefused(
            _("the session had no quorum: %(present)s present, %(quorum)s needed")
            % {"present": present, "quorum": rules.quorum}
        )
    base = present if rules.majority == CouncilRules.Majority.OF_PRESENT else rules.members
    passed = votes[0] * 2 > base
    if must_pass and not passed:
        raise DecisionRefused(
            _("the resolution did not pass: %(for)s for, more than half of %(base)s needed")
            % {"for": votes[0], "base": base}
        )
    return CouncilVote.objects.create(
        revision=revision,
        session_date=session_date,
        resolution_number=resolution_number,
        members=rules.members,
        present=present,
        votes_for=votes[0],
        votes_against=votes[1],
        abstentions=votes[2],
        passed=passed,
        recorded_by=user,
    )


def _city_council(*, revision, outcome, reason, user, details, acting_for=None):
    if outcome == "return":
        _set_status(revision, Revision.Status.ASSEMBLING)
        return
    vote = _record_vote(revision=revision, user=user, details=details, must_pass=outcome != "reject")
    if outcome == "reject":
        if vote.passed:
            raise DecisionRefused(_("the vote passed: record it as an approval"))
        _set_status(revision, Revision.Status.REJECTED)
        return
    if outcome == "approve_partial":
        excluded = [int(pk) for pk in details.get("excluded", [])]
        kept = revision.amendments.exclude(pk__in=excluded)
        if not excluded or not kept.exists() or revision.amendments.filter(pk__in=excluded).count() != len(excluded):
            raise DecisionRefused(_("name the amendments not approved; at least one must remain"))
        # amendments left out go back to the integration working group for a later revision
        vote.excluded_amendments.set(excluded)
        revision.amendments.remove(*excluded)
    _notify_governorate(revision=revision, vote=vote, details=details)


def _reconsideration(*, revision, outcome, reason, user, details, acting_for=None):
    if outcome == "insist":
        _set_status(revision, Revision.Status.DISPUTE)


def _dispute(*, revision, outcome, reason, user, details, acting_for=None):
    _set_status(revision, Revision.Status.CONFIRMED if outcome == "upheld" else Revision.Status.REJECTED)
