"""Reads of the actuals and of progress: a year's confirmed figures, the roll-up of a version
against them, an item's record year by year, and what a committee may still report."""

from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from core.jalali import jalali_year
from plan import progress as plan_progress
from plan.items import State, horizons, item_from_row, owner_committee
from plan.models import Actual, ActualReport, Committee, IssuedVersion, Plan, PlanItem, ProgressRules
from plan.schema import FIELDS, HORIZON_CODE, Kind, field_label
from plan.selectors import _valid_at, code_sort_key, derived_cache, version_in_force, version_state

REPORTED_KINDS = (Kind.INDICATOR, Kind.PROJECT)


def thresholds(plan: Plan) -> plan_progress.Thresholds:
    return plan_progress.Thresholds.of(ProgressRules.objects.filter(plan=plan).first())


def confirmed_figures(plan: Plan, year: int) -> dict[str, plan_progress.Figure]:
    """Code → the confirmed figure in force for a year (one indexed read)."""
    rows = Actual.objects.filter(plan=plan, year=year, current=True).values_list("code", "value", "progress", "spend")
    return {
        code: plan_progress.Figure(
            value=float(value) if value is not None else None,
            progress=float(progress) if progress is not None else None,
            spend=spend,
        )
        for code, value, progress, spend in rows.iterator(chunk_size=5000)
    }


def version_for_year(plan: Plan, year: int) -> IssuedVersion | None:
    """The version a year is judged against: the newest whose operational horizon holds it. A year a
    roll-forward closed keeps the targets and budgets it had then (a budget added for a later year
    does not rewrite how an earlier year went); an open year is judged against the version in force."""
    in_force = version_in_force(plan)
    if in_force is None:
        return None
    newest = None
    rows = PlanItem.objects.filter(plan=plan, code=HORIZON_CODE).values_list("valid_to", "attributes")
    for valid_to, attributes in rows:
        if attributes.get("operational_start", 0) <= year <= attributes.get("operational_end", 0):
            last = valid_to - 1 if valid_to is not None else in_force.number
            newest = max(newest or 0, last)
    if newest is None or newest == in_force.number:
        return in_force
    return IssuedVersion.objects.filter(plan=plan, number=newest).first() or in_force


def cached_rollup(plan: Plan, version: IssuedVersion, year: int) -> plan_progress.Rollup:
    """A version's roll-up for a year, computed once while nothing it depends on changes: the version
    (its fingerprint), the confirmed figures (each confirmation moves the marker read here, in one
    small query) and the thresholds. Callers must not mutate it."""
    rules = thresholds(plan)
    marker = ActualReport.objects.filter(plan=plan, status=ActualReport.Status.CONFIRMED).aggregate(
        n=Count("pk"), last=Max("decided_at")
    )
    key = ("rollup", plan.pk, version.pk, version.fingerprint, year, marker["n"], marker["last"], rules)
    result = derived_cache.get(key)
    if result is None:
        result = plan_progress.rollup(version_state(version), year, confirmed_figures(plan, year), rules)
        derived_cache.put(key, result)
    return result


def reportable_years(state: State, plan: Plan) -> range:
    """The years figures may be entered for: the operational horizon in force, and the year the last
    roll-forward closed (its figures are known only after it ends). Older years are the record."""
    found = horizons(state, plan)
    first, last = found["operational"]
    return range(max(first - 1, found["strategic"][0]), last + 1)


def reporting_years(plan: Plan, *, today=None, version: IssuedVersion | None = None) -> list[int]:
    """The years a committee may report on now: the reportable years that have begun."""
    version = version or version_in_force(plan)
    if version is None:
        return []
    current = jalali_year(today or timezone.localdate())
    return [year for year in reportable_years(version_state(version), plan) if year <= current]


def plan_rollup(plan: Plan, year: int, *, version: IssuedVersion | None = None) -> plan_progress.Rollup | None:
    """The year's progress against the version it is judged by (or another), rolled up; None without one."""
    version = version or version_for_year(plan, year)
    if version is None:
        return None
    return cached_rollup(plan, version, year)


