"""How the plan is doing: each indicator and project against its target for a year, and the
roll-up to outputs, objectives, committees, portfolios and the whole plan.

Pure functions over a version's state and the confirmed actuals, so the same rules serve the
pages, the year in review and the benchmark. A score is the share of the way made (0 to 1):
for an indicator from its baseline to its target, in its desired direction ("lower is better"
counts a fall as progress); for a project its physical progress against what its budgets plan
by the end of the year. Items without a confirmed figure are left out of every average and
counted as unreported.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from plan.items import State
from plan.schema import Kind

ACHIEVED, ON_TRACK, AT_RISK, OFF_TRACK, UNREPORTED = "achieved", "on_track", "at_risk", "off_track", "unreported"
STATUSES = (ACHIEVED, ON_TRACK, AT_RISK, OFF_TRACK, UNREPORTED)
STATUS_LABELS = {
    ACHIEVED: _("achieved"),
    ON_TRACK: _("on track"),
    AT_RISK: _("at risk"),
    OFF_TRACK: _("off track"),
    UNREPORTED: _("not reported"),
}


@dataclass(frozen=True)
class Thresholds:
    on_track: float = 0.9  # share of the way
    at_risk: float = 0.7

    @classmethod
    def of(cls, rules) -> "Thresholds":
        return cls(on_track=rules.on_track / 100, at_risk=rules.at_risk / 100) if rules is not None else cls()

    def status(self, score: float, achieved: bool) -> str:
        if achieved:
            return ACHIEVED
        if score >= self.on_track:
            return ON_TRACK
        if score >= self.at_risk:
            return AT_RISK
        return OFF_TRACK


@dataclass(frozen=True)
class Figure:
    """A confirmed actual: an indicator's value, or a project's progress (percent) and spend."""

    value: float | None = None
    progress: float | None = None
    spend: int | None = None


@dataclass(slots=True)
class Progress:
    """One item's (or one group's) standing for the year."""

    status: str
    score: float | None = None  # 0..1, None when unreported
    target: float | None = None
    actual: float | None = None
    planned: float | None = None  # a project's planned progress by the year's end (percent)
    spend: int | None = None
    budget: int | None = None
    counts: dict = field(default_factory=dict)  # a group's items by status


def _number(value) -> float | None:
    kind = type(value)
    if kind is int or kind is float:  # what a state holds: the fast path of a 10,000-item roll-up
        return float(value)
    return float(value) if isinstance(value, Decimal) else None


def indicator_progress(item: dict, year: int, figure: Figure | None, thresholds: Thresholds) -> Progress:
    target = _number(item.get(f"targets.{year}"))
    actual = _number(figure.value) if figure else None
    if actual is None or target is None:
        return Progress(UNREPORTED, target=target, actual=actual)
    baseline = _number(item.get("baseline"))
    down = item.get("direction") == "down"
    achieved = actual <= target if down else actual >= target
    if achieved:
        score = 1.0
    elif baseline is not None and baseline != target:
        score = (actual - baseline) / (target - baseline)  # the same formula either way: the signs follow
    elif down:
        score = target / actual if actual > 0 else 0.0
    else:
        score = actual / target if target > 0 else 0.0
    score = min(max(score, 0.0), 1.0)
    return Progress(thresholds.status(score, achieved), score=score, target=target, actual=actual)


def planned_progress(item: dict, year: int) -> float | None:
    """A project's planned physical progress by the end of a year: the share of its budgets up to it."""
    total = done = 0.0
    for key, value in item.items():
        if key.startswith("budgets."):
            amount = _number(value)
            if amount is not None:
                total += amount
                if int(key[8:]) <= year:
                    done += amount
    return 100 * done / total if total else None


