"""Progress against targets, by hand: each figure below is worked out in the comments, so a change in
the rules shows here as a changed number, not as a chart that merely looks different."""

import pytest

from plan.progress import (
    ACHIEVED,
    AT_RISK,
    OFF_TRACK,
    ON_TRACK,
    UNREPORTED,
    Figure,
    Thresholds,
    indicator_progress,
    planned_progress,
    project_progress,
    rollup,
)

RULES = Thresholds(on_track=0.9, at_risk=0.7)


def indicator(code="I1", parent="O1", baseline=None, target=None, direction="up", weight=None):
    item = {"code": code, "kind": "indicator", "parent": parent, "direction": direction, "baseline": baseline}
    if target is not None:
        item["targets.1404"] = target
    if weight is not None:
        item["weight"] = weight
    return item


@pytest.mark.parametrize(
    ("baseline", "target", "direction", "actual", "status", "score"),
    [
        (40, 60, "up", 55, AT_RISK, 0.75),  # (55-40)/(60-40)
        (40, 60, "up", 60, ACHIEVED, 1.0),
        (40, 60, "up", 58, ON_TRACK, 0.9),  # 18/20
        (40, 60, "up", 30, OFF_TRACK, 0.0),  # fell back: (30-40)/20 < 0, held at 0
        (100, 80, "down", 84, AT_RISK, 0.8),  # lower is better: (84-100)/(80-100) = 16/20
        (100, 80, "down", 78, ACHIEVED, 1.0),  # below the target is achieved
        (100, 80, "down", 82, ON_TRACK, 0.9),  # 18/20
        (100, 80, "down", 95, OFF_TRACK, 0.25),  # 5/20
        (None, 50, "up", 45, ON_TRACK, 0.9),  # no baseline: 45/50
        (None, 10, "down", 20, OFF_TRACK, 0.5),  # no baseline, lower is better: 10/20
    ],
)
def test_an_indicator_against_its_target_in_its_direction(baseline, target, direction, actual, status, score):
    progress = indicator_progress(
        indicator(baseline=baseline, target=target, direction=direction), 1404, Figure(value=actual), RULES
    )
    assert progress.status == status
    assert progress.score == pytest.approx(score)


def test_no_figure_or_no_target_is_unreported_not_off_track():
    assert indicator_progress(indicator(target=60), 1404, None, RULES).status == UNREPORTED
    assert indicator_progress(indicator(target=None), 1404, Figure(value=3), RULES).status == UNREPORTED


def test_thresholds_are_data():
    item = indicator(baseline=40, target=60)
    assert indicator_progress(item, 1404, Figure(value=55), Thresholds(on_track=0.75, at_risk=0.5)).status == ON_TRACK
    assert indicator_progress(item, 1404, Figure(value=55), Thresholds(on_track=0.95, at_risk=0.8)).status == OFF_TRACK


def test_a_project_against_the_progress_its_budgets_plan():
    project = {
        "code": "P1",
        "kind": "project",
        "parent": "O1",
        "budgets.1403": 100,
        "budgets.1404": 300,
        "budgets.1405": 600,
    }
    assert planned_progress(project, 1403) == pytest.approx(10)  # 100 of 1000
    assert planned_progress(project, 1404) == pytest.approx(40)  # 400 of 1000
    late = project_progress(project, 1404, Figure(progress=30, spend=250), RULES)
    assert (late.status, late.score, late.planned, late.budget, late.spend) == (
        AT_RISK,
        pytest.approx(0.75),
        40,
        300,
        250,
    )
    assert project_progress(project, 1404, Figure(progress=40), RULES).status == ACHIEVED
    assert project_progress({"code": "P2", "kind": "project"}, 1404, Figure(progress=50), RULES).status == UNREPORTED


def _state():
    return {
        "OBJ1": {"code": "OBJ1", "kind": "objective", "parent": ""},
        "O1": {"code": "O1", "kind": "output", "parent": "OBJ1", "committee": "C1"},
        "O2": {"code": "O2", "kind": "output", "parent": "OBJ1", "committee": "C1"},
        "O3": {"code": "O3", "kind": "output", "parent": "OBJ1", "committee": "C2"},
        "I1": indicator("I1", "O1", baseline=40, target=60),  # 55 → 0.75
        "I2": indicator("I2", "O1", baseline=100, target=80, direction="down"),  # 78 → achieved
        "P1": {
            "code": "P1",
            "kind": "project",
            "parent": "O1",
            "portfolio": "PF1",
            "budgets.1403": 100,
            "budgets.1404": 300,
            "budgets.1405": 600,
        },  # 30 of 40 → 0.75
        "I3": indicator("I3", "O2", baseline=0, target=10),  # no figure
        "I4": indicator("I4", "O3", baseline=0, target=10),  # 2 → 0.2
        "PF1": {"code": "PF1", "kind": "portfolio", "parent": ""},
    }


FIGURES = {"I1": Figure(value=55), "I2": Figure(value=78), "P1": Figure(progress=30), "I4": Figure(value=2)}


def test_the_roll_up_is_a_plain_average_of_what_was_reported():
    result = rollup(_state(), 1404, FIGURES, RULES)
    assert result.outputs["O1"].score == pytest.approx((0.75 + 1 + 0.75) / 3)  # 0.8333: at risk
    assert result.outputs["O1"].status == AT_RISK
    assert result.outputs["O1"].counts[AT_RISK] == 2 and result.outputs["O1"].counts[ACHIEVED] == 1
    assert result.outputs["O2"].status == UNREPORTED and result.outputs["O2"].counts[UNREPORTED] == 1
    assert result.outputs["O3"].score == pytest.approx(0.2)
    # the objective averages its reported outputs: (0.8333 + 0.2) / 2
    assert result.objectives["OBJ1"].score == pytest.approx((2.5 / 3 + 0.2) / 2)
    assert result.committees["C1"].score == pytest.approx(2.5 / 3)  # O2 unreported, left out
    assert result.committees["C2"].status == OFF_TRACK
    assert result.portfolios["PF1"].score == pytest.approx(0.75)
    assert result.plan.score == pytest.approx((2.5 / 3 + 0.2) / 2)
    assert sum(result.plan.counts.values()) == 5  # every indicator and project counted once


def test_weights_set_on_items_weigh_the_roll_up():
    state = _state()
    state["I1"]["weight"] = 2  # I1 counts twice; unset weights count 1
    state["O3"]["weight"] = 0  # an output weighed 0 does not move its objective
    result = rollup(state, 1404, FIGURES, RULES)
    assert result.outputs["O1"].score == pytest.approx((2 * 0.75 + 1 + 0.75) / 4)  # 0.8125
    assert result.objectives["OBJ1"].score == pytest.approx(0.8125)