def progress_years(plan: Plan, version: IssuedVersion | None = None) -> list[int]:
    """The years with a target or budget in the version that have begun: the closed ones (the record)
    and the horizon's, in order."""
    version = version or version_in_force(plan)
    if version is None:
        return []
    state = version_state(version)
    first = horizons(state, plan)["strategic"][0]
    current = jalali_year(timezone.localdate())
    last = min(horizons(state, plan)["operational"][1], current)
    return list(range(first, last + 1)) if first <= last else []


def item_standing(plan: Plan, year: int) -> dict[str, dict]:
    """Code → each indicator's and project's standing in a year (the plan browser's column)."""
    version = version_for_year(plan, year)
    if version is None:
        return {}
    result = cached_rollup(plan, version, year)
    return {
        code: {
            "progress": progress,
            "status_label": plan_progress.STATUS_LABELS[progress.status],
            "percent": None if progress.score is None else round(progress.score * 100),
        }
        for code, progress in result.items.items()
    }


def shown_year(plan: Plan, years: list[int]) -> int | None:
    """The year a page shows first: the latest of these with confirmed figures, else the latest."""
    if not years:
        return None
    reported = Actual.objects.filter(plan=plan, current=True, year__in=years).aggregate(Max("year"))["year__max"]
    return reported or years[-1]


def item_record(plan: Plan, code: str) -> list[Actual]:
    """Every figure ever confirmed for an item, newest first, with its report (a correction keeps the
    figure it replaced)."""
    # confirmed figures only: what waits for a chair, or was returned, is its committee's to read
    return list(
        Actual.objects.filter(plan=plan, code=code, report__status=ActualReport.Status.CONFIRMED)
        .select_related("report", "report__entered_by", "report__decided_by", "supersedes")
        .order_by("-year", "-pk")
    )


def item_years_progress(plan: Plan, item: dict, years: list[int]) -> list[tuple[int, plan_progress.Progress]]:
    """An indicator's or project's progress for each year (its chart and table)."""
    rows = Actual.objects.filter(plan=plan, code=item["code"], current=True, year__in=years)
    figures = {
        row.year: plan_progress.Figure(
            value=float(row.value) if row.value is not None else None,
            progress=float(row.progress) if row.progress is not None else None,
            spend=row.spend,
        )
        for row in rows
    }
    rules = thresholds(plan)
    return [(year, plan_progress.item_progress(item, year, figures.get(year), rules)) for year in years]


def yearly_rows(yearly: list[tuple[int, plan_progress.Progress]]) -> list[dict]:
    return [
        {
            "year": year,
            "progress": p,
            "status_label": plan_progress.STATUS_LABELS[p.status],
            "percent": None if p.score is None else round(p.score * 100),
        }
        for year, p in yearly
    ]


def first_years(plan: Plan, codes: list[str]) -> dict[str, int]:
    """The first year each item could be reported on: the first operational year of the version
    that first issued it (an item added in the 1404–1408 version has nothing to say about 1403)."""
    firsts = dict(
        PlanItem.objects.filter(plan=plan, code__in=codes)
        .values("code")
        .annotate(first=Min("valid_from"))
        .values_list("code", "first")
    )
    years = {}
    for number in set(firsts.values()):
        row = (
            PlanItem.objects.filter(_valid_at(number), plan=plan, code=HORIZON_CODE)
            .values_list("code", "kind", "parent_code", "name_fa", "name_en", "attributes")
            .first()
        )
        state = {HORIZON_CODE: item_from_row(*row)} if row else {}
        years[number] = horizons(state, plan)["operational"][0]
    return {code: years[number] for code, number in firsts.items()}


def committee_items(state: State, committee: Committee) -> list[dict]:
    """The indicators and projects a committee owns in a state, in code order."""
    outputs = {c for c, i in state.items() if i["kind"] == Kind.OUTPUT and i.get("committee") == committee.code}
    return sorted(
        (i for i in state.values() if i["kind"] in REPORTED_KINDS and i.get("parent") in outputs),
        key=lambda i: code_sort_key(i["code"]),
    )


def reports_of(committee: Committee):
    return ActualReport.objects.filter(committee=committee).select_related("entered_by", "decided_by")


def _row(item: dict, progress: plan_progress.Progress) -> dict:
    return {
        "code": item["code"],
        "name": item.get("name_fa", ""),
        "kind": item["kind"],
        "progress": progress,
        "status_label": plan_progress.STATUS_LABELS[progress.status],
        "percent": None if progress.score is None else round(progress.score * 100),
    }