def project_progress(item: dict, year: int, figure: Figure | None, thresholds: Thresholds) -> Progress:
    planned = planned_progress(item, year)
    budget = _number(item.get(f"budgets.{year}"))
    actual = _number(figure.progress) if figure else None
    spend = figure.spend if figure else None
    if actual is None or planned is None:
        return Progress(UNREPORTED, planned=planned, actual=actual, spend=spend, budget=budget)
    achieved = actual >= planned
    score = 1.0 if achieved or planned == 0 else min(max(actual / planned, 0.0), 1.0)
    return Progress(
        thresholds.status(score, achieved),
        score=score,
        planned=planned,
        actual=actual,
        spend=spend,
        budget=budget,
    )


def item_progress(item: dict, year: int, figure: Figure | None, thresholds: Thresholds) -> Progress:
    if item["kind"] == Kind.INDICATOR:
        return indicator_progress(item, year, figure, thresholds)
    return project_progress(item, year, figure, thresholds)


def _weight(item: dict) -> float:
    """An item's weight in its group; unset counts as 1, so with none set it is a plain average."""
    weight = item.get("weight")
    return 1.0 if weight is None else (_number(weight) if _number(weight) is not None else 1.0)


def _group(members: list[tuple[float, Progress]], thresholds: Thresholds) -> Progress:
    counts = dict.fromkeys(STATUSES, 0)
    total = weights = 0.0
    for weight, progress in members:
        counts[progress.status] += 1 if not progress.counts else 0
        for status, number in progress.counts.items():
            counts[status] += number
        if progress.score is not None and weight > 0:
            total += weight * progress.score
            weights += weight
    if not weights:
        return Progress(UNREPORTED, counts=counts)
    score = total / weights
    return Progress(thresholds.status(score, score >= 1.0), score=score, counts=counts)


@dataclass
class Rollup:
    """Every item's progress for a year, and each group's."""

    year: int
    items: dict[str, Progress]  # indicator and project codes
    outputs: dict[str, Progress]
    objectives: dict[str, Progress]
    committees: dict[str, Progress]
    portfolios: dict[str, Progress]
    plan: Progress


def rollup(state: State, year: int, figures: dict[str, Figure], thresholds: Thresholds) -> Rollup:
    """The year's progress of a version's items (`figures`: code → the confirmed figure for the year)
    rolled up: indicators and projects to their outputs (by their weights), outputs to their
    objectives and committees, projects to their portfolios, objectives to the plan. One pass over
    the state, then one over each level."""
    indicator, project, output = Kind.INDICATOR.value, Kind.PROJECT.value, Kind.OUTPUT.value
    objective, portfolio = Kind.OBJECTIVE.value, Kind.PORTFOLIO.value
    items: dict[str, Progress] = {}
    under_output: dict[str, list] = {}
    under_portfolio: dict[str, list] = {}
    outputs_found, objectives_found, portfolios_found = [], [], []
    for code, item in state.items():
        kind = item["kind"]
        if kind == indicator:
            progress = indicator_progress(item, year, figures.get(code), thresholds)
        elif kind == project:
            progress = project_progress(item, year, figures.get(code), thresholds)
            if item.get("portfolio"):
                under_portfolio.setdefault(item["portfolio"], []).append((1.0, progress))
        else:
            if kind == output:
                outputs_found.append((code, item))
            elif kind == objective:
                objectives_found.append(code)
            elif kind == portfolio:
                portfolios_found.append(code)
            continue
        items[code] = progress
        under_output.setdefault(item.get("parent", ""), []).append((_weight(item), progress))
    outputs, under_objective, under_committee = {}, {}, {}
    for code, item in outputs_found:
        progress = _group(under_output.get(code, ()), thresholds)
        outputs[code] = progress
        weight = _weight(item)
        under_objective.setdefault(item.get("parent", ""), []).append((weight, progress))
        under_committee.setdefault(item.get("committee", ""), []).append((weight, progress))
    objectives = {code: _group(under_objective.get(code, ()), thresholds) for code in objectives_found}
    committees = {code: _group(members, thresholds) for code, members in under_committee.items()}
    portfolios = {code: _group(under_portfolio.get(code, ()), thresholds) for code in portfolios_found}
    whole = _group([(1.0, progress) for progress in objectives.values()], thresholds)
    return Rollup(year, items, outputs, objectives, committees, portfolios, whole)
