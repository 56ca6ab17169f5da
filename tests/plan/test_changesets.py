"""Each operation and each validation rule, through the services an interface calls."""

import pytest
from django.utils import translation

from audit.models import AuditEvent
from plan.changesets import ChangesetInvalid
from plan.models import AmendmentOperation
from plan.selectors import amendment_preview
from plan.services import amendment_create, amendment_operations_set
from tests.factories import seated

pytestmark = pytest.mark.django_db
WHY = "به دلیل تغییر اعتبارات"


@pytest.fixture
def amendment(plan, waste, drafter):
    return amendment_create(plan=plan, committee=waste, drafted_by=seated(drafter, waste), title="اصلاح اهداف پسماند")


def save(amendment, drafter, *operations):
    return amendment_operations_set(amendment=amendment, operations=list(operations), acting_user=drafter)


def problems(amendment, drafter, *operations):
    with translation.override("en"):
        with pytest.raises(ChangesetInvalid) as error:
            save(amendment, drafter, *operations)
        found = [str(p) for p in error.value.problems]
    assert AmendmentOperation.objects.filter(amendment=amendment).count() == 0  # refused whole
    return found


def change(code, justification=WHY, **fields):
    return {
        "action": "change",
        "code": code,
        "values": {k: {"new": v} for k, v in fields.items()},
        "justification": justification,
    }


# waste committee (C02) owns EO3.1..EO3.3 and what hangs under them
def test_change_keeps_old_and_new_and_records_the_fingerprint(amendment, drafter):
    save(amendment, drafter, change("IND3.1.1", **{"targets.1405": "۵۸٫۵"}))
    op = AmendmentOperation.objects.get(amendment=amendment)
    preview = amendment_preview(amendment)
    old = preview.applied[0]["values"]["targets.1405"]["old"]
    assert op.values == {"targets.1405": {"old": old, "new": 58.5}}
    assert op.kind == "indicator" and op.justification == WHY
    event = AuditEvent.objects.get(action="plan.amendment.edit")
    assert event.data == {"operations": 1, "fingerprint": preview.fingerprint}


def test_text_is_kept_as_typed_and_numbers_are_numbers(amendment, drafter):
    # a name typed with Persian digits keeps them; a target typed with them is the number
    save(
        amendment,
        drafter,
        change("IND3.1.1", "بند ۲ مصوبه ۱۴۰۴", name_fa="نرخ جمع‌آوری ۲۴ ساعته", **{"targets.1405": "۶۰"}),
    )
    op = AmendmentOperation.objects.get(amendment=amendment)
    assert op.values["name_fa"]["new"] == "نرخ جمع‌آوری ۲۴ ساعته"
    assert op.values["targets.1405"]["new"] == 60
    assert op.justification == "بند ۲ مصوبه ۱۴۰۴"


def test_add_an_indicator_under_an_output(amendment, drafter):
    save(
        amendment,
        drafter,
        {
            "action": "add",
            "code": "ind3.1.9",
            "kind": "indicator",
            "justification": WHY,
            "values": {
                "parent": "EO3.1",
                "name_fa": "سهم پسماند بازیافتی",
                "unit": "درصد",
                "direction": "up",
                "baseline": "12",
                "targets.1404": "15",
                "targets.1405": 18,
            },
        },
    )
    state = amendment_preview(amendment).state
    assert state["IND3.1.9"]["targets.1405"] == 18 and state["IND3.1.9"]["baseline"] == 12
    assert state["IND3.1.9"]["parent"] == "EO3.1"


def test_retire_with_children_is_explicit(amendment, drafter):
    found = problems(amendment, drafter, {"action": "retire", "code": "EO3.1", "justification": WHY})
    assert "EO3.1 has" in found[0] and "retire it with its children" in found[0]
    save(amendment, drafter, {"action": "retire", "code": "EO3.1", "cascade": True, "justification": WHY})
    preview = amendment_preview(amendment)
    assert "EO3.1" not in preview.state and "IND3.1.1" not in preview.state
    assert {e["code"] for e in preview.entries if e["change"] == "retired"} >= {"EO3.1", "IND3.1.1", "IND3.1.2"}


