"""The plan's exchange file: JSON a program can read back, and a spreadsheet a planner can read.

Import validates the whole document with the same rules as an amendment (every item is an
"add" on an empty plan) and names the first problem and where it is.
"""

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.spreadsheets import append_data
from plan.changesets import ADD, ChangesetInvalid, PlanContext, apply_changeset
from plan.items import (
    State,
    horizon_item,
    item_from_exchange,
    normalize_number,
    owner_committee,
    parent_key,
)
from plan.schema import EXPORT_LISTS, FIELDS, HORIZON_CODE, Kind, field_label

FORMAT = "baznegar-plan/1"
# The order in which items are added on import, so that parents and portfolios come first.
IMPORT_ORDER = [
    ("statements", Kind.STATEMENT),
    ("objectives", Kind.OBJECTIVE),
    ("portfolios", Kind.PORTFOLIO),
    ("outputs", Kind.OUTPUT),
    ("indicators", Kind.INDICATOR),
    ("projects", Kind.PROJECT),
    ("actions", Kind.ACTION),
]


def dumps(document: dict) -> str:
    """The JSON text of an export: stable key order, UTF-8 Persian kept readable."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


@dataclass
class ParsedDocument:
    plan: dict
    version: dict
    committees: list[dict]
    state: State


def _fail(where: str, message: str):
    raise ValidationError(f"{where}: {message}" if where else message, code="invalid_plan_file")


def _require(mapping, key, kind, where):
    value = mapping.get(key) if isinstance(mapping, dict) else None
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        _fail(where, _("“%(key)s” is missing or of the wrong type") % {"key": key})
    return value


def _json_place(key: str, position: int, code: str, field: str = "", field_name: str = "") -> str:
    return f"{key}[{position}] ({code})" + (f" · {field_name}" if field_name else "")


def parse_document(document, locate=_json_place) -> ParsedDocument:
    """Check an exchange document and build the state it describes; ValidationError names the first
    problem, where `locate(list key, position, code, field, field's name)` says (a JSON path, or a sheet's
    row and column for a workbook)."""
    if not isinstance(document, dict):
        _fail("", _("the file is not a plan document (a JSON object was expected)"))
    if document.get("format") != FORMAT:
        _fail("format", _("expected “%(format)s”") % {"format": FORMAT})
    meta = _require(document, "plan", dict, "")
    plan = {"code": _require(meta, "code", str, "plan")}
    for key in ("name_fa", "city_fa"):
        plan[key] = _require(meta, key, str, "plan")
    for key in ("name_en", "city_en"):
        plan[key] = meta.get(key) or ""
    for key, prefix in (("strategic_horizon", "strategic"), ("operational_horizon", "operational")):
        horizon = meta.get(key)
        if not (
            isinstance(horizon, list)
            and len(horizon) == 2
            and all(isinstance(y, int) for y in horizon)
            and horizon[0] <= horizon[1]
        ):
            _fail(f"plan.{key}", _("expected [first year, last year]"))
        plan[f"{prefix}_start_year"], plan[f"{prefix}_end_year"] = horizon

    version = {}
    raw_version = document.get("version") or {}
    if not isinstance(raw_version, dict):
        _fail("version", _("“%(key)s” is missing or of the wrong type") % {"key": "version"})
    if raw_version.get("number") is not None:
        if not isinstance(raw_version["number"], int) or raw_version["number"] < 1:
            _fail("version.number", _("expected a whole number from 1"))
        version["number"] = raw_version["number"]
    if raw_version.get("issuance_number"):
        version["issuance_number"] = str(raw_version["issuance_number"])
    if raw_version.get("issued_at"):
        try:
            issued_at = dt.datetime.fromisoformat(str(raw_version["issued_at"]))
        except ValueError:
            _fail("version.issued_at", _("expected an ISO 8601 date and time"))
        if issued_at.tzinfo is None:
            _fail("version.issued_at", _("the time needs its UTC offset"))
        version["issued_at"] = issued_at

    for key, _kind in [("statements", None), *EXPORT_LISTS]:
        value = document.get(key, [] if key == "statements" else None)
        if not isinstance(value, list):
            _fail(key, _("a list was expected"))
        for position, record in enumerate(value):
            if not isinstance(record, dict) or not isinstance(record.get("code"), str):
                _fail(f"{key}[{position}]", _("each item is an object with a “code”"))

    committees = []
    seen = set()
    for position, record in enumerate(document["committees"]):
        where = f"committees[{position}] ({record['code']})"
        if record["code"] in seen:
            _fail(where, _("the code %(code)s is used twice") % {"code": record["code"]})
        seen.add(record["code"])
        committees.append(
            {
                "code": record["code"],
                "name_fa": _require(record, "name_fa", str, where),
                "name_en": record.get("name_en") or "",
            }
        )

    operations, places = [], []
    for key, kind in IMPORT_ORDER:
        for position, record in enumerate(document.get(key, [])):
            item = item_from_exchange(kind, record)
            values = {k: v for k, v in item.items() if k not in ("code", "kind")}
            if not parent_key(kind) and not values.get("parent"):
                values.pop("parent", None)
            operations.append(
                {"action": ADD, "code": item["code"], "kind": kind, "values": values, "justification": "import"}
            )
            places.append((key, position, item["code"]))
    if plan["operational_start_year"] < plan["strategic_start_year"] or (
        plan["operational_end_year"] > plan["strategic_end_year"]
    ):
        _fail("plan.operational_horizon", _("the operational horizon must lie inside the strategic horizon"))
    # the years an item's figures may name: the operational horizon, and the years before it that a
    # roll-forward closed, whose figures are the record (a plan exported after a roll keeps them)
    ctx = PlanContext(
        years=range(plan["strategic_start_year"], plan["operational_end_year"] + 1),
        committees={c["code"] for c in committees},
    )
    try:
        state, _applied = apply_changeset({}, operations, ctx)
    except ChangesetInvalid as invalid:
        first = invalid.problems[0]
        field_name = ""
        if first.field:
            field_name = field_label(first.kind, first.field) if first.kind else first.field
        where = locate(*places[first.index], first.field or "", field_name) if first.index is not None else ""
        _fail(where, first.message)
    state[HORIZON_CODE] = horizon_item(
        strategic=(plan["strategic_start_year"], plan["strategic_end_year"]),
        operational=(plan["operational_start_year"], plan["operational_end_year"]),
    )
    return ParsedDocument(plan=plan, version=version, committees=committees, state=state)


def workbook(document: dict) -> bytes:
    """The export as an .xlsx workbook: one right-to-left sheet per list, Persian headers with English."""

    book = Workbook()
    book.remove(book.active)
    about = book.create_sheet(PLAN_SHEET)
    about.sheet_view.rightToLeft = True
    about.append([_("field"), "key", _("value")])
    for key, label, value in _plan_rows(document):
        append_data(about, [label, key, value])
    for cell in about[1]:
        cell.font = Font(bold=True)
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 30, 28
    about.column_dimensions["C"].width = 60
    first_year, last_year = document["plan"]["operational_horizon"]
    # the horizon's years, and any closed year an item still carries figures for (the record)
    recorded = {
        int(year)
        for key, _kind in EXPORT_LISTS
        for record in document[key]
        for value in record.values()
        if isinstance(value, dict)
        for year in value
    }
    years = [str(y) for y in sorted(recorded | set(range(first_year, last_year + 1)))]
    sheets = [("statements", Kind.STATEMENT)] + [(k, kind) for k, kind in EXPORT_LISTS]
    for key, kind in sheets:
        sheet = book.create_sheet(key)
        sheet.sheet_view.rightToLeft = True
        columns: list[tuple[str, str | None]] = [("code", None)]
        if kind is not None and parent_key(kind):
            columns.append((parent_key(kind), None))
        specs = FIELDS[kind] if kind is not None else FIELDS[Kind.OBJECTIVE]
        for spec in specs:
            if spec.per_year:
                columns.extend((spec.name, year) for year in years)
            else:
                columns.append((spec.name, None))
        headers = []
        for name, year in columns:
            if name == "code":
                headers.append(_("code"))
            elif kind is not None and name == parent_key(kind):
                headers.append(_("parent"))
            else:
                headers.append(field_label(kind or Kind.OBJECTIVE, f"{name}.{year}" if year else name))
        sheet.append(headers)
        sheet.append([f"{name}.{year}" if year else name for name, year in columns])
        for cell in sheet[1] + sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        for record in document[key]:
            values = [(record.get(name) or {}).get(year) if year else record.get(name) for name, year in columns]
            append_data(sheet, values)
        sheet.freeze_panes = "B3"
        for index, (name, _year) in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = 40 if name.startswith(("name", "text")) else 14
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Reading a workbook back: the export's own layout (a plan sheet, then one sheet per list with
# people's headers in row 1 and the machine keys in row 2), into the same document the JSON
# file is, so both are validated by `parse_document`, and errors name sheet, row and column.

PLAN_SHEET = "plan"
MAX_WORKBOOK_BYTES = 10 * 1024 * 1024  # a 10,000-item plan exports to about 1 MB
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100  # an XLSX compresses some 5–20 times; far more is a zip bomb
# a sheet's extent (its furthest cell, filled or not): a plan of 10,000 items has far fewer rows, and
# every list far fewer columns; one value typed at XFD1048576 made openpyxl walk 17 billion cells
MAX_SHEET_ROWS = 30_000
MAX_SHEET_COLUMNS = 200
TEXT_TYPES = ("text", "date", "committee", "portfolio", "direction")


def _plan_rows(document: dict) -> list[tuple[str, str, object]]:
    plan, version = document["plan"], document.get("version") or {}
    return [
        ("format", _("file format"), document.get("format", FORMAT)),
        ("code", _("plan code"), plan["code"]),
        ("name_fa", _("name (Persian)"), plan["name_fa"]),
        ("name_en", _("name (English)"), plan.get("name_en", "")),
        ("city_fa", _("city (Persian)"), plan["city_fa"]),
        ("city_en", _("city (English)"), plan.get("city_en", "")),
        ("strategic_start_year", _("strategic horizon from"), plan["strategic_horizon"][0]),
        ("strategic_end_year", _("strategic horizon to"), plan["strategic_horizon"][1]),
        ("operational_start_year", _("operational horizon from"), plan["operational_horizon"][0]),
        ("operational_end_year", _("operational horizon to"), plan["operational_horizon"][1]),
        ("version.number", _("version"), version.get("number")),
        ("version.issuance_number", _("issuance number"), version.get("issuance_number")),
        ("version.issued_at", _("issued at (UTC, ISO 8601)"), version.get("issued_at")),
        ("version.issued_at_jalali", _("issued at (Jalali)"), version.get("issued_at_jalali")),
        ("version.fingerprint", _("content fingerprint"), version.get("fingerprint")),
    ]


def _sheet_place(sheet: str, row: int, column: str = "", header: str = "") -> str:
    where = _("sheet “%(sheet)s”, row %(row)s") % {"sheet": sheet, "row": row}
    if column:
        where += " · " + _("column %(column)s (%(header)s)") % {"column": column, "header": header}
    return where


def _open_workbook(data: bytes):
    """The workbook, or ValidationError for what is not one or cannot be read safely."""
    if len(data) > MAX_WORKBOOK_BYTES:
        _fail("", _("the file is larger than %(mb)s MB") % {"mb": MAX_WORKBOOK_BYTES // (1024 * 1024)})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        _fail("", _("the file is not an XLSX workbook"))
    if unpacked > MAX_UNZIPPED_BYTES or unpacked > MAX_RATIO * max(len(data), 1):
        _fail("", _("the workbook unpacks to far more than it weighs; it is refused (a zip bomb?)"))
    try:
        book = load_workbook(io.BytesIO(data), data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken file; all mean the same
        _fail("", _("the file is not an XLSX workbook openpyxl can read"))
    for sheet in book.worksheets:
        if sheet.max_row > MAX_SHEET_ROWS or sheet.max_column > MAX_SHEET_COLUMNS:
            _fail(
                _("sheet “%(sheet)s”") % {"sheet": sheet.title},
                _(
                    "it reaches row %(row)s and column %(column)s, more than a plan's sheet ever does "
                    "(%(rows)s rows, %(columns)s columns): delete what was typed far off"
                )
                % {
                    "row": sheet.max_row,
                    "column": get_column_letter(sheet.max_column),
                    "rows": MAX_SHEET_ROWS,
                    "columns": MAX_SHEET_COLUMNS,
                },
            )
    return book


def _row_keys(sheet) -> list:
    """Row 2's machine names, without the empty cells after the last (a sheet's extent is wider)."""
    keys = [c.value for c in sheet[2]] if sheet.max_row >= 2 else []
    while keys and keys[-1] in (None, ""):
        keys.pop()
    return keys


def _refuse_merges_and_formulas(sheet, sheet_name: str):
    """What a plan's sheet never holds: merged cells, formulas (their values are not the file's)."""
    if sheet.merged_cells.ranges:
        merged = min(str(r) for r in sheet.merged_cells.ranges)
        _fail(
            _("sheet “%(sheet)s”") % {"sheet": sheet_name},
            _("merged cells (%(range)s): unmerge them") % {"range": merged},
        )
    # the cells the file holds (openpyxl's own map), not every empty cell of the sheet's extent
    for cell in sorted(sheet._cells.values(), key=lambda c: (c.row, c.column)):
        if cell.data_type == "f":
            _fail(
                _sheet_place(sheet_name, cell.row, cell.column_letter, cell.coordinate),
                _("a formula: type the value itself"),
            )


def document_from_workbook(data: bytes):
    """The exchange document an exported workbook holds, and a locator naming sheet, row and column
    (for `parse_document`). ValidationError names the first problem of the workbook itself."""
    book = _open_workbook(data)
    for name in [PLAN_SHEET, "statements", *[key for key, _kind in EXPORT_LISTS]]:
        if name not in book.sheetnames:
            _fail("", _("the sheet “%(sheet)s” is missing") % {"sheet": name})
    about = book[PLAN_SHEET]
    _refuse_merges_and_formulas(about, PLAN_SHEET)
    meta = {
        row[1]: row[2] for row in about.iter_rows(min_row=2, max_col=3, values_only=True) if len(row) >= 3 and row[1]
    }

    def year(key):
        value = meta.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            _fail(PLAN_SHEET, _("“%(key)s” must be a year") % {"key": key})
        return value

    document = {
        "format": meta.get("format"),
        "plan": {
            **{key: meta.get(key) or "" for key in ("code", "name_fa", "name_en", "city_fa", "city_en")},
            "strategic_horizon": [year("strategic_start_year"), year("strategic_end_year")],
            "operational_horizon": [year("operational_start_year"), year("operational_end_year")],
        },
        "version": {
            key: meta.get(f"version.{key}")
            for key in ("number", "issuance_number", "issued_at", "issued_at_jalali", "fingerprint")
            if meta.get(f"version.{key}") not in (None, "")
        },
    }
    rows: dict[str, list[int]] = {}
    columns_of: dict[str, dict[str, tuple[str, str]]] = {}
    sheets = [("statements", Kind.STATEMENT), *EXPORT_LISTS]
    for key, kind in sheets:
        sheet = book[key]
        _refuse_merges_and_formulas(sheet, key)
        headers = [c.value for c in sheet[1]] if sheet.max_row >= 1 else []
        keys = _row_keys(sheet)
        specs = {spec.name: spec for spec in (FIELDS[kind] if kind is not None else FIELDS[Kind.OBJECTIVE])}
        allowed = {"code", *([parent_key(kind)] if kind is not None and parent_key(kind) else []), *specs}
        columns = {}
        for index, machine in enumerate(keys, start=1):
            if machine in (None, ""):
                continue
            base, _dot, _year = str(machine).partition(".")
            if base not in allowed or (bool(_dot) != bool(getattr(specs.get(base), "per_year", False))):
                _fail(
                    _sheet_place(key, 2, get_column_letter(index), str(machine)),
                    _("an unknown column: keep row 2 as exported"),
                )
            columns[str(machine)] = (get_column_letter(index), str(headers[index - 1] or machine))
        if "code" not in columns:
            _fail(_sheet_place(key, 2), _("the “code” column is missing: keep row 2 as exported"))
        columns_of[key] = columns
        records, rows[key] = [], []
        for row in sheet.iter_rows(min_row=3, max_col=max(len(keys), 1)):
            values = {str(keys[c.column - 1]): c.value for c in row if c.column <= len(keys) and keys[c.column - 1]}
            if all(v in (None, "") for v in values.values()):
                continue  # an empty row
            code = values.get("code")
            if not isinstance(code, str) or not code.strip():
                _fail(_sheet_place(key, row[0].row, columns["code"][0], columns["code"][1]), _("a code is needed"))
            record: dict = {}
            for machine, value in values.items():
                base, _dot, year_text = machine.partition(".")
                spec = specs.get(base)
                if _dot:
                    if value not in (None, ""):
                        record.setdefault(base, {})[year_text] = value
                elif spec is not None and spec.per_year:
                    continue
                elif value is None and machine != "code" and (spec is None or spec.type in TEXT_TYPES):
                    record[machine] = ""
                else:
                    record[machine] = value
            for spec in specs.values():
                if spec.per_year:
                    record.setdefault(spec.name, {})
            records.append(record)
            rows[key].append(row[0].row)
        document[key] = records

    def locate(key, position, code, field="", field_name=""):
        row = rows.get(key, [])[position] if position < len(rows.get(key, [])) else 0
        if not field:
            return _sheet_place(key, row) + f" ({code})"
        machine = parent_key(dict(sheets)[key]) if field == "parent" else field
        column, header = columns_of.get(key, {}).get(machine, ("", field_name))
        return _sheet_place(key, row, column, header or field_name) + f" ({code})"

    return document, locate


def parse_workbook(data: bytes) -> ParsedDocument:
    """An exported workbook checked exactly as its JSON would be; errors name sheet, row and column."""
    document, locate = document_from_workbook(data)
    return parse_document(document, locate)


# ---------------------------------------------------------------------------------------------
# A committee's figures as a spreadsheet, and back as an amendment's field changes: the committee
# downloads its indicators' baselines and targets and its projects' budgets, edits the numbers,
# uploads the file, previews the changes and saves them to its draft.

FIGURE_SHEETS = (("indicators", Kind.INDICATOR, ("baseline", "targets")), ("projects", Kind.PROJECT, ("budgets",)))


def committee_workbook(state: State, committee: str, years) -> bytes:
    """The committee's items (those under its outputs) with their figures, one sheet per kind: code
    and name (for reading) then one column per figure, row 2 the machine keys as in the export."""
    book = Workbook()
    book.remove(book.active)
    for key, kind, names in FIGURE_SHEETS:
        sheet = book.create_sheet(key)
        sheet.sheet_view.rightToLeft = True
        columns = ["code", "name_fa"]
        for name in names:
            spec = next(s for s in FIELDS[kind] if s.name == name)
            columns += [f"{name}.{year}" for year in years] if spec.per_year else [name]
        sheet.append([_("code"), _("name (Persian)"), *[field_label(kind, c) for c in columns[2:]]])
        sheet.append(columns)
        for cell in sheet[1] + sheet[2]:
            cell.font = Font(bold=True)
        owned = [i for i in state.values() if i["kind"] == kind and owner_committee(state, i["code"]) == committee]
        for item in sorted(owned, key=lambda i: i["code"]):
            append_data(sheet, [item["code"], item.get("name_fa", ""), *[item.get(c) for c in columns[2:]]])
        sheet.freeze_panes = "C3"
        sheet.column_dimensions["B"].width = 45
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def committee_changes(data: bytes, state: State, committee: str, justification: str) -> list[dict]:
    """The field changes an edited committee workbook asks for (only the cells that differ from the
    version the draft amends), one operation an item. ValidationError names sheet, row and column
    of the first cell that cannot be one of the committee's figures; the numbers themselves are
    checked by the amendment's rules when the changes are saved."""
    book = _open_workbook(data)
    operations = []
    for key, kind, names in FIGURE_SHEETS:
        if key not in book.sheetnames:
            _fail("", _("the sheet “%(sheet)s” is missing") % {"sheet": key})
        sheet = book[key]
        _refuse_merges_and_formulas(sheet, key)
        keys = _row_keys(sheet)
        headers = [c.value for c in sheet[1]] if sheet.max_row >= 1 else []
        for index, machine in enumerate(keys, start=1):
            base = str(machine or "").partition(".")[0]
            if machine and machine not in ("code", "name_fa") and base not in names:
                place = _sheet_place(key, 2, get_column_letter(index), str(machine))
                _fail(place, _("an unknown column: keep row 2 as downloaded"))
        for row in sheet.iter_rows(min_row=3, max_col=max(len(keys), 1)):
            cells = {keys[c.column - 1]: c for c in row if c.column <= len(keys) and keys[c.column - 1]}
            code = cells.get("code").value if cells.get("code") else None
            if code in (None, ""):
                continue
            item = state.get(str(code))
            if item is None or item["kind"] != kind or owner_committee(state, str(code)) != committee:
                _fail(
                    _sheet_place(key, row[0].row, "A", str(headers[0] or "code")),
                    _("“%(code)s” is not one of your committee's %(kind)s") % {"code": code, "kind": Kind(kind).label},
                )
            values = {}
            for machine, cell in cells.items():
                if machine in ("code", "name_fa"):
                    continue
                if isinstance(cell.value, dt.date | dt.time):  # a cell formatted as a date reads as one
                    _fail(
                        _sheet_place(key, cell.row, cell.column_letter, str(headers[cell.column - 1] or machine)),
                        _("a date where a number goes: format the cell as a number and type the figure"),
                    )
                new = normalize_number(cell.value) if isinstance(cell.value, str) else cell.value
                if new is None and cell.value not in (None, ""):
                    new = cell.value  # not a number: the amendment's rules name it
                if new != item.get(machine):
                    values[machine] = {"new": new}
            if values:
                operations.append(
                    {"action": "change", "code": item["code"], "values": values, "justification": justification}
                )
    return operations
