"""The audit trail as files an inspector can open: CSV (streamed, any size) and XLSX.

Each row carries the event's time twice, side by side: the Jalali local time people read, and the
ISO 8601 UTC time machines compare; and its hashes, so a printed export can be checked against
the log.
"""

import csv
import datetime as dt
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from approvals.selectors import AuditQuery, audit_events
from audit import chain
from core.jalali import to_jalali
from core.spreadsheets import formula_safe, xml_safe

XLSX_MAX_ROWS = 100_000


def _columns() -> list[str]:
    return [
        _("event"),
        _("date and time (Jalali, Tehran)"),
        _("date and time (ISO 8601, UTC)"),
        _("person"),
        _("on behalf of"),
        _("action"),
        _("action code"),
        _("object"),
        _("plan"),
        _("revision"),
        _("amendment"),
        _("committee"),
        _("reason"),
        _("details"),
        _("IP address"),
        _("hash"),
    ]


def _jalali(value) -> str:
    local = to_jalali(timezone.localtime(value))
    return f"{local.year:04d}/{local.month:02d}/{local.day:02d} {local.hour:02d}:{local.minute:02d}:{local.second:02d}"


def _row(event) -> list:
    data = event.data if isinstance(event.data, dict) else {}
    values = [
        event.pk,
        _jalali(event.occurred_at),
        event.occurred_at.astimezone(dt.UTC).isoformat(),
        event.actor_username,
        event.on_behalf_of_username,
        chain.action_label(event.action),
        event.action,
        event.object_repr,
        event.scope_plan or "",
        event.scope_revision or "",
        event.scope_amendment or "",
        event.scope_committee or "",
        data.get("reason", ""),
        chain.canonical_json({k: v for k, v in data.items() if k != "reason"}),
        event.ip_address or "",
        event.hash,
    ]
    return [formula_safe(value) for value in values]


class _Echo:
    def write(self, value):
        return value


def audit_csv_lines(query: AuditQuery):
    """The CSV, line by line, for a streaming response: memory stays flat at a million rows.
    Starts with a byte-order mark so spreadsheet programs read the Persian as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(_columns())
    for event in audit_events(query).iterator(chunk_size=2000):
        yield writer.writerow(_row(event))


def audit_xlsx_too_large(query: AuditQuery) -> bool:
    return audit_events(query).order_by()[: XLSX_MAX_ROWS + 1].count() > XLSX_MAX_ROWS


def audit_xlsx(query: AuditQuery) -> bytes:
    """The events as a right-to-left workbook (at most XLSX_MAX_ROWS; CSV has no limit)."""

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("audit trail"))
    sheet.sheet_view.rightToLeft = True
    sheet.freeze_panes = "A2"
    header = []
    for title in _columns():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for event in audit_events(query)[:XLSX_MAX_ROWS].iterator(chunk_size=2000):
        sheet.append([xml_safe(value) for value in _row(event)])  # the CSV keeps the audited text as is
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