def progress_overview(plan: Plan, year: int, *, committee: str | None = None) -> dict | None:
    """The year's progress for the pages: the plan, each objective with its outputs (and their
    indicators and projects), each committee and portfolio; limited to one committee's outputs when
    asked. None when no version is issued."""
    version = version_for_year(plan, year)
    if version is None:
        return None
    state = version_state(version)
    result = cached_rollup(plan, version, year)
    children: dict[str, list[str]] = {}
    for code, item in state.items():
        if item.get("parent"):
            children.setdefault(item["parent"], []).append(code)
    objectives = []
    for code in sorted(result.objectives, key=code_sort_key):
        outputs = []
        for output in sorted(children.get(code, []), key=code_sort_key):
            item = state[output]
            if item["kind"] != Kind.OUTPUT or (committee and item.get("committee") != committee):
                continue
            # one committee's page lists every item; the whole plan's, each output's standing and counts
            below = (
                [
                    _row(state[c], result.items[c])
                    for c in sorted(children.get(output, []), key=code_sort_key)
                    if c in result.items
                ]
                if committee
                else []
            )
            outputs.append({**_row(item, result.outputs[output]), "committee": item.get("committee"), "items": below})
        if outputs:
            objectives.append({**_row(state[code], result.objectives[code]), "outputs": outputs})
    committees = {c.code: c for c in plan.committees.all()}
    return {
        "version": version,
        "year": year,
        "progress_row": {
            "progress": result.plan,
            "status_label": plan_progress.STATUS_LABELS[result.plan.status],
            "percent": None if result.plan.score is None else round(result.plan.score * 100),
        },
        "thresholds": ProgressRules.objects.filter(plan=plan).first() or ProgressRules(plan=plan),
        "objectives": objectives,
        "committees": [
            {
                "code": code,
                "name": committees[code].name_fa if code in committees else code,
                "progress": result.committees[code],
                "status_label": plan_progress.STATUS_LABELS[result.committees[code].status],
                "percent": None
                if result.committees[code].score is None
                else round(result.committees[code].score * 100),
            }
            for code in sorted(result.committees, key=lambda c: (committees[c].position if c in committees else 0, c))
            if not committee or code == committee
        ],
        "portfolios": [
            _row(state[code], result.portfolios[code])
            for code in sorted(result.portfolios, key=code_sort_key)
            if not committee
        ],
    }


def status_chart(rows: list[dict], labels: list[str]) -> dict:
    """A stacked bar chart's data: one bar per row (a committee), one stack per status, with the
    words and colours the page's legend and table use."""
    return _with_rows(
        {
            "type": "stacked",
            "labels": labels,
            "series": [
                {
                    "status": status,
                    "label": str(plan_progress.STATUS_LABELS[status]),
                    "values": [row["progress"].counts.get(status, 0) for row in rows],
                }
                for status in plan_progress.STATUSES
            ],
        }
    )


def item_fields(item: dict) -> list[tuple[str, object]]:
    """An item's fields in a person's words, per-year figures year by year, in the schema's order."""
    rows = []
    for spec in FIELDS.get(item["kind"], ()):
        if spec.per_year:
            prefix = spec.name + "."
            for key in sorted(k for k in item if k.startswith(prefix)):
                rows.append((field_label(item["kind"], key), item[key]))
        elif item.get(spec.name) not in (None, ""):
            rows.append((field_label(item["kind"], spec.name), item[spec.name]))
    return rows


def item_chart(item: dict, yearly: list[tuple[int, plan_progress.Progress]]) -> dict | None:
    """A line chart's data for an item: the target and the actual year by year (an indicator), or
    the planned and the actual physical progress (a project)."""
    if not yearly:
        return None
    labels = [str(year) for year, _progress in yearly]
    if item["kind"] == Kind.INDICATOR:
        series = [
            {"label": _("target"), "values": [p.target for _year, p in yearly], "status": "target"},
            {"label": _("achieved"), "values": [p.actual for _year, p in yearly], "status": "actual"},
        ]
    else:
        series = [
            {"label": _("planned progress (percent)"), "values": [p.planned for _y, p in yearly], "status": "target"},
            {"label": _("physical progress (percent)"), "values": [p.actual for _y, p in yearly], "status": "actual"},
        ]
    return _with_rows({"type": "line", "labels": labels, "series": series})


