"""export_plan / import_plan: byte-identical round trip, a clear first problem, a readable spreadsheet."""

import copy
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from plan.demo import ahvaz_1407
from plan.models import Committee, IssuedVersion, Plan, PlanItem
from plan.services import amendment_create, amendment_operations_set, plan_version_issue

pytestmark = pytest.mark.django_db
LISTS = ["statements", "objectives", "committees", "outputs", "indicators", "projects", "actions", "portfolios"]


def test_export_import_export_is_byte_identical(plan, second_version, tmp_path):
    second_version()  # a later version, with a retirement and a change: more than the demo
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("export_plan", "--plan", plan.code, "-o", str(first))
    document = json.loads(first.read_text())
    assert [k for k in document if isinstance(document[k], list)] == LISTS
    assert document["version"]["number"] == 2
    assert all("code" in item for key in ("objectives", "projects") for item in document[key])
    # import into an empty database, as another city's server would
    Plan.objects.filter(pk=plan.pk).update(code="old")
    call_command("import_plan", str(first))
    call_command("export_plan", "--plan", "ahvaz-1407", "-o", str(second))
    assert first.read_bytes() == second.read_bytes()


def test_an_older_version_can_be_exported(plan, drafter, tmp_path):
    amendment = amendment_create(plan=plan, drafted_by=drafter, title="t")
    amendment_operations_set(
        amendment=amendment,
        acting_user=drafter,
        operations=[{"action": "retire", "code": "ACT-005", "justification": "j"}],
    )
    plan_version_issue(plan=plan, amendments=[amendment], issuance_number="1404-7", issued_by=drafter)
    out = tmp_path / "v1.json"
    call_command("export_plan", "--version", "1", "-o", str(out))
    assert "ACT-005" in {a["code"] for a in json.loads(out.read_text())["actions"]}


def _import(tmp_path, document):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document, ensure_ascii=False) if not isinstance(document, str) else document)
    counts = (Plan.objects.count(), PlanItem.objects.count(), Committee.objects.count(), IssuedVersion.objects.count())
    with pytest.raises(CommandError) as error:
        call_command("import_plan", str(path))
    after = (Plan.objects.count(), PlanItem.objects.count(), Committee.objects.count(), IssuedVersion.objects.count())
    assert after == counts, "a refused file imports nothing"
    return str(error.value)


def broken(change):
    document = ahvaz_1407()
    change(document)
    return document


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(format="other"), "format: expected"),
        (lambda d: d.pop("projects"), "projects: a list was expected"),
        (lambda d: d["plan"].update(operational_horizon=[1407]), "plan.operational_horizon"),
        (lambda d: d["indicators"].append(copy.deepcopy(d["indicators"][0])), "indicators[84] (IND4.1.1)"),
        (
            lambda d: d["outputs"][3].update(objective="O9"),
            "outputs[3] (EO3.1) · parent: the parent “O9” does not exist",
        ),
        (lambda d: d["projects"][12]["budgets"].update({"1405": -1}), "projects[12] (PRJ-013) · budget (rials) 1405"),
        (lambda d: d["indicators"][5]["targets"].update({"1399": 5}), "indicators[5]"),
        (lambda d: d["outputs"][0].update(committee="C99"), "there is no committee “C99”"),
        (lambda d: d["projects"][0].update(portfolio="PF-99"), "projects[0] (PRJ-001) · portfolio"),
        (
            lambda d: d["committees"].append(dict(d["committees"][0])),
            "committees[11] (C01): the code C01 is used twice",
        ),
        (lambda d: d["actions"][0].update(colour="blue"), "actions[0] (ACT-001) · colour"),
    ],
)
def test_a_bad_file_names_its_first_problem_and_imports_nothing(tmp_path, mutate, expected):
    message = _import(tmp_path, broken(mutate))
    assert expected in message, message
    assert "nothing was imported" in message


def test_not_json_and_existing_plan_are_refused(tmp_path, plan):
    assert "neither a JSON plan nor an XLSX workbook" in _import(tmp_path, "{ not json")
    assert "already exists" in _import(tmp_path, ahvaz_1407())


def test_spreadsheet_is_readable(plan, tmp_path):
    out = tmp_path / "plan.xlsx"
    call_command("export_plan", "--format", "xlsx", "-o", str(out))
    book = load_workbook(out)
    assert book.sheetnames == ["plan", *LISTS]  # the plan sheet holds what the import needs besides the lists
    projects = book["projects"]
    assert projects.sheet_view.rightToLeft
    assert projects.max_row == 2 + 164
    keys = [cell.value for cell in projects[2]]
    assert keys[:3] == ["code", "output", "name_fa"] and "budgets.1405" in keys
    first = {key: cell.value for key, cell in zip(keys, projects[3], strict=True)}
    assert first["code"] == "PRJ-001" and first["portfolio"] == "PF-01"
    assert book["indicators"]["A3"].value == "IND1.1.1"  # natural code order


def test_diff_plan_prints_the_changes_and_their_fingerprint(plan, drafter, capsys):
    from plan.diff import fingerprint
    from plan.selectors import amendment_preview

    amendment = amendment_create(plan=plan, drafted_by=drafter, title="t")
    amendment_operations_set(
        amendment=amendment,
        acting_user=drafter,
        operations=[
            {"action": "change", "code": "IND3.1.1", "justification": "j", "values": {"targets.1405": {"new": 80}}}
        ],
    )
    signed = amendment_preview(amendment).fingerprint
    plan_version_issue(plan=plan, amendments=[amendment], issuance_number="1404-9", issued_by=drafter)
    call_command("diff_plan", "1", "2")
    out = capsys.readouterr().out
    assert f"fingerprint {signed}" in out
    assert "changed IND3.1.1" in out and "target 1405: 75 → 80  (+5)" in out
    call_command("diff_plan", "1", "2", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["fingerprint"] == signed == fingerprint(data["entries"])
    with pytest.raises(CommandError, match="no version 7"):
        call_command("diff_plan", "1", "7")
