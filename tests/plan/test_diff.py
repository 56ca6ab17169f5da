import pytest

from plan import diff
from plan.selectors import amendment_preview, version_in_force, version_state, versions_diff
from plan.services import amendment_create, amendment_operations_set, plan_version_issue
from tests.factories import seated

WHY = "justification"


def test_persian_redline_keeps_words_whole():
    old = "توسعه فضای سبز در محله‌های کم‌برخوردار"
    new = "توسعه و نگهداری فضای سبز در محله‌های کم‌برخوردار شهر"
    segments = diff.redline(old, new)
    assert [tag for tag, _text in segments] == ["=", "+", "=", "+"]
    assert [text.strip() for tag, text in segments if tag == "+"] == ["و نگهداری", "شهر"]
    assert "محله‌های" in segments[2][1]  # a word joined by a zero-width non-joiner stays whole
    assert "".join(t for tag, t in segments if tag != "+") == old
    assert "".join(t for tag, t in segments if tag != "-") == new


def test_replaced_word_is_a_deletion_then_an_insertion():
    assert diff.redline("هدف ۱۴۰۵ افزایش", "هدف ۱۴۰۶ افزایش") == [
        ["=", "هدف "],
        ["-", "۱۴۰۵"],
        ["+", "۱۴۰۶"],
        ["=", " افزایش"],
    ]


def test_numbers_diff_as_deltas():
    change = diff.field_change("targets.1405", 50, 62.5)
    assert change == {"field": "targets.1405", "old": 50, "new": 62.5, "delta": 12.5, "percent": 25.0}
    budget = diff.field_change("budgets.1404", 300_000_000_000, 240_000_000_000)
    assert budget["delta"] == -60_000_000_000 and budget["percent"] == -20.0
    assert "percent" not in diff.field_change("baseline", 0, 5)


def test_diff_and_fingerprint_are_deterministic():
    old = {"A": {"code": "A", "kind": "objective", "parent": "", "name_fa": "الف", "name_en": ""}}
    new = {
        "A": {"name_en": "A", "code": "A", "kind": "objective", "parent": "", "name_fa": "الف ب"},
        "B": {"code": "B", "kind": "portfolio", "parent": "", "name_fa": "ب", "name_en": ""},
    }
    first = diff.diff_states(old, new)
    reordered = diff.diff_states(dict(reversed(list(old.items()))), dict(reversed(list(new.items()))))
    assert first == reordered
    assert diff.fingerprint(first) == diff.fingerprint(reordered)
    assert [e["change"] for e in first] == ["changed", "added"]
    assert diff.fingerprint(first) != diff.fingerprint(first[:1])


@pytest.mark.django_db
def test_the_amendment_diff_is_what_issuance_produces(plan, waste, drafter):
    amendment = amendment_create(plan=plan, committee=waste, drafted_by=seated(drafter, waste), title="t")
    amendment_operations_set(
        amendment=amendment,
        acting_user=drafter,
        operations=[
            {
                "action": "change",
                "code": "IND3.1.1",
                "justification": WHY,
                "values": {"targets.1405": {"new": 99}, "name_fa": {"new": "نسبت تحقق جمع‌آوری بهنگام و کامل پسماند"}},
            },
            {"action": "retire", "code": "ACT-020", "justification": WHY},
        ],
    )
    preview = amendment_preview(amendment)
    v1 = version_in_force(plan)
    v2 = plan_version_issue(plan=plan, amendments=[amendment], issuance_number="1404-01", issued_by=drafter)
    between = versions_diff(v1, v2)
    assert between == preview.entries
    assert diff.fingerprint(between) == preview.fingerprint
    indicator = next(e for e in between if e["code"] == "IND3.1.1")
    name = next(f for f in indicator["fields"] if f["field"] == "name_fa")
    assert ["+", "و کامل "] in name["redline"]
    # the reverse diff swaps sides
    back = versions_diff(v2, v1)
    assert {e["code"]: e["change"] for e in back} == {"IND3.1.1": "changed", "ACT-020": "added"}
    assert version_state(v2)["IND3.1.1"]["targets.1405"] == 99
