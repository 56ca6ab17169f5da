"""The plan's exchange file: JSON a program can read back, and a spreadsheet a planner can read.

Import validates the whole document with the same rules as an amendment (every item is an
"add" on an empty plan) and names the first problem and where it is.
"""

import datetime as dt
import io
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.spreadsheets import xml_safe
from plan.changesets import ADD, ChangesetInvalid, PlanContext, apply_changeset
from plan.items import State, item_from_exchange, parent_key
from plan.schema import EXPORT_LISTS, FIELDS, Kind, field_label

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


def parse_document(document) -> ParsedDocument:
    """Check an exchange document and build the state it describes; ValidationError names the first problem."""
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
            places.append(f"{key}[{position}] ({item['code']})")
    ctx = PlanContext(
        years=range(plan["operational_start_year"], plan["operational_end_year"] + 1),
        committees={c["code"] for c in committees},
    )
    try:
        state, _applied = apply_changeset({}, operations, ctx)
    except ChangesetInvalid as invalid:
        first = invalid.problems[0]
        where = places[first.index] if first.index is not None else ""
        if first.field:
            where += f" · {field_label(first.kind, first.field) if first.kind else first.field}"
        _fail(where, first.message)
    return ParsedDocument(plan=plan, version=version, committees=committees, state=state)


def workbook(document: dict) -> bytes:
    """The export as an .xlsx workbook: one right-to-left sheet per list, Persian headers with English."""

    book = Workbook()
    book.remove(book.active)
    first_year, last_year = document["plan"]["operational_horizon"]
    years = [str(y) for y in range(first_year, last_year + 1)]
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
            sheet.append([xml_safe(value) for value in values])
        sheet.freeze_panes = "B3"
        for index, (name, _year) in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = 40 if name.startswith(("name", "text")) else 14
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
