from collections import Counter

import pytest

from plan.models import Committee, IssuedVersion
from plan.schema import Kind
from plan.selectors import version_in_force, version_state

pytestmark = pytest.mark.django_db


def test_demo_has_exactly_the_seeds_shape(plan):
    state = version_state(version_in_force(plan))
    counts = Counter(item["kind"] for item in state.values())
    assert counts[Kind.OBJECTIVE] == 4
    assert counts[Kind.OUTPUT] == 31
    assert counts[Kind.INDICATOR] == 84
    assert counts[Kind.PROJECT] >= 160
    assert counts[Kind.ACTION] >= 120
    assert counts[Kind.PORTFOLIO] == 50
    assert Committee.objects.filter(plan=plan).count() == 11
    assert IssuedVersion.objects.get(plan=plan).number == 1


def test_demo_uses_the_seeds_names(plan):
    state = version_state(version_in_force(plan))
    objectives = sorted(item["name_fa"] for item in state.values() if item["kind"] == Kind.OBJECTIVE)
    assert "افزایش بهره‌وری سازمانی" in objectives
    assert "توسعه زیرساخت‌های شهری" in objectives
    committees = list(Committee.objects.filter(plan=plan).values_list("name_fa", flat=True))
    assert committees[1] == "مدیریت پسماند"
    assert committees[10] == "هوشمندسازی"


def test_every_item_hangs_where_it_should(plan):
    state = version_state(version_in_force(plan))
    committees = set(Committee.objects.filter(plan=plan).values_list("code", flat=True))
    for item in state.values():
        if item["kind"] == Kind.OUTPUT:
            assert state[item["parent"]]["kind"] == Kind.OBJECTIVE
            assert item["committee"] in committees
        if item["kind"] in (Kind.INDICATOR, Kind.PROJECT, Kind.ACTION):
            assert state[item["parent"]]["kind"] == Kind.OUTPUT
        if item["kind"] == Kind.PROJECT:
            assert state[item["portfolio"]]["kind"] == Kind.PORTFOLIO
    # every portfolio groups at least one project
    used = {i["portfolio"] for i in state.values() if i["kind"] == Kind.PROJECT}
    assert used == {c for c, i in state.items() if i["kind"] == Kind.PORTFOLIO}
