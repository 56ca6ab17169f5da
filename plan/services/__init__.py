"""Every write of the plan: import, amendments and their operations, rebase, issuance."""

import datetime as dt
import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import chain
from audit.services import audit_record
from core.errors import BaznegarError, NotAllowed
from core.jalali import tidy_text
from people.models import User
from people.selectors import holds_object_right
from plan import diff as plan_diff
from plan import exchange
from plan.changesets import ChangesetInvalid, apply_changeset
from plan.conflicts import find_conflicts
from plan.items import State, row_fields
from plan.models import Amendment, AmendmentOperation, Committee, IssuedVersion, Plan, PlanItem
from plan.selectors import (
    amendment_operations,
    amendment_preview,
    amendment_staleness,
    moves_horizons,
    plan_context,
    rolled_horizon,
    unusable,
    version_horizons,
    version_in_force,
    version_state,
)
from plan.selectors.attachments import files_shown
from plan.services import actuals, attachments


def register_audit_actions() -> None:
    chain.register_action("plan.plan.import", gettext_lazy("Plan imported"))
    chain.register_action("plan.version.issue", gettext_lazy("Plan version issued"))
    chain.register_action("plan.amendment.create", gettext_lazy("Amendment created"))
    chain.register_action("plan.amendment.edit", gettext_lazy("Amendment operations saved"))
    chain.register_action("plan.amendment.rebase", gettext_lazy("Amendment rebased"))
    actuals.register_audit_actions()
    attachments.register_audit_actions()


class PlanConflict(BaznegarError):
    """Changes that collide: the conflicts are listed for a person to resolve."""

    def __init__(self, conflicts, message):
        self.conflicts = conflicts
        super().__init__(message, code="conflict")


def plan_import_file(*, data: bytes, acting_user: User | None = None, code: str | None = None) -> Plan:
    """An exported file as uploaded or read from disk: an XLSX workbook (a zip) or a JSON document."""
    if data.startswith(b"PK"):
        return plan_import(workbook=data, acting_user=acting_user, code=code)
    try:
        document = json.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BaznegarError(_("the file is neither a JSON plan nor an XLSX workbook")) from None
    return plan_import(document=document, acting_user=acting_user, code=code)


@transaction.atomic
def plan_import(
    *,
    document: dict | None = None,
    workbook: bytes | None = None,
    acting_user: User | None = None,
    code: str | None = None,
) -> Plan:
    """Create a plan and its first issued version from an exchange document (JSON's) or an exported
    workbook (XLSX), checked by the same rules; all or nothing."""
    parsed = exchange.parse_workbook(workbook) if workbook is not None else exchange.parse_document(document)
    plan_code = code or parsed.plan["code"]
    if Plan.objects.filter(code=plan_code).exists():
        raise BaznegarError(_("a plan with the code “%(code)s” already exists") % {"code": plan_code})
    plan = Plan(code=plan_code, **{k: v for k, v in parsed.plan.items() if k != "code"})
    plan.full_clean()
    plan.save()
    Committee.objects.bulk_create(
        [Committee(plan=plan, position=i, **committee) for i, committee in enumerate(parsed.committees)]
    )
    version = _write_version(
        plan=plan,
        number=parsed.version.get("number", 1),
        previous=None,
        state=parsed.state,
        issuance_number=parsed.version.get("issuance_number") or "1",
        issued_at=parsed.version.get("issued_at") or timezone.now(),
        issued_by=acting_user,
    )
    audit_record(
        action="plan.plan.import",
        actor=acting_user,
        obj=plan,
        data={
            "version": version.number,
            "items": version.item_count,
            "fingerprint": version.fingerprint,
            "from": "xlsx" if workbook is not None else "json",
        },
    )
    return plan


