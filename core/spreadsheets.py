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


def xml_safe(value):
    """Text a spreadsheet can hold: control characters XML refuses (a pasted title can carry them)
    become U+FFFD, visibly, instead of failing the whole export."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value
