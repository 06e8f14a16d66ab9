"""Typed, safe xlsx cells and the header look shared by grid exports and reports.

openpyxl takes any ``str`` starting with "=" as a formula and "#N/A"-like
strings as errors; :func:`set_value` forces text cells to be strings (with
Excel's quote prefix when they look like a formula), so nothing a user typed
is ever evaluated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from crm_core.reports.cells import clean_text, is_dangerous, local_naive, money, text_width
from crm_core.reports.model import Kind, month_start

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_BORDER = Border(bottom=Side(style="thin", color="1F3864"))
TOTAL_FONT = Font(bold=True)
TOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(color="595959")

NUMBER_FORMATS: dict[Kind, str] = {
    Kind.MONEY: "#,##0.00",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
    Kind.PERCENT: "0.0%",
    Kind.NUMBER: "#,##0.0",
    Kind.INTEGER: "0",
    Kind.MONTH: "yyyy-mm",
}
MIN_WIDTH, MAX_WIDTH = 8, 60


def set_value(cell: Cell | WriteOnlyCell, value: Any, kind: Kind) -> None:
    """Store ``value`` typed for ``kind``: numbers and dates as such, everything else as plain text."""
    typed = _typed(value, kind)
    if isinstance(typed, str):
        text = clean_text(typed)
        cell.value = text
        cell.data_type = "s"  # never 'f' (formula) or 'e' (error), whatever the text says
        if is_dangerous(text):
            cell.quotePrefix = True  # editing the cell in Excel keeps it text
        return
    cell.value = typed
    if typed is not None and kind in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[kind]


def _typed(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if kind is Kind.MONEY and isinstance(value, (int, float, Decimal)):
        return money(value)
    if kind in (Kind.INTEGER, Kind.NUMBER, Kind.PERCENT) and isinstance(value, (int, float, Decimal)):
        return value
    if kind is Kind.DATETIME and isinstance(value, dt.datetime):
        return local_naive(value)
    if kind is Kind.DATE and isinstance(value, dt.date):
        return value
    if kind is Kind.MONTH and (first := month_start(value)) is not None:
        return first
    return str(value)


def text_cell(ws: Any, text: str, *, font: Font | None = None, fill: PatternFill | None = None) -> WriteOnlyCell:
    """A styled text cell for a write-only sheet (headers, notes)."""
    cell = WriteOnlyCell(ws)
    set_value(cell, text, Kind.TEXT)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def header_cell(ws: Any, text: str) -> WriteOnlyCell:
    """A column header of a write-only sheet: bold white on blue, centred."""
    cell = text_cell(ws, text, font=HEADER_FONT, fill=HEADER_FILL)
    cell.alignment = HEADER_ALIGN
    cell.border = HEADER_BORDER
    return cell


def style_header(cell: Cell) -> None:
    """The same header look on a normal worksheet's cell."""
    cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, HEADER_FILL, HEADER_ALIGN, HEADER_BORDER


def column_widths(headers: list[str], sample_rows: Iterable[list[str]]) -> list[float]:
    """Column widths (Excel character units) fitting the header and the sampled cell texts."""
    widths = [text_width(h) + 4 for h in headers]  # room for the autofilter arrow
    for row in sample_rows:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], text_width(text) + 2)
    return [float(min(MAX_WIDTH, max(MIN_WIDTH, w))) for w in widths]


def apply_widths(ws: Any, widths: list[float], first_column: int = 1) -> None:
    """Set column widths (before the first row on a write-only sheet)."""
    for i, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(first_column + i)].width = width


def safe_sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: no []:*?/\\ and at most 31 characters."""
    cleaned = clean_text("".join("_" if ch in "[]:*?/\\" else ch for ch in title)).strip("'") or "Sheet"
    return cleaned[:31]
