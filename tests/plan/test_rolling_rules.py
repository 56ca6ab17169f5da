"""The new year's figures a roll-forward offers, worked out by hand: carry the last year's, or extend
the trend of the last two; never for an item that has ended, or one with nothing to go on."""

from plan.rolling import leaving_horizon, next_figure, prefill_operations


def project(code="P1", parent="O1", end="1409/12/29", **budgets):
    item = {"code": code, "kind": "project", "parent": parent, "end": end}
    item.update({f"budgets.{year}": amount for year, amount in budgets.items()})
    return item


STATE = {
    "O1": {"code": "O1", "kind": "output", "parent": "OBJ", "committee": "C1"},
    "I1": {"code": "I1", "kind": "indicator", "parent": "O1", "targets.1406": 50, "targets.1407": 60},
    "I2": {"code": "I2", "kind": "indicator", "parent": "O1", "targets.1407": 7.5, "targets.1408": 9},
    "I3": {"code": "I3", "kind": "indicator", "parent": "O1"},
    "P1": project("P1", **{"1406": 900, "1407": 1000}),
    "P2": project("P2", end="1407/06/01", **{"1406": 900, "1407": 1000}),
    "P3": project("P3", **{"1406": 1000, "1407": 400}),
    "A1": {"code": "A1", "kind": "action", "parent": "O1", "due_year": 1405},
}


def test_carry_and_trend_by_hand():
    assert next_figure(STATE["I1"], 1408, "carry") == 60
    assert next_figure(STATE["I1"], 1408, "trend") == 70  # 60 + (60 − 50)
    assert next_figure(STATE["P1"], 1408, "trend") == 1100  # 1000 + (1000 − 900)
    assert next_figure(STATE["P3"], 1408, "trend") == 0  # 400 − 600 would be negative: a budget stops at 0
    assert next_figure(STATE["I3"], 1408, "carry") is None  # nothing to go on


def test_prefill_skips_what_has_a_figure_what_ended_and_what_has_nothing():
    operations = prefill_operations(STATE, "C1", 1408, {"indicator": "trend", "project": "carry"}, "j")
    assert {op["code"]: op["values"] for op in operations} == {
        "I1": {"targets.1408": {"old": None, "new": 70}},
        "P1": {"budgets.1408": {"old": None, "new": 1000}},
        "P3": {"budgets.1408": {"old": None, "new": 400}},
    }  # I2 has its 1408 target already, I3 nothing to go on, P2 ended in 1407
    assert prefill_operations(STATE, "C9", 1408, {"indicator": "carry", "project": "carry"}, "j") == []


def test_what_ends_before_the_new_horizon_is_flagged():
    assert [(i["code"], i["ends"]) for i in leaving_horizon(STATE, "C1", 1408)] == [("A1", 1405), ("P2", 1407)]
