"""The plan's search, as Persian is typed: a zero-width non-joiner, a space or nothing inside a word,
Arabic or Persian ی/ک/ه, any digits, diacritics; every word of the query must match. Expected hits
are counted from the demo plan itself, so the test fails if any variant finds less or more."""

import pytest

from core.jalali import search_fold, search_terms
from plan.selectors import plan_tree, version_in_force, version_state

pytestmark = pytest.mark.django_db


def _found(version, query) -> set[str]:
    codes = set()
    for branch in plan_tree(version, query=query):
        for out in branch["outputs"]:
            for key in ("indicators", "projects", "actions"):
                codes |= {i["code"] for i in out[key]}
    return codes


def test_the_folding_by_hand():
    assert search_fold("جمع‌آوری") == search_fold("جمع آوری") == search_fold("جمعآوری") == "جمعاوری"
    assert search_fold("كيفيت") == search_fold("کیفیت")  # Arabic keyboard ك and ي
    assert search_fold("شبكة") == search_fold("شبکه") == search_fold("شبکۀ")
    assert search_fold("مُدیریت") == search_fold("مدیریت")  # a damma typed or not
    assert search_fold("IND۳.۱.۱") == search_fold("ind3.1.1")
    assert search_terms("  جمع آوری   پسماند ") == ["جمع", "اوری", "پسماند"]
    assert search_terms("!!! ؟؟ ...") == [] and len(search_terms("ا " * 5000)) == 10


def test_every_way_of_typing_a_word_finds_the_same_items(plan):
    version = version_in_force(plan)
    state = version_state(version)
    # what the plan holds under the word, counted from the data (indicators, projects, actions)
    expected = {
        code
        for code, item in state.items()
        if item["kind"] in ("indicator", "project", "action") and "جمع‌آوری" in item["name_fa"]
    }
    assert len(expected) >= 3
    for typed in ("جمع‌آوری", "جمع آوری", "جمعآوری", "جمع‌آوري", "جمع‌آوری "):
        found = _found(version, typed)
        assert expected <= found, typed  # each variant finds every item named with it …
    # … and an output whose own name matches shows all it holds, so compare the items that match themselves
    strict = {c for c in _found(version, "جمع آوری") if "جمع‌آوری" in state[c]["name_fa"]}
    assert strict == expected
    both = _found(version, "جمع آوری پسماند")  # every word must match
    assert both and all(
        "پسماند" in state[c]["name_fa"] or "پسماند" in state[state[c]["parent"]]["name_fa"] for c in both
    )


def test_a_query_of_punctuation_or_huge_finds_nothing_and_never_fails(plan):
    version = version_in_force(plan)
    assert _found(version, "؟!.،") == set()
    assert plan_tree(version, query="پسماند" * 2000) == []  # cut to 100 characters: one long word, no match