def _with_rows(chart: dict) -> dict:
    """The chart's table: one row per label with each series' value (the same figures as the chart)."""
    chart["rows"] = [(label, [s["values"][i] for s in chart["series"]]) for i, label in enumerate(chart["labels"])]
    return chart


def report_lines(report: ActualReport) -> list[dict]:
    """A report's figures, each with the item as the plan in force has it, the year's target or
    planned progress, the standing the figure gives, and the figure it corrects."""
    version = version_in_force(report.plan)
    state = version_state(version) if version else {}
    rules = thresholds(report.plan)
    lines = []
    for entry in report.entries.select_related("supersedes").order_by("code"):
        item = state.get(entry.code, {"code": entry.code, "kind": entry.kind, "name_fa": ""})
        figure = plan_progress.Figure(
            value=float(entry.value) if entry.value is not None else None,
            progress=float(entry.progress) if entry.progress is not None else None,
            spend=entry.spend,
        )
        progress = plan_progress.item_progress(item, report.year, figure, rules)
        lines.append(
            {
                "entry": entry,
                "item": item,
                "progress": progress,
                "status_label": plan_progress.STATUS_LABELS[progress.status],
                "percent": None if progress.score is None else round(progress.score * 100),
            }
        )
    return lines


def committees_progress(plan: Plan, year: int, codes: set[str] | None = None) -> dict | None:
    """Each committee's standing in a year (all, or those named), with its chart: the dashboards'."""
    version = version_for_year(plan, year)
    if version is None:
        return None
    result = cached_rollup(plan, version, year)
    rows = [
        {
            "code": committee.code,
            "name": committee.name_fa,
            "progress": result.committees.get(committee.code) or plan_progress.Progress(plan_progress.UNREPORTED),
        }
        for committee in plan.committees.order_by("position", "code")
        if codes is None or committee.code in codes
    ]
    for row in rows:
        row["status_label"] = plan_progress.STATUS_LABELS[row["progress"].status]
        row["percent"] = None if row["progress"].score is None else round(row["progress"].score * 100)
    return {"year": year, "rows": rows, "chart": status_chart(rows, [row["name"] for row in rows])}


def year_review(plan: Plan, year: int, *, committee: Committee | None = None) -> dict | None:
    """The year in review: every indicator and project (of one committee, or all) with its target or
    planned progress, what was confirmed, its standing; each committee's and the whole plan's."""
    version = version_for_year(plan, year)
    if version is None:
        return None
    state = version_state(version)
    result = cached_rollup(plan, version, year)
    names = {c.code: c.name_fa for c in plan.committees.all()}
    rows = []
    for code in sorted(result.items, key=code_sort_key):
        item = state[code]
        owner = owner_committee(state, code)
        if committee is not None and owner != committee.code:
            continue
        progress = result.items[code]
        rows.append(
            {
                **_row(item, progress),
                "committee": names.get(owner, ""),
                "unit": item.get("unit", "") if item["kind"] == Kind.INDICATOR else "%",
                "target": progress.target if item["kind"] == Kind.INDICATOR else progress.planned,
                "actual": progress.actual,
            }
        )
    committees = [
        {
            "code": code,
            "name": names.get(code, code),
            "progress": result.committees[code],
            "status_label": plan_progress.STATUS_LABELS[result.committees[code].status],
            "percent": None if result.committees[code].score is None else round(result.committees[code].score * 100),
        }
        for code in sorted(result.committees, key=lambda c: list(names).index(c) if c in names else 0)
        if committee is None or code == committee.code
    ]
    whole = result.committees.get(committee.code) if committee is not None else result.plan
    whole = whole or plan_progress.Progress(plan_progress.UNREPORTED)
    return {
        "plan": plan,
        "version": version,
        "year": year,
        "committee": committee,
        "rows": rows,
        "committees": committees,
        "whole": {
            "progress": whole,
            "status_label": plan_progress.STATUS_LABELS[whole.status],
            "percent": None if whole.score is None else round(whole.score * 100),
        },
    }