def test_move_to_another_parent_and_portfolio(amendment, drafter, plan):
    project = next(
        c for c, i in amendment_preview_base(plan).items() if i.get("parent") == "EO3.1" and i["kind"] == "project"
    )
    save(
        amendment,
        drafter,
        {
            "action": "move",
            "code": project,
            "justification": WHY,
            "values": {"parent": {"new": "EO3.2"}, "portfolio": {"new": "PF-50"}},
        },
    )
    entry = amendment_preview(amendment).entries[0]
    assert entry["change"] == "moved"
    assert {f["field"]: f["new"] for f in entry["fields"]} == {"parent": "EO3.2", "portfolio": "PF-50"}


def amendment_preview_base(plan):
    from plan.selectors import version_in_force, version_state

    return version_state(version_in_force(plan))


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (change("IND3.1.1", **{"targets.1405": "بالا"}), "target 1405: must be a number"),
        (change("IND3.1.1", **{"targets.1410": 5}), "the year must be inside the operational horizon 1403–1407"),
        (change("PRJ-019", **{"budgets.1405": -5}), "budget (rials) 1405: must be a whole number of rials"),
        # beyond what is sane for the kind of field: a budget with three zeros too many, a runaway target
        (change("PRJ-019", **{"budgets.1405": "۵۰۰۰۰۰۰۰۰۰۰۰۰۰۰۰۰"}), "budget (rials) 1405: must be between 0 and"),
        (change("IND3.1.1", **{"targets.1405": 10**13}), "target 1405: must be between -1,000,000,000,000 and"),
        (change("IND3.1.1", name_fa="ن" * 501), "at most 500 characters (this has 501)"),
        (change("IND3.1.1", **{"direction": "sideways"}), "must be “up” or “down”"),
        (change("IND3.1.1", **{"colour": "red"}), "this kind of item has no such field"),
        (change("IND3.1.1", **{"name_fa": ""}), "this field is required"),
        (change("IND3.1.1", justification="", **{"unit": "نفر"}), "every operation needs a justification"),
        (change("IND9.9.9", **{"unit": "نفر"}), "there is no item IND9.9.9"),
        (change("IND4.1.1", **{"unit": "نفر"}), "your committee does not own this item"),
        (change("O3", **{"name_fa": "تازه"}), "your committee does not own this item"),
        (change("EO3.1", **{"committee": "C03"}), "only the integration working group reassigns"),
        (
            {
                "action": "add",
                "code": "IND3.1.1",
                "kind": "indicator",
                "justification": WHY,
                "values": {"parent": "EO3.1", "name_fa": "x", "unit": "u", "direction": "up"},
            },
            "already used",
        ),
        (
            {
                "action": "add",
                "code": "IND3.1.8",
                "kind": "indicator",
                "justification": WHY,
                "values": {"parent": "EO3.209", "name_fa": "x", "unit": "u", "direction": "up"},
            },
            "parent “EO3.209” does not exist",
        ),
        (
            {
                "action": "add",
                "code": "IND3.1.8",
                "kind": "indicator",
                "justification": WHY,
                "values": {"parent": "O3", "name_fa": "x", "unit": "u", "direction": "up"},
            },
            "must hang under",
        ),
        (
            {
                "action": "add",
                "code": "IND4.1.8",
                "kind": "indicator",
                "justification": WHY,
                "values": {"parent": "EO4.1", "name_fa": "x", "unit": "u", "direction": "up"},
            },
            "does not own",
        ),
        (
            {
                "action": "add",
                "code": "IND3.1.8",
                "kind": "indicator",
                "justification": WHY,
                "values": {"parent": "EO3.1", "name_fa": "x", "direction": "up"},
            },
            "unit: this field is required",
        ),
        (
            {"action": "add", "code": "9bad", "kind": "indicator", "justification": WHY, "values": {}},
            "a code starts with a letter",
        ),
        ({"action": "explode", "code": "IND3.1.1", "justification": WHY}, "unknown operation"),
        (
            {"action": "move", "code": "IND3.1.1", "justification": WHY, "values": {"parent": {"new": "EO4.1"}}},
            "does not own the new parent",
        ),
    ],
)
def test_each_rule_refuses_the_whole_amendment_with_a_clear_message(amendment, drafter, operation, message):
    found = problems(amendment, drafter, change("IND3.1.2", **{"targets.1404": 1}), operation)
    assert any(message in p for p in found), found
    assert all(p.startswith("operation 2") for p in found)


