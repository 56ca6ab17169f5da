"""A revision's process: started from accepted amendments, assembled, decided step by step, issued."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from approvals.duties import drafted_any
from approvals.models import Decision
from audit.services import audit_record
from core.errors import NotAllowed
from core.jalali import normalize_persian, tidy_text
from notifications.services import notify
from people.models import User
from people.selectors import holds_role_right
from plan import diff as plan_diff
from plan.changesets import ChangesetInvalid
from plan.models import REVISION_CLOSED, Amendment, Revision
from plan.selectors.attachments import files_shown
from plan.services import PlanConflict, amendment_rebase, plan_version_issue
from rules.steps import Step
from workflows.flows import AmendmentFlow, RevisionFlow
from workflows.selectors import (
    OPEN,
    package_conflicts,
)
from workflows.services.conformity import _governorate
from workflows.services.council import _city_council, _dispute, _policy_council, _reconsideration
from workflows.services.letters import letter_due
from workflows.services.steps import (
    DecisionRefused,
    StateChanged,
    _acting_for,
    _advance,
    _guarded,
    _lock_step,
    _set_status,
)
from workflows.services.text import _audited, _revision_text

REVISION_OUTCOMES = {
    Step.ASSEMBLE: {"submit", "add", "remove", "return", "withdraw"},
    Step.POLICY_COUNCIL: {"approve", "return", "reject"},
    Step.CITY_COUNCIL: {"approve", "approve_partial", "return", "reject"},
    Step.GOVERNORATE: {"object", "confirm"},
    Step.RECONSIDERATION: {"amend", "insist"},
    Step.DISPUTE: {"upheld", "overturned"},
    Step.ISSUANCE: {"issue", "reassemble"},
}

NEEDS_REASON = {
    "return",
    "reject",
    "insist",
    "upheld",
    "overturned",
    "approve_partial",
    "remove",
    "withdraw",
    "amend",
    "reassemble",
}

# outcomes that send the package back to assembly: each starts a new round
BACK_TO_ASSEMBLY = {
    ("policy_council", "return"),
    ("city_council", "return"),
    ("reconsideration", "amend"),
    ("issuance", "reassemble"),
}

# outcomes that take nothing forward, or record a fact outside the municipality (the governorate's
# confirmation, the dispute board's ruling): they may be taken on a package whose text no longer
# applies; issuance checks the text again
LENIENT = {
    "remove",
    "return",
    "withdraw",
    "reject",
    "reassemble",
    "insist",
    "overturned",
    "object",
    "amend",
    "confirm",
    "upheld",
    "approve_partial",
    "add",
}

# outcomes that change the package: the decision records the text after the step
TEXT_AFTER = {("issuance", "issue"), ("city_council", "approve_partial"), ("assemble", "add")}

# the details each step's form may send (anything else is dropped before the audit records it)
STEP_DETAILS = {
    Step.ASSEMBLE: {"chosen", "added"},
    Step.CITY_COUNCIL: {
        "session_date",
        "resolution_number",
        "present",
        "votes_for",
        "votes_against",
        "abstentions",
        "notified_on",
        "excluded",
    },
    Step.GOVERNORATE: {"legal_ground"},
    Step.ISSUANCE: {"issuance_number", "issued_at"},
}


@transaction.atomic
def revision_start(*, plan, year: int, title: str, amendments: list[Amendment], acting_user: User) -> Revision:
    """The integration working group puts accepted amendments into the year's revision (one is enough)."""
    if not holds_role_right(acting_user, "plan.integrate_amendment", plan.municipality_id):
        raise NotAllowed(_("only the integration working group assembles a revision"))
    if not amendments:
        raise DecisionRefused(_("a revision needs at least one accepted amendment"))
    amendments = list(
        Amendment.objects.select_for_update(no_key=True).filter(pk__in=[a.pk for a in amendments]).order_by("pk")
    )
    for amendment in amendments:
        _check_poolable(amendment, plan)
    refusal = drafted_any(amendments, [acting_user])
    if refusal:
        raise NotAllowed(refusal)
    revision = Revision(plan=plan, year=year, title=tidy_text(title), created_by=acting_user)
    revision.full_clean()
    revision.save()
    revision.amendments.set(amendments)
    process = RevisionFlow.start.run(subject=revision)
    audit_record(
        action="plan.revision.start",
        actor=acting_user,
        obj=revision,
        data={"process": process.pk, "amendments": sorted(a.pk for a in amendments), "year": year},
    )
    return revision


