"""Streaming CSV and xlsx writers for grid exports.

Both take an iterator of records and write each row as it arrives: memory
stays at one page of records plus openpyxl's write-only buffer, whatever the
number of rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from crm_core.exporting.columns import ExportColumn
from crm_core.i18n import Text
from crm_core.reports.cells import csv_text, format_value, local_naive, money
from crm_core.reports.model import Kind
from crm_core.reports.pdf_base import PdfMeta
from crm_core.reports.xlsx_base import (NOTE_FONT, TITLE_FONT, apply_widths, column_widths, header_cell,
                                        safe_sheet_title, set_value, text_cell)

SAMPLE_ROWS = 50  # rows looked at to size the columns
_INFO_SHEET = Text("导出说明", "About this export")
_ROWS = Text("记录数：{n}", "Rows: {n}")

Record = Mapping[str, Any]


def write_csv(path: Path, columns: list[ExportColumn], records: Iterator[Record], meta: PdfMeta) -> int:
    """UTF-8 with BOM (Excel in Chinese Windows detects it), CRLF, minimal quoting; returns rows written."""
    del meta  # a CSV has no room for a header block: the first line must be the column names
    n = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        out.writerow([csv_text(c.header) for c in columns])
        for record in records:
            out.writerow([_csv_cell(c.value(record), c.kind) for c in columns])
            n += 1
    return n


def _csv_cell(value: Any, kind: Kind) -> str:
    """Numbers and dates machine-readable (no thousands separators), text neutralised."""
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_text(value)
    if kind is Kind.MONEY:
        return f"{money(value):.2f}"
    if isinstance(value, dt.datetime):
        return local_naive(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_xlsx(path: Path, columns: list[ExportColumn], records: Iterator[Record], meta: PdfMeta) -> int:
    """A write-only workbook: styled, frozen header row, autofilter, sized columns, typed cells."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(safe_sheet_title(meta.title))
    first = list(itertools.islice(records, SAMPLE_ROWS))
    sample = [[format_value(c.value(r), c.kind) for c in columns] for r in first]
    apply_widths(ws, column_widths([c.header for c in columns], sample))
    ws.freeze_panes = "A2"  # must be set before the first row of a write-only sheet
    ws.append([header_cell(ws, c.header) for c in columns])
    n = 0
    for record in itertools.chain(first, records):
        ws.append([_xlsx_cell(ws, c.value(record), c.kind) for c in columns])
        n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{n + 1}"
    _info_sheet(wb, meta, n)
    wb.save(path)
    return n


def _xlsx_cell(ws: Any, value: Any, kind: Kind) -> WriteOnlyCell | Any:
    if value is None:
        return None
    cell = WriteOnlyCell(ws)
    set_value(cell, value, kind)
    return cell


def _info_sheet(wb: Workbook, meta: PdfMeta, rows: int) -> None:
    """A second sheet saying what was exported, by whom and when (the data sheet starts with its header)."""
    ws = wb.create_sheet(safe_sheet_title(_INFO_SHEET(meta.lang)))
    ws.column_dimensions["A"].width = 100
    ws.append([text_cell(ws, meta.title, font=TITLE_FONT)])
    for line in (meta.filters_line, meta.generated_line, _ROWS.format(n=rows)(meta.lang)):
        ws.append([text_cell(ws, line, font=NOTE_FONT)])
