"""The rolling year: the integration working group moves the operational horizon on by a year,
and each committee drafts its figures for the new year from a prefilled start."""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import NotAllowed
from core.jalali import tidy_text
from notifications.services import notify
from people.models import User
from people.selectors import holds_role_right
from plan.items import horizon_item, horizons
from plan.models import REVISION_CLOSED, Amendment, HorizonRoll, Plan
from plan.rolling import prefill_operations
from plan.schema import HORIZON_CODE, Kind
from plan.selectors import (
    amendment_operations,
    amendment_preview,
    pending_roll,
    version_in_force,
    version_state,
)
from plan.services import amendment_create, amendment_operations_set, require_drafter
from workflows.services.steps import DecisionRefused


@transaction.atomic
def roll_forward_start(
    *, plan: Plan, acting_user: User, indicator_rule: str, project_rule: str, justification: str = ""
) -> HorizonRoll:
    """An amendment of the integration working group that moves the operational horizon on by a
    year, accepted into the pool for the year's revision; every committee member is told to draft
    the new year's targets and budgets (prefilled by the rules chosen here)."""
    if not holds_role_right(acting_user, "plan.integrate_amendment", plan.municipality_id):
        raise NotAllowed(_("only the integration working group rolls the horizon forward"))
    plan = Plan.objects.select_for_update(no_key=True).get(pk=plan.pk)  # one roll-forward at a time
    rules = {choice for choice, _label in HorizonRoll.Rule.choices}
    if indicator_rule not in rules or project_rule not in rules:
        raise DecisionRefused(_("choose how the new year's figures are prefilled"))
    waiting = pending_roll(plan)
    if waiting is not None:
        raise DecisionRefused(
            _("amendment %(id)s already moves the horizon to %(first)s–%(last)s and is not issued yet")
            % {"id": waiting.amendment_id, "first": waiting.to_start, "last": waiting.to_end}
        )
    version = version_in_force(plan)
    if version is None:
        raise DecisionRefused(_("the plan has no issued version to amend"))
    state = version_state(version)
    current = horizons(state, plan)
    first, last = current["operational"]
    new_first, new_last = first + 1, last + 1
    if new_last > current["strategic"][1]:
        raise DecisionRefused(
            _("the strategic horizon ends in %(last)s: the operational horizon cannot move to %(first)s–%(new)s")
            % {"last": current["strategic"][1], "first": new_first, "new": new_last}
        )
    why = tidy_text(justification) or _("The plan rolls on: the operational horizon moves to %(first)s–%(last)s.") % {
        "first": new_first,
        "last": new_last,
    }
    if HORIZON_CODE in state:
        operation = {
            "action": "change",
            "code": HORIZON_CODE,
            "values": {
                "operational_start": {"old": first, "new": new_first},
                "operational_end": {"old": last, "new": new_last},
            },
            "justification": why,
        }
    else:  # a version issued before the horizons were content: they become content now
        item = horizon_item(strategic=current["strategic"], operational=(new_first, new_last))
        values = {k: v for k, v in item.items() if k not in ("code", "kind", "parent")}
        operation = {
            "action": "add",
            "code": HORIZON_CODE,
            "kind": Kind.HORIZON,
            "values": values,
            "justification": why,
        }
    amendment = amendment_create(
        plan=plan,
        drafted_by=acting_user,
        title=_("Roll the operational horizon forward to %(first)s–%(last)s") % {"first": new_first, "last": new_last},
        summary=why,
    )
    amendment_operations_set(amendment=amendment, operations=[operation], acting_user=acting_user)
    amendment.status = Amendment.Status.ACCEPTED  # the group's own amendment: it goes to the councils in the revision
    amendment.save(update_fields=["status", "updated_at"])
    roll = HorizonRoll.objects.create(
        plan=plan,
        amendment=amendment,
        from_start=first,
        from_end=last,
        to_start=new_first,
        to_end=new_last,
        indicator_rule=indicator_rule,
        project_rule=project_rule,
        created_by=acting_user,
    )
    audit_record(
        action="workflows.horizon.roll_forward",
        actor=acting_user,
        obj=amendment,
        data={
            "from": [first, last],
            "to": [new_first, new_last],
            "indicator_rule": indicator_rule,
            "project_rule": project_rule,
        },
    )
    members = User.objects.filter(memberships__committee__plan=plan, is_active=True).distinct()
    notify(
        recipients=members,
        event="horizon.rolled",
        obj=amendment,
        context={"subject": amendment.title, "year": new_last},
    )
    return roll


@transaction.atomic
def roll_forward_figures(*, amendment: Amendment, acting_user: User) -> int:
    """Add to a committee's draft the new year's targets and budgets its items do not have yet, by
    the roll-forward's rules; returns how many were added (none: nothing left to prefill)."""
    # the draft's operations are read under its lock, so an edit made meanwhile is never lost
    amendment = Amendment.objects.select_for_update(no_key=True).get(pk=amendment.pk)
    require_drafter(amendment, acting_user)
    if amendment.committee_id is None:
        raise DecisionRefused(_("an amendment is drafted for a committee"))
    roll = pending_roll(amendment.plan)
    if roll is None:
        raise DecisionRefused(_("no roll-forward of the horizon is waiting for the year's revision"))
    operations = amendment_operations(amendment)
    state = amendment_preview(amendment).state if operations else version_state(amendment.base_version)
    justification = _("Prefilled for %(year)s: %(rule)s (indicators), %(project_rule)s (projects).") % {
        "year": roll.new_year,
        "rule": roll.get_indicator_rule_display(),
        "project_rule": roll.get_project_rule_display(),
    }
    added = prefill_operations(
        state,
        amendment.committee.code,
        roll.new_year,
        {Kind.INDICATOR: roll.indicator_rule, Kind.PROJECT: roll.project_rule},
        justification,
    )
    if not added:
        return 0
    amendment_operations_set(amendment=amendment, operations=operations + added, acting_user=acting_user)
    audit_record(
        action="workflows.amendment.prefill",
        actor=acting_user,
        obj=amendment,
        data={"year": roll.new_year, "operations": len(added)},
    )
    return len(added)


@transaction.atomic
def roll_forward_cancel(*, roll: HorizonRoll, acting_user: User, reason: str) -> HorizonRoll:
    """The integration working group takes back a roll-forward not in an open revision (its revision
    was rejected, or the year is not to roll after all): the amendment is withdrawn, and another
    roll-forward may be started."""
    if not holds_role_right(acting_user, "plan.integrate_amendment", roll.plan.municipality_id):
        raise NotAllowed(_("only the integration working group rolls the horizon forward"))
    amendment = Amendment.objects.select_for_update(no_key=True).get(pk=roll.amendment_id)
    if amendment.status != Amendment.Status.ACCEPTED:
        raise DecisionRefused(_("this roll-forward was already issued or taken back"))
    if amendment.revisions.exclude(status__in=REVISION_CLOSED).exists():
        raise DecisionRefused(_("the roll-forward is in an open revision: take it out of the revision first"))
    reason = tidy_text(reason)
    if not reason:
        raise DecisionRefused(_("a decision other than approval needs a written reason"))
    amendment.status = Amendment.Status.WITHDRAWN
    amendment.save(update_fields=["status", "updated_at"])
    audit_record(
        action="workflows.horizon.cancel",
        actor=acting_user,
        obj=amendment,
        data={"to": [roll.to_start, roll.to_end], "reason": reason},
    )
    return roll
