"""The year in review as a workbook: one right-to-left sheet of every indicator and project with its
target, what was achieved and its standing, and one of the committees' standing."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from core.spreadsheets import append_data
from plan.progress import STATUS_LABELS, STATUSES

FILLS = {
    "achieved": "C8E6C9",
    "on_track": "E8F5E9",
    "at_risk": "FFF3CD",
    "off_track": "F8D7DA",
    "unreported": "EEEEEE",
}


def review_workbook(review: dict) -> bytes:
    book = Workbook()
    items = book.active
    items.title = _("items")[:31]
    items.sheet_view.rightToLeft = True
    items.append(
        [
            _("code"),
            _("name"),
            _("Committee"),
            _("unit"),
            _("target or planned"),
            _("achieved"),
            _("standing"),
            _("share of the way (percent)"),
        ]
    )
    for row in review["rows"]:
        append_data(
            items,
            [
                row["code"],
                row["name"],
                row["committee"],
                row["unit"],
                row["target"],
                row["actual"],
                str(row["status_label"]),
                row["percent"],
            ],
        )
        items.cell(items.max_row, 7).fill = PatternFill("solid", fgColor=FILLS[row["progress"].status])
    committees = book.create_sheet(_("committees")[:31])
    committees.sheet_view.rightToLeft = True
    committees.append(
        [_("Committee"), _("standing"), _("share of the way (percent)"), *[str(STATUS_LABELS[s]) for s in STATUSES]]
    )
    for row in review["committees"]:
        counts = row["progress"].counts
        append_data(
            committees, [row["name"], str(row["status_label"]), row["percent"], *[counts.get(s, 0) for s in STATUSES]]
        )
    for sheet in (items, committees):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.column_dimensions["B"].width = 50 if sheet is items else 16
        sheet.column_dimensions["A"].width = 40 if sheet is committees else 14
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
