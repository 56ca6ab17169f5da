"""The rolling year, as pure functions over a version's state: the new year's figures a
committee is offered when the operational horizon moves on, and the items the move leaves behind."""

from plan.items import State, owner_committee
from plan.schema import Kind

CARRY, TREND = "carry", "trend"
PER_YEAR = {Kind.INDICATOR: "targets", Kind.PROJECT: "budgets"}


def _series(item: dict, field: str) -> dict[int, float]:
    prefix = field + "."
    return {
        int(key[len(prefix) :]): value for key, value in item.items() if key.startswith(prefix) and value is not None
    }


def next_figure(item: dict, year: int, rule: str):
    """The figure a rule offers for `year`: the last year's (carry), or the last year's plus the
    change between the two years before it (trend); None when the item has no figure to go on.
    A budget never goes below zero, and is whole rials."""
    field = PER_YEAR[item["kind"]]
    series = _series(item, field)
    last = series.get(year - 1)
    if last is None:
        return None
    value = last
    if rule == TREND and series.get(year - 2) is not None:
        value = last + (last - series[year - 2])
    if item["kind"] == Kind.PROJECT:
        return max(0, int(round(value)))
    return int(value) if float(value).is_integer() else round(value, 4)


def _owned(state: State, committee: str, kinds) -> list[dict]:
    return [i for c, i in state.items() if i["kind"] in kinds and owner_committee(state, c) == committee]


def prefill_operations(
    state: State, committee: str, year: int, rules: dict[str, str], justification: str
) -> list[dict]:
    """Change operations that give each of a committee's indicators a target, and each of its
    projects a budget, for the new year, by the rule chosen for its kind; items that already have
    one, or nothing to go on, are left for the committee to fill by hand."""
    operations = []
    for item in sorted(_owned(state, committee, PER_YEAR), key=lambda i: i["code"]):
        name = f"{PER_YEAR[item['kind']]}.{year}"
        if item.get(name) is not None or _ends(item) is not None and _ends(item) < year:
            continue  # a figure already, or a project that has ended: nothing to carry into the new year
        value = next_figure(item, year, rules[item["kind"]])
        if value is None:
            continue
        operations.append(
            {
                "action": "change",
                "code": item["code"],
                "values": {name: {"old": None, "new": value}},
                "justification": justification,
            }
        )
    return operations


def _ends(item: dict) -> int | None:
    """The year an item ends: a project's end date's, an action's due year; None if not set."""
    if item["kind"] == Kind.PROJECT:
        end = str(item.get("end") or "")
        return int(end[:4]) if end[:4].isdigit() else None
    due = item.get("due_year")
    return due if isinstance(due, int) else None


def leaving_horizon(state: State, committee: str | None, first_year: int) -> list[dict]:
    """A committee's (or every) project whose end and action whose due year fall before the new
    horizon's first year: to be closed, extended or retired by the committee."""
    kinds = (Kind.PROJECT, Kind.ACTION)
    items = _owned(state, committee, kinds) if committee else [i for i in state.values() if i["kind"] in kinds]
    flagged = []
    for item in items:
        ends = _ends(item)
        if ends is not None and ends < first_year:
            flagged.append({**item, "ends": ends})
    return sorted(flagged, key=lambda i: i["code"])
