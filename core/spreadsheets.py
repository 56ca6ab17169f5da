"""Text written into spreadsheets (CSV and XLSX) that stays data: never a formula, never a
character XML refuses."""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A cell that starts like a formula is read as text by spreadsheet programs only when quoted:
# typed reasons are data, never formulas (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def append_data(sheet, values) -> None:
    """Append a row of data to an openpyxl sheet as the data it is: text XML can hold (`xml_safe`),
    and text that starts with "=" kept as text, never a formula (openpyxl writes such a string as
    one: a name "=HYPERLINK(…)" would run in every reader's spreadsheet, and a name that merely
    starts with "=" would make the workbook refused when uploaded back). The text is unchanged."""
    sheet.append([xml_safe(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def xml_safe(value):
    """Text a spreadsheet can hold: control characters XML refuses (a pasted title can carry them)
    become U+FFFD, visibly, instead of failing the whole export."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value