def revision_decide(
    *,
    task: Task,
    acting_user: User,
    outcome: str,
    reason: str = "",
    on_behalf_of: User | None = None,
    fingerprint: str | None = None,
    **details,
) -> Decision:
    """Take a decision on a revision's step; the step's details (vote, dates, ground) come as keywords.
    With `fingerprint` (what the page showed), a package that changed meanwhile is refused."""
    return _guarded(
        _revision_decide,
        task_pk=task.pk,
        user=acting_user,
        outcome=outcome,
        reason=(reason or "").strip(),
        on_behalf_of=on_behalf_of,
        fingerprint=fingerprint,
        details=details,
    )


def _revision_decide(*, task_pk, user, outcome, reason, on_behalf_of, fingerprint, details) -> Decision:
    step = _lock_step(task_pk=task_pk, flow_class=RevisionFlow, subjects=Revision.objects.select_related("plan"))
    task, revision, name = step.task, step.subject, step.name
    if task.status not in OPEN:
        raise StateChanged(_("this step was already decided"))
    if outcome not in REVISION_OUTCOMES.get(name, ()):
        raise DecisionRefused(_("“%(outcome)s” is not a decision of this step") % {"outcome": outcome})
    acting_for, on_behalf_of = _acting_for(task, user, on_behalf_of)  # with the separation of duties
    if outcome in NEEDS_REASON and not reason:
        raise DecisionRefused(_("a decision other than approval needs a written reason"))
    details = {k: v for k, v in details.items() if k in STEP_DETAILS.get(name, ())}
    entries, against = _revision_text(revision, lenient=outcome in LENIENT)
    files = files_shown(revision)
    if fingerprint is not None and fingerprint != plan_diff.fingerprint(entries, files):
        raise StateChanged(_("the revision changed while you were reading it; review the new version before deciding"))
    round_ = revision.rounds
    _REVISION_STEPS[name](
        revision=revision, outcome=outcome, reason=reason, user=user, details=details, acting_for=acting_for
    )
    if (name, outcome) in TEXT_AFTER:
        # the package changed (amendments left out or added, or rebased at issuance): the decision
        # is on the text after the step
        entries, against = _revision_text(revision)
        files = files_shown(revision)
    if (name, outcome) in BACK_TO_ASSEMBLY:
        revision.rounds += 1
        revision.status = Revision.Status.ASSEMBLING
        revision.save(update_fields=["rounds", "status"])
    if (name, outcome) in BACK_TO_ASSEMBLY or outcome in ("reject", "overturned"):
        _tell_drafters(revision, name, outcome, reason)
    fingerprint = plan_diff.fingerprint(entries, files)
    decision = Decision.objects.create(
        task=task,
        revision=revision,
        step=name,
        outcome=outcome,
        reason=reason,
        round=round_,
        decided_by=user,
        on_behalf_of=on_behalf_of,
        diff_fingerprint=fingerprint,
        diff=entries,
        files=files,
        against_version=against,
    )
    task = _advance(step, outcome, acting_for)
    audit_record(
        action="plan.revision.decide",
        actor=user,
        on_behalf_of=on_behalf_of,
        obj=revision,
        data={
            "step": name,
            "outcome": outcome,
            "reason": reason,
            "task": task.pk,
            "decision": decision.pk,
            "fingerprint": fingerprint,
            "status": revision.status,
            "round": round_,
            **{k: _audited(v) for k, v in details.items()},
        },
    )
    return decision


