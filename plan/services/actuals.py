"""Writes of the actuals: a committee's report of a year entered, then confirmed or returned.

Nothing entered is ever changed: a correction is a new entry naming the figure it replaces, and
confirming it moves the "in force" mark from the old figure to the new one, so the record keeps
both. A report with any problem is refused whole, every problem named.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import chain
from audit.services import audit_record
from core.errors import BaznegarError
from core.jalali import jalali_year, tidy_text
from people.models import User
from plan.items import normalize_code, normalize_number, owner_committee
from plan.models import Actual, ActualReport, Committee, Plan
from plan.schema import BUDGET_LIMIT, Kind
from plan.selectors import version_in_force, version_state
from plan.selectors.actuals import REPORTED_KINDS, first_years, reportable_years

FIELDS_OF = {Kind.INDICATOR: ("value",), Kind.PROJECT: ("progress", "spend")}
TEXT_LIMIT = 300


def register_audit_actions() -> None:
    chain.register_action("plan.actuals.enter", gettext_lazy("Actuals entered"))
    chain.register_action("plan.actuals.confirm", gettext_lazy("Actuals confirmed"))
    chain.register_action("plan.actuals.return", gettext_lazy("Actuals returned"))


class ActualsInvalid(BaznegarError):
    """Every problem of a report; nothing was written."""


def _clean_entry(raw: dict, item: dict | None, year: int, *, committee: Committee, state, first_year) -> tuple:
    """(the entry's columns, problems) for one line of a report."""
    code = raw["code"]
    problems = []

    def problem(message):
        problems.append(f"{code}: {message}")

    if item is None or item["kind"] not in REPORTED_KINDS:
        problem(_("there is no indicator or project with this code in the plan in force"))
        return None, problems
    if owner_committee(state, code) != committee.code:
        problem(_("your committee does not own this item"))
        return None, problems
    if first_year is not None and year < first_year:
        problem(
            _("the item entered the plan with the %(first)s horizon: it has no figure for %(year)s")
            % {
                "first": first_year,
                "year": year,
            }
        )
    kind = item["kind"]
    wrong = [
        name
        for name in ("value", "progress", "spend")
        if name not in FIELDS_OF[kind] and raw.get(name) not in (None, "")
    ]
    if wrong:
        problem(
            _("an indicator takes its achieved value, not progress or spend")
            if kind == Kind.INDICATOR
            else _("a project takes its physical progress and spend, not a value")
        )
    columns = {"code": code, "kind": kind, "year": year}
    for name in FIELDS_OF[kind]:
        text = raw.get(name)
        if text in (None, ""):
            columns[name] = None
            continue
        number = normalize_number(text)
        if number is None:
            problem(_("“%(value)s” is not a number") % {"value": text})
            columns[name] = None
        elif name == "progress" and not 0 <= number <= 100:
            problem(_("progress is a percentage from 0 to 100"))
        elif name == "spend" and (not isinstance(number, int) or number < 0):
            problem(_("spend is a whole number of rials, not negative"))
        elif name == "spend" and number > BUDGET_LIMIT:
            problem(_("spend is at most %(limit)s rials") % {"limit": f"{BUDGET_LIMIT:,}"})
        elif name == "value" and abs(number) >= 10**20:
            problem(_("the value is too large"))
        else:
            columns[name] = Decimal(str(number)) if name != "spend" else number
    if all(columns.get(name) is None for name in FIELDS_OF[kind]) and not wrong:
        problem(
            _("enter the achieved value")
            if kind == Kind.INDICATOR
            else _("enter the physical progress, the spend, or both")
        )
    for name in ("source", "evidence", "over_budget_reason"):
        columns[name] = tidy_text(raw.get(name) or "")
    if len(columns["source"]) > TEXT_LIMIT:
        problem(_("the source is at most %(limit)s characters") % {"limit": TEXT_LIMIT})
    budget = item.get(f"budgets.{year}")
    spend = columns.get("spend")
    if spend is not None and budget is not None and spend > budget and not columns["over_budget_reason"]:
        problem(
            _("the spend %(spend)s is beyond the year's budget %(budget)s: say why")
            % {"spend": f"{spend:,}", "budget": f"{int(budget):,}"}
        )
    return columns, problems


@transaction.atomic
def actual_report_create(
    *, plan: Plan, committee: Committee, year, entries: list[dict], entered_by: User, note: str = ""
) -> ActualReport:
    """Write a committee's report of a year, waiting for its chair; refused whole if any line is
    wrong. A line for a figure already confirmed is a correction of it."""
    # one report of a committee at a time: two members sending the same figure both find the other's
    committee = Committee.objects.select_for_update(no_key=True).get(pk=committee.pk)
    version = version_in_force(plan)
    if version is None:
        raise ActualsInvalid(_("the plan has no issued version"))
    if committee.plan_id != plan.pk:
        raise ActualsInvalid(_("the committee belongs to another plan"))
    state = version_state(version)
    problems: list[str] = []
    year = normalize_number(year)
    open_years = reportable_years(state, plan)
    if not isinstance(year, int) or year not in open_years:
        raise ActualsInvalid(
            _("actuals are entered for a year from %(first)s to %(last)s (the horizon in force and the year it closed)")
            % {"first": open_years[0], "last": open_years[-1]}
        )
    if year > jalali_year(timezone.localdate()):
        raise ActualsInvalid(_("the year %(year)s has not begun") % {"year": year})
    lines = [dict(entry, code=normalize_code(entry.get("code", "")).upper()) for entry in entries]
    lines = [line for line in lines if line["code"]]
    if not lines:
        raise ActualsInvalid(_("the report has no figure"))
    seen = set()
    for line in lines:
        if line["code"] in seen:
            problems.append(_("%(code)s appears twice in the report") % {"code": line["code"]})
        seen.add(line["code"])
    firsts = first_years(plan, sorted(seen))
    # a figure already waiting in another report is decided there first
    waiting = set(
        Actual.objects.filter(
            plan=plan, year=year, code__in=seen, report__status=ActualReport.Status.PENDING
        ).values_list("code", flat=True)
    )
    for code in sorted(waiting):
        problems.append(_("%(code)s: a figure for %(year)s already waits for the chair") % {"code": code, "year": year})
    in_force = {a.code: a for a in Actual.objects.filter(plan=plan, year=year, code__in=seen, current=True)}
    rows = []
    for line in lines:
        columns, found = _clean_entry(
            line, state.get(line["code"]), year, committee=committee, state=state, first_year=firsts.get(line["code"])
        )
        problems += found
        if columns is not None and not found:
            rows.append(columns)
    note = tidy_text(note or "")
    if problems:
        raise ActualsInvalid(problems)
    report = ActualReport.objects.create(plan=plan, committee=committee, year=year, entered_by=entered_by, note=note)
    Actual.objects.bulk_create(
        [Actual(report=report, plan=plan, supersedes=in_force.get(row["code"]), **row) for row in rows]
    )
    audit_record(
        action="plan.actuals.enter",
        actor=entered_by,
        obj=report,
        data={
            "year": year,
            "entries": len(rows),
            "corrections": sorted(row["code"] for row in rows if row["code"] in in_force),
        },
    )
    return report


def actual_report_confirm(*, report: ActualReport, decided_by: User, on_behalf_of: User | None = None) -> None:
    """The chair confirms: each figure becomes the one in force for its item and year (a corrected
    figure stays, no longer in force). The caller holds the report's lock."""
    entries = list(report.entries.all())
    replaced = [entry.supersedes_id for entry in entries if entry.supersedes_id]
    # whatever is in force now for these items and years gives way (a correction confirmed meanwhile too)
    Actual.objects.filter(
        plan=report.plan_id, year=report.year, code__in=[e.code for e in entries], current=True
    ).update(current=False)
    report.entries.update(current=True)
    report.status = ActualReport.Status.CONFIRMED
    report.decided_by, report.decided_at = decided_by, timezone.now()
    report.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        action="plan.actuals.confirm",
        actor=decided_by,
        on_behalf_of=on_behalf_of,
        obj=report,
        data={"year": report.year, "entries": len(entries), "replaced": sorted(replaced)},
    )


def actual_report_return(*, report: ActualReport, decided_by: User, reason: str, on_behalf_of=None) -> None:
    """The chair returns the report with a reason; its figures never count, and may be entered again."""
    report.status = ActualReport.Status.RETURNED
    report.decided_by, report.decided_at, report.reason = decided_by, timezone.now(), tidy_text(reason)
    report.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    audit_record(
        action="plan.actuals.return",
        actor=decided_by,
        on_behalf_of=on_behalf_of,
        obj=report,
        data={"year": report.year, "reason": report.reason},
    )