def test_persian_messages(amendment, drafter):
    with translation.override("fa"), pytest.raises(ChangesetInvalid) as error:
        save(amendment, drafter, change("IND3.1.1", **{"targets.1405": "x"}))
    assert "باید عدد باشد" in error.value.messages[0]


def test_removing_the_last_operation_leaves_an_empty_draft_that_cannot_be_previewed(amendment, drafter):
    save(amendment, drafter, change("IND3.1.1", **{"targets.1405": 70}))
    save(amendment, drafter)
    assert amendment.operations.count() == 0
    assert AuditEvent.objects.filter(action="plan.amendment.edit").first().data == {"operations": 0}  # newest first
    with pytest.raises(ChangesetInvalid, match="no operation"):
        amendment_preview(amendment)


def test_a_retired_code_is_never_reused(plan, drafter):
    from plan.services import plan_version_issue

    integration = amendment_create(plan=plan, drafted_by=drafter, title="retire")
    save(integration, drafter, {"action": "retire", "code": "ACT-001", "justification": WHY})
    plan_version_issue(plan=plan, amendments=[integration], issuance_number="1404/1", issued_by=drafter)
    again = amendment_create(plan=plan, drafted_by=drafter, title="reuse")
    found = problems(
        again,
        drafter,
        {
            "action": "add",
            "code": "ACT-001",
            "kind": "action",
            "justification": WHY,
            "values": {"parent": "EO1.1", "name_fa": "x", "responsible_unit": "y"},
        },
    )
    assert "codes are never reused" in found[0]


def test_operations_see_the_tree_as_earlier_operations_left_it(amendment, drafter):
    new_output = {
        "action": "add",
        "code": "EO3.20",
        "kind": "output",
        "justification": WHY,
        "values": {"parent": "O3", "name_fa": "خروجی تازه", "committee": "C02"},
    }
    new_indicator = {
        "action": "add",
        "code": "IND3.20.1",
        "kind": "indicator",
        "justification": WHY,
        "values": {"parent": "EO3.20", "name_fa": "شاخص", "unit": "درصد", "direction": "up"},
    }
    retire_output = {"action": "retire", "code": "EO3.20", "justification": WHY}
    found = problems(amendment, drafter, new_output, new_indicator, retire_output)
    assert found == [
        "operation 3 · EO3.20: EO3.20 has 1 items under it: retire them first, or retire it with its children"
    ]
    moved = {"action": "move", "code": "IND3.20.1", "justification": WHY, "values": {"parent": {"new": "EO3.1"}}}
    save(amendment, drafter, new_output, new_indicator, moved, retire_output)
    state = amendment_preview(amendment).state
    assert "EO3.20" not in state and state["IND3.20.1"]["parent"] == "EO3.1"


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (change("PRJ-019", start="1403/13/40"), "is not a day of the Jalali calendar"),
        (change("PRJ-019", start="1407/06/01", end="1407/01/01"), "end: the end is before the start"),
        (change("ACT-025", due_year="۱۴۱۰"), "due year: the year must be inside the operational horizon"),
        (
            {"action": "move", "code": "PRJ-019", "justification": WHY, "values": {"portfolio": {"new": "PF-99"}}},
            "there is no portfolio “PF-99”",
        ),
        (
            {"action": "move", "code": "IND3.1.1", "justification": WHY, "values": {"portfolio": {"new": "PF-01"}}},
            "only projects belong to portfolios",
        ),
    ],
)
def test_dates_years_and_portfolios_are_checked(amendment, drafter, operation, message):
    found = problems(amendment, drafter, operation)
    assert any(message in p for p in found), found


def test_a_portfolio_with_projects_cannot_be_retired(plan, drafter):
    integration = amendment_create(plan=plan, drafted_by=drafter, title="portfolios")
    found = problems(integration, drafter, {"action": "retire", "code": "PF-01", "justification": WHY})
    assert "projects still belong to this portfolio" in found[0]


@pytest.mark.parametrize("field, value", [("start", "1399/01/01"), ("end", "1420/12/29")])
def test_a_project_date_outside_the_horizon_is_refused_beside_its_field(amendment, drafter, field, value):
    found = problems(amendment, drafter, change("PRJ-019", **{field: value}))  # a waste committee project
    assert any("operational horizon 1403–1407" in p for p in found), found
    assert not AmendmentOperation.objects.filter(amendment=amendment).exists()