def _tell_drafters(revision: Revision, step: str, outcome: str, reason: str) -> None:
    """The drafters of a package's amendments, told when it goes back to assembly or is rejected."""
    drafters = [a.drafted_by for a in revision.amendments.select_related("drafted_by")]
    notify(
        recipients=drafters,
        event={
            "reassemble": "revision.reassembled",
            "reject": "revision.rejected",
            "overturned": "revision.rejected",
        }.get(outcome, "revision.returned"),
        obj=revision,
        context={"subject": revision.title, "step": step, "reason": reason},
    )


def _chosen_amendments(revision: Revision, details: dict) -> list[Amendment]:
    """The package's amendments a removal or a return names; at least one must stay in the package."""
    try:
        chosen = {int(pk) for pk in details.get("chosen", [])}
    except (TypeError, ValueError):
        chosen = set()
    amendments = list(revision.amendments.select_for_update(no_key=True).filter(pk__in=chosen).order_by("pk"))
    if not chosen or len(amendments) != len(chosen):
        raise DecisionRefused(_("name the amendments of this revision to take out"))
    if revision.amendments.exclude(pk__in=chosen).count() == 0:
        raise DecisionRefused(_("at least one amendment must stay; to take them all out, withdraw the revision"))
    return amendments


def _take_out(*, revision, amendments, outcome, reason, user):
    """Remove amendments from the package: back to the pool (remove), or to their drafters for a
    new drafting round (return). Each amendment keeps a decision saying why, and its drafter is told."""
    revision.amendments.remove(*amendments)
    for amendment in amendments:
        Decision.objects.create(
            amendment=amendment,
            step="assemble",
            outcome=outcome,
            reason=reason,
            round=amendment.rounds,
            decided_by=user,
            against_version=amendment.base_version,
        )
        data = {"revision": revision.pk, "outcome": outcome, "reason": reason}
        if outcome == "return":
            amendment_rebase(amendment=amendment, acting_user=user, force=True)
            amendment.refresh_from_db()
            amendment.status = Amendment.Status.RETURNED
            amendment.rounds += 1
            amendment.save(update_fields=["status", "rounds", "updated_at"])
            process = AmendmentFlow.start.run(subject=amendment)  # a new drafting round, the drafter's
            data["process"] = process.pk
        audit_record(action="workflows.amendment.package", actor=user, obj=amendment, data=data)
        notify(
            recipients=[amendment.drafted_by],
            event="amendment.returned" if outcome == "return" else "amendment.removed",
            obj=amendment,
            context={"subject": amendment.title, "step": "assemble", "reason": reason, "revision": revision.title},
        )


def _add_to_package(*, revision, details, user, acting_for=None):
    """Put accepted amendments from the pool into the package (e.g. one its drafter reworked after
    it was returned from this revision): the same checks as assembling a revision."""
    try:
        added = {int(pk) for pk in details.get("added", [])}
    except (TypeError, ValueError):
        added = set()
    amendments = list(Amendment.objects.select_for_update(no_key=True).filter(pk__in=added).order_by("pk"))
    if not added or len(amendments) != len(added):
        raise DecisionRefused(_("name the accepted amendments to add"))
    for amendment in amendments:
        _check_poolable(amendment, revision.plan)
    refusal = drafted_any(amendments, [user, acting_for])
    if refusal:
        raise NotAllowed(refusal)
    revision.amendments.add(*amendments)
    for amendment in amendments:
        audit_record(
            action="workflows.amendment.package",
            actor=user,
            obj=amendment,
            data={"revision": revision.pk, "outcome": "add"},
        )


def _check_poolable(amendment: Amendment, plan) -> None:
    if amendment.plan_id != plan.pk or amendment.status != Amendment.Status.ACCEPTED:
        raise DecisionRefused(_("amendment %(id)s is not an accepted amendment of this plan") % {"id": amendment.pk})
    if amendment.revisions.exclude(status__in=REVISION_CLOSED).exists():
        raise DecisionRefused(_("amendment %(id)s is already in an open revision") % {"id": amendment.pk})