def _write_version(
    *, plan, number, previous: State | None, state: State, issuance_number, issued_at, issued_by, note=""
) -> IssuedVersion:
    """Store version `number`: close the rows of items that changed, add their new states."""
    previous = previous or {}
    changed = [code for code in state.keys() | previous.keys() if state.get(code) != previous.get(code)]
    closing = [code for code in changed if code in previous]
    if closing:
        PlanItem.objects.filter(plan=plan, code__in=closing, valid_to__isnull=True).update(valid_to=number)
    PlanItem.objects.bulk_create(
        [PlanItem(plan=plan, valid_from=number, **row_fields(state[code])) for code in changed if code in state],
        batch_size=2000,
    )
    version = IssuedVersion(
        plan=plan,
        number=number,
        issuance_number=issuance_number,
        issued_at=issued_at,
        issued_by=issued_by,
        item_count=len(state),
        fingerprint=plan_diff.state_fingerprint(state),
        note=note,
    )
    # the plan row is locked and the person in hand; the numbers' uniqueness is checked before and
    # held by the table's constraints: only the values themselves need checking here
    version.full_clean(exclude={"plan", "issued_by"}, validate_unique=False, validate_constraints=False)
    version.save()
    return version


@transaction.atomic
def amendment_create(
    *, plan: Plan, drafted_by: User, title: str, committee: Committee | None = None, summary: str = ""
) -> Amendment:
    """Start an amendment on the version in force."""
    base = version_in_force(plan)
    if base is None:
        raise BaznegarError(_("the plan has no issued version to amend"))
    amendment = Amendment(
        plan=plan,
        base_version=base,
        committee=committee,
        title=tidy_text(title),
        summary=tidy_text(summary),
        drafted_by=drafted_by,
    )
    amendment.full_clean(exclude={"plan", "base_version", "committee", "drafted_by"})  # rows in hand, not re-read
    amendment.save()
    audit_record(
        action="plan.amendment.create",
        actor=drafted_by,
        obj=amendment,
        data={"base_version": base.number, "committee": committee.code if committee else None},
    )
    return amendment


def require_drafter(amendment: Amendment, user: User) -> None:
    """Refuse anyone but the drafter, and a drafter who has lost their seat on the amendment's
    committee since (a member removed takes no draft further; they may still withdraw it)."""
    if amendment.drafted_by_id != user.pk:
        raise NotAllowed(_("only the drafter edits a draft"))
    if amendment.committee_id is not None and not holds_object_right(user, "plan.draft_amendment", amendment.committee):
        raise NotAllowed(_("you no longer hold a seat on this amendment's committee"))


@transaction.atomic
def amendment_operations_set(*, amendment: Amendment, operations: list[dict], acting_user: User) -> Amendment:
    """Replace an amendment's operations after validating them all against its base; refused whole if invalid."""
    amendment = Amendment.objects.select_for_update(no_key=True).get(pk=amendment.pk)
    if amendment.status not in (Amendment.Status.DRAFT, Amendment.Status.RETURNED):
        raise BaznegarError(_("only a draft or a returned amendment can be edited"))
    require_drafter(amendment, acting_user)
    if not operations:  # the drafter removed the last operation: an empty draft, not a changeset
        amendment.operations.all().delete()
        amendment.save(update_fields=["updated_at"])
        audit_record(action="plan.amendment.edit", actor=acting_user, obj=amendment, data={"operations": 0})
        return amendment
    preview = amendment_preview(amendment, operations=operations)  # raises ChangesetInvalid
    base = version_state(amendment.base_version)
    amendment.operations.all().delete()
    AmendmentOperation.objects.bulk_create(
        [
            AmendmentOperation(
                amendment=amendment,
                position=position,
                action=op["action"],
                code=op["code"],
                kind=op["kind"] or base.get(op["code"], {}).get("kind", ""),
                values=op["values"],
                cascade=op["cascade"],
                justification=op["justification"],
            )
            for position, op in enumerate(preview.applied)
        ]
    )
    amendment.save(update_fields=["updated_at"])
    audit_record(
        action="plan.amendment.edit",
        actor=acting_user,
        obj=amendment,
        data={
            "operations": len(preview.applied),
            "fingerprint": plan_diff.fingerprint(preview.entries, files_shown(amendment)),
        },
    )
    return amendment


