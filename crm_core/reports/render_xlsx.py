"""A :class:`Report` as an xlsx workbook: a header block, typed tables and native charts.

Layout: one sheet. Rows 1-3 hold the title, the filters and who generated it
when; then each section in order. A table is its title, a styled header row,
typed rows and a bold total row. A chart writes its data as a small table
(categories and one column per series) and places a native Excel chart
(openpyxl.chart) over that data to its right, so the chart stays live when the
reader edits the numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from crm_core.i18n import Text
from crm_core.reports.cells import format_value
from crm_core.reports.model import Chart, ChartKind, Kind, Report, Table, localize
from crm_core.reports.output import atomic_path
from crm_core.reports.render_pdf import filters_line, generated_line
from crm_core.reports.xlsx_base import (NOTE_FONT, TITLE_FONT, TOTAL_FILL, TOTAL_FONT, column_widths,
                                        safe_sheet_title, set_value, style_header)

_TOTAL = Text("合计", "Total")
_CATEGORY = Text("类别", "Category")
CHART_ROWS = 18  # rows a chart covers (7.5 cm at the default row height, plus a gap)
CHART_WIDTH_CM, CHART_HEIGHT_CM = 16.0, 8.0


def write_report_xlsx(report: Report, path: str | Path, lang: str, *,
                      progress: Callable[[int, int], None] | None = None) -> None:
    """Write ``report`` to ``path`` as xlsx in ``lang``; nothing is left at ``path`` on failure.

    Args:
        report: the built report.
        path: target file (replaced when complete).
        lang: "zh_CN" or "en".
        progress: called with (sections done, sections); may raise to cancel.
    """
    report = localize(report, lang)  # Text cells and categories -> plain strings (idempotent)
    wb = Workbook()
    ws = wb.active
    ws.title = safe_sheet_title(report.title(lang))
    row = _write_header(ws, report, lang)
    samples: dict[int, list[str]] = {}
    total = len(report.sections)
    for done, section in enumerate(report.sections):
        if progress is not None:
            progress(done, total)
        if isinstance(section, Chart):
            row = _write_chart(ws, section, lang, row, samples)
        else:
            row = _write_table(ws, section, lang, row, samples)
    _set_widths(ws, samples)
    ws.sheet_view.showGridLines = False
    with atomic_path(path) as tmp:
        wb.save(tmp)
    if progress is not None:
        progress(total, total)


def _write_header(ws: Worksheet, report: Report, lang: str) -> int:
    """Title, filters and generation lines; returns the first free row."""
    set_value(ws.cell(1, 1), report.title(lang), Kind.TEXT)
    ws.cell(1, 1).font = TITLE_FONT
    for r, line in ((2, filters_line(report.filters_shown, lang)),
                    (3, generated_line(report.generated_at, report.generated_by, lang))):
        set_value(ws.cell(r, 1), line, Kind.TEXT)
        ws.cell(r, 1).font = NOTE_FONT
    return 5


def _write_table(ws: Worksheet, table: Table, lang: str, row: int, samples: dict[int, list[str]]) -> int:
    """The table at ``row``; returns the first free row after it and a blank one."""
    set_value(ws.cell(row, 1), table.title(lang), Kind.TEXT)
    ws.cell(row, 1).font = TOTAL_FONT
    row += 1
    for col, column in enumerate(table.columns, start=1):
        cell = ws.cell(row, col)
        set_value(cell, column.label(lang), Kind.TEXT)
        style_header(cell)
        _sample(samples, col, column.label(lang), header=True)
    for record in table.rows:
        row += 1
        for col, column in enumerate(table.columns, start=1):
            value = record.get(column.key)
            set_value(ws.cell(row, col), value, column.kind)
            _sample(samples, col, format_value(value, column.kind))
    if table.totals is not None:
        row += 1
        for col, column in enumerate(table.columns, start=1):
            value = table.totals.get(column.key)
            cell = ws.cell(row, col)
            set_value(cell, _TOTAL(lang) if col == 1 and value is None else value, column.kind)
            cell.font, cell.fill = TOTAL_FONT, TOTAL_FILL
    return row + 2


def _write_chart(ws: Worksheet, chart: Chart, lang: str, row: int, samples: dict[int, list[str]]) -> int:
    """The chart's data at ``row`` and a native chart beside it; returns the first free row below both."""
    set_value(ws.cell(row, 1), chart.title(lang), Kind.TEXT)
    ws.cell(row, 1).font = TOTAL_FONT
    header_row = row + 1
    headers = [_CATEGORY(lang)] + [s.name(lang) for s in chart.series]
    for col, text in enumerate(headers, start=1):
        set_value(ws.cell(header_row, col), text, Kind.TEXT)
        style_header(ws.cell(header_row, col))
        _sample(samples, col, text, header=True)
    for i, category in enumerate(chart.categories):
        r = header_row + 1 + i
        set_value(ws.cell(r, 1), str(category), Kind.TEXT)
        _sample(samples, 1, str(category))
        for col, series in enumerate(chart.series, start=2):
            value = series.values[i] if i < len(series.values) else None
            ws.cell(r, col).value = value if isinstance(value, (int, float)) else None  # General: no rounding
    last_row = header_row + len(chart.categories)
    if chart.categories and chart.series:
        native = _native_chart(chart, lang, ws, header_row, last_row)
        ws.add_chart(native, f"{get_column_letter(len(headers) + 2)}{row}")
    return max(last_row + 2, row + CHART_ROWS)


def _native_chart(chart: Chart, lang: str, ws: Worksheet, header_row: int, last_row: int) -> Any:
    """An openpyxl chart over the data block at ``header_row``..``last_row``."""
    series_cols = len(chart.series) if chart.kind is not ChartKind.PIE else 1
    data = Reference(ws, min_col=2, max_col=1 + series_cols, min_row=header_row, max_row=last_row)
    cats = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row)
    if chart.kind is ChartKind.PIE:
        native: Any = PieChart()
        native.dataLabels = DataLabelList()
        native.dataLabels.showPercent = True
    elif chart.kind is ChartKind.LINE:
        native = LineChart()
    else:
        native = BarChart()
        native.type = "col"
    if chart.kind is not ChartKind.PIE:
        native.y_axis.title = None
        native.y_axis.delete = False
        native.x_axis.delete = False
        if len(chart.series) == 1:
            native.legend = None
    native.title = chart.title(lang)
    native.add_data(data, titles_from_data=True)
    native.set_categories(cats)
    native.width, native.height = CHART_WIDTH_CM, CHART_HEIGHT_CM
    return native


def _sample(samples: dict[int, list[str]], col: int, text: str, *, header: bool = False) -> None:
    """Remember a few texts per column for the width estimate (headers always, then the first rows)."""
    seen = samples.setdefault(col, [])
    if header or len(seen) < 60:
        seen.append(text)


def _set_widths(ws: Worksheet, samples: dict[int, list[str]]) -> None:
    for col, texts in samples.items():
        width = column_widths([""], [[t] for t in texts])[0]
        ws.column_dimensions[get_column_letter(col)].width = width