def _package_conflicts(revision: Revision) -> list:
    return package_conflicts(revision.amendments.select_related("plan", "base_version", "committee"))


def _assemble(*, revision, outcome, reason, user, details, acting_for=None):
    if outcome == "add":
        _add_to_package(revision=revision, details=details, user=user, acting_for=acting_for)
        return
    if outcome in ("remove", "return"):
        amendments = _chosen_amendments(revision, details)
        if outcome == "return" and any(a.committee_id is None for a in amendments):
            # the group's own amendment (a roll-forward) has no committee to sign it off again
            raise DecisionRefused(
                _("an amendment of the integration working group is not returned: take it out of the revision")
            )
        _take_out(revision=revision, amendments=amendments, outcome=outcome, reason=reason, user=user)
        return
    if outcome == "withdraw":
        # the revision ends; its amendments are back in the pool for another revision
        _set_status(revision, Revision.Status.WITHDRAWN)
        amendments = list(revision.amendments.select_related("drafted_by"))
        notify(
            recipients=[a.drafted_by for a in amendments],
            event="revision.withdrawn",
            obj=revision,
            context={"subject": revision.title, "reason": reason},
        )
        return
    amendments = list(revision.amendments.all())
    if not amendments:
        raise DecisionRefused(_("a revision needs at least one accepted amendment"))
    conflicts = _package_conflicts(revision)
    if conflicts:
        raise DecisionRefused(
            _("overlapping amendments must be resolved first: %(codes)s")
            % {"codes": ", ".join(sorted({c.code for c in conflicts}))}
        )
    _set_status(revision, Revision.Status.POLICY_COUNCIL)


def _issuance(*, revision, outcome, reason, user, details, acting_for=None):
    if outcome == "reassemble":
        conflicts = _package_conflicts(revision)
        if not conflicts:
            raise DecisionRefused(_("nothing blocks this issuance: issue it"))
        return
    number = normalize_persian(str(details.get("issuance_number") or ""))  # an identifier, looked up later
    if not number:
        raise DecisionRefused(_("the issuance number is required"))
    try:
        version = plan_version_issue(
            plan=revision.plan,
            amendments=list(revision.amendments.order_by("pk")),
            issuance_number=number,
            issued_by=user,
            issued_at=details.get("issued_at") or timezone.now(),
            note=revision.title,
        )
    except (PlanConflict, ChangesetInvalid) as conflict:
        raise DecisionRefused(
            _("%(problem)s. Send the revision back to assembly, naming why.") % {"problem": conflict.messages[0]}
        ) from None
    _issued(revision=revision, version=version, number=number, user=user)


def _issued(*, revision, version, number, user):
    letter_due(version)  # the ابلاغیه: made by a worker once this commits and is sealed
    revision.issued_version = version
    revision.status = Revision.Status.ISSUED
    revision.save(update_fields=["issued_version", "status"])
    # everyone concerned: the drafters, their committees' members, and the people who decided
    amendments = list(revision.amendments.select_related("drafted_by"))
    concerned = [a.drafted_by for a in amendments]
    concerned += list(User.objects.filter(memberships__committee__in=[a.committee_id for a in amendments]))
    concerned += [*User.objects.filter(decisions__revision=revision), user]
    notify(
        recipients=concerned,
        event="revision.issued",
        obj=revision,
        context={"subject": revision.title, "version": version.number, "number": number},
    )


_REVISION_STEPS = {
    Step.ASSEMBLE: _assemble,
    Step.POLICY_COUNCIL: _policy_council,
    Step.CITY_COUNCIL: _city_council,
    Step.GOVERNORATE: _governorate,
    Step.RECONSIDERATION: _reconsideration,
    Step.DISPUTE: _dispute,
    Step.ISSUANCE: _issuance,
}