@transaction.atomic
def amendment_rebase(*, amendment: Amendment, acting_user: User | None = None, force: bool = False) -> Amendment:
    """Move an amendment drafted on an older version onto the version in force, when nothing it
    touches changed since; otherwise raise PlanConflict naming both sides.

    With `force` (an amendment sent back to its drafter), it moves even over a conflict: the
    drafter then sees, against the version in force, which operations no longer apply."""
    amendment = Amendment.objects.select_for_update(no_key=True).get(pk=amendment.pk)
    try:
        in_force, conflicts = amendment_staleness(amendment)
    except ChangesetInvalid as invalid:  # it no longer applies even to its own base
        if not force:
            raise
        in_force, conflicts = version_in_force(amendment.plan), unusable(amendment, invalid)
    if in_force is None or in_force.pk == amendment.base_version_id:
        return amendment
    if conflicts and not force:
        raise PlanConflict(
            conflicts,
            _("the amendment collides with changes issued since version %(base)s: %(codes)s")
            % {"base": amendment.base_version.number, "codes": ", ".join(sorted({c.code for c in conflicts}))},
        )
    old_base = amendment.base_version
    amendment.base_version = in_force
    amendment.save(update_fields=["base_version", "updated_at"])
    data = {"from_version": old_base.number, "to_version": in_force.number}
    if conflicts:
        data["conflicts"] = sorted({c.code for c in conflicts})
    audit_record(action="plan.amendment.rebase", actor=acting_user, obj=amendment, data=data)
    return amendment


@transaction.atomic
def plan_version_issue(
    *,
    plan: Plan,
    amendments: list[Amendment],
    issuance_number: str,
    issued_by: User | None,
    issued_at: dt.datetime | None = None,
    note: str = "",
) -> IssuedVersion:
    """Apply approved amendments together, producing the next issued version: all or nothing."""
    plan = Plan.objects.select_for_update(no_key=True).get(pk=plan.pk)  # one issuance of a plan at a time
    in_force = version_in_force(plan)
    if not amendments:
        raise BaznegarError(_("an issuance needs at least one amendment"))
    if IssuedVersion.objects.filter(plan=plan, issuance_number=issuance_number).exists():
        raise BaznegarError(_("the issuance number %(number)s is already used") % {"number": issuance_number})
    for amendment in amendments:
        if amendment.plan_id != plan.pk:
            raise BaznegarError(_("amendment %(id)s belongs to another plan") % {"id": amendment.pk})
        if amendment.status == Amendment.Status.ISSUED:
            raise BaznegarError(_("amendment %(id)s was already issued") % {"id": amendment.pk})
        if amendment.base_version_id != in_force.pk:
            amendment_rebase(amendment=amendment, acting_user=issued_by)
            amendment.refresh_from_db()
    # an amendment that moves the horizons goes first: the others' figures may name its new year
    amendments = sorted(amendments, key=lambda a: (not moves_horizons(a), a.pk))
    previews = {amendment: amendment_preview(amendment) for amendment in amendments}
    conflicts = find_conflicts({amendment: preview.footprint for amendment, preview in previews.items()})
    if conflicts:
        raise PlanConflict(
            conflicts,
            _("the amendments collide on %(codes)s; resolve the conflicts first")
            % {"codes": ", ".join(sorted({c.code for c in conflicts}))},
        )
    base = version_state(in_force)
    rolling = rolled_horizon(plan, version_horizons(in_force)["operational"]) is not None
    if len(amendments) == 1 and not rolling:
        state = previews[amendments[0]].state  # already applied to the version in force
    else:
        # together, with the base's own years: the new year's figures pass only behind the roll that opens it
        operations = [op for amendment in amendments for op in amendment_operations(amendment)]
        state, _applied = apply_changeset(base, operations, plan_context(plan, issuing=True))
    version = _write_version(
        plan=plan,
        number=in_force.number + 1,
        previous=base,
        state=state,
        issuance_number=issuance_number,
        issued_at=issued_at or timezone.now(),
        issued_by=issued_by,
        note=note,
    )
    Amendment.objects.filter(pk__in=[a.pk for a in amendments]).update(
        status=Amendment.Status.ISSUED, issued_in=version
    )
    audit_record(
        action="plan.version.issue",
        actor=issued_by,
        obj=version,
        data={
            "number": version.number,
            "issuance_number": issuance_number,
            "amendments": sorted(a.pk for a in amendments),
            "fingerprint": version.fingerprint,
        },
    )
    return version
