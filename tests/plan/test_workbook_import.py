"""A plan read back from its XLSX export, from the command line and the admin: export → import →
export gives the same cells; every kind of bad workbook is refused, naming sheet, row and column,
and writes nothing."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import load_workbook

from audit.models import AuditEvent
from plan import exchange
from plan.models import Plan
from plan.selectors import plan_export, version_in_force
from plan.services import plan_import_file
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _cells(data: bytes) -> dict:
    book = load_workbook(io.BytesIO(data))
    return {name: [[c.value for c in row] for row in book[name].iter_rows()] for name in book.sheetnames}


def _workbook(plan) -> bytes:
    return exchange.workbook(plan_export(version_in_force(plan)))


def test_export_import_export_of_xlsx_gives_the_same_cells(plan, second_version, tmp_path):
    # and a name that starts like a formula, which must stay text
    second_version(
        {"action": "change", "code": "IND3.1.1", "justification": "j", "values": {"name_fa": {"new": "=نام"}}}
    )
    first = tmp_path / "first.xlsx"
    call_command("export_plan", "--plan", plan.code, "--format", "xlsx", "-o", str(first))
    Plan.objects.filter(pk=plan.pk).update(code="old")  # import beside it, as another server would
    call_command("import_plan", str(first))
    imported = Plan.objects.get(code=plan.code)
    second = _workbook(imported)
    assert _cells(first.read_bytes()) == _cells(second)
    assert version_in_force(imported).fingerprint == version_in_force(plan).fingerprint
    names = {row[0]: row for row in _cells(second)["indicators"][2:]}
    assert names["IND3.1.1"][2] == "=نام"  # a name starting like a formula stays text
    event = AuditEvent.objects.filter(action="plan.plan.import").latest("id")
    assert event.data["from"] == "xlsx"


def _edited(plan, edit) -> bytes:
    book = load_workbook(io.BytesIO(_workbook(plan)))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _refused(data: bytes) -> str:
    before = Plan.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as error:  # BaznegarError is one
        plan_import_file(data=data, code="copy")
    assert Plan.objects.count() == before  # nothing written
    return " ".join(error.value.messages)


def _set(sheet, cell, value):
    def edit(book):
        book[sheet][cell] = value

    return edit


def _row_of(book, sheet, code):
    return next(row[0].row for row in book[sheet].iter_rows(min_row=3) if row[0].value == code)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_set("indicators", "A3", "=1+1"), "sheet “indicators”, row 3 · column A (A3): a formula"),
        (lambda book: book["projects"].merge_cells("C3:D3"), "sheet “projects”: merged cells (C3:D3)"),
        (lambda book: book.remove(book["actions"]), "the sheet “actions” is missing"),
        (_set("plan", "C8", "soon"), "“strategic_start_year” must be a year"),
        (_set("indicators", "Z2", "colour"), "sheet “indicators”, row 2 · column Z (colour): an unknown column"),
        (_set("indicators", "A3", None), "sheet “indicators”, row 3 · column A (code): a code is needed"),
        # what the plan's own rules refuse names the row, the column and the code
        (_set("indicators", "B3", "EO9.9"), "sheet “indicators”, row 3 · column B"),
        (_set("indicators", "A4", "IND1.1.1"), "sheet “indicators”, row 4"),
    ],
)
def test_a_bad_workbook_names_sheet_row_and_column_and_imports_nothing(plan, edit, expected):
    message = _refused(_edited(plan, edit))
    assert expected in message, message


def test_a_wrong_type_is_named_with_its_cell(plan):
    book = load_workbook(io.BytesIO(_workbook(plan)))
    keys = [c.value for c in book["projects"][2]]
    column = keys.index("budgets.1405") + 1
    book["projects"].cell(row=3, column=column).value = "بسیار"
    out = io.BytesIO()
    book.save(out)
    message = _refused(out.getvalue())
    letter = book["projects"].cell(row=3, column=column).column_letter
    assert f"sheet “projects”, row 3 · column {letter} (budget (rials) 1405)" in message, message
    assert "must be a number" in message


def test_what_is_not_a_workbook_or_too_big_is_refused(plan):
    assert "not an XLSX workbook" in _refused(b"PK\x03\x04 not really a zip")
    assert "larger than 10 MB" in _refused(b"PK" + b"0" * (10 * 1024 * 1024))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    assert "zip bomb" in _refused(bomb.getvalue())


def test_the_command_names_the_problem(plan, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(_edited(plan, _set("indicators", "A3", "=1+1")))
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("import_plan", str(path), "--code", "copy")
    assert "a formula" in str(error.value) and "nothing was imported" in str(error.value)


def test_an_administrator_imports_a_workbook_in_the_admin(client, plan):
    root = UserFactory(username="root", is_staff=True, is_superuser=True, language="fa")
    client.force_login(root)
    listing = client.get("/admin/plan/plan/").content.decode()
    assert "/admin/plan/plan/import/" in listing
    upload = io.BytesIO(_workbook(plan))
    upload.name = "plan.xlsx"
    answer = client.post("/admin/plan/plan/import/", {"file": upload, "code": "ahvaz-copy"})
    assert answer.status_code == 302
    copy = Plan.objects.get(code="ahvaz-copy")
    assert version_in_force(copy).fingerprint == version_in_force(plan).fingerprint
    bad = io.BytesIO(_edited(plan, _set("indicators", "A3", "=1+1")))
    bad.name = "bad.xlsx"
    page = client.post("/admin/plan/plan/import/", {"file": bad, "code": "other"})
    assert page.status_code == 200 and "فرمول" in page.content.decode()  # the message, in Persian
    assert not Plan.objects.filter(code="other").exists()
    clerk = UserFactory(is_staff=True)
    client.force_login(clerk)
    assert client.get("/admin/plan/plan/import/").status_code in (302, 403)
