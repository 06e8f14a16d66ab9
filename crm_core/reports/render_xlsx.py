"""A :class:`Report` as an xlsx workbook: a header block, typed tables and native charts.

Layout: one sheet. Rows 1-3 hold the title, the filters and who generated it
when; then each section in order. A table is its title, a styled header row,
typed rows and a bold total row. A chart writes its data as a small table
(categories and one column per series) and places a native Excel chart over
that data to its right, so the chart stays live when the reader edits the numbers.

The sheet is streamed as XML text (:mod:`crm_core.exporting.xlsx_stream`, as the
grid exports are): a report of 10,000 rows no longer builds an openpyxl cell object
per cell. Only the charts' own XML comes from openpyxl's chart classes (a few small
parts per report).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.xml.functions import tostring

from crm_core.exporting.xlsx_stream import BOLD, NOTE, TITLE, ChartPart, XlsxStream, cell_xml, text_xml
from crm_core.exporting.xlsx_stream import HEADER as HEADER_STYLE
from crm_core.i18n import Text
from crm_core.reports.cells import clean_text, format_value
from crm_core.reports.model import Chart, ChartKind, Kind, Report, Table, localize
from crm_core.reports.output import atomic_path
from crm_core.reports.render_pdf import filters_line, generated_line
from crm_core.reports.xlsx_base import column_widths, safe_sheet_title

_TOTAL = Text("合计", "Total")
_CATEGORY = Text("类别", "Category")
CHART_ROWS = 18  # rows a chart covers (7.5 cm at the default row height, plus a gap)
CHART_WIDTH_CM, CHART_HEIGHT_CM = 16.0, 8.0
SAMPLE_ROWS = 60  # rows per table that size the columns

_TEXT, _TITLE, _NOTE, _BOLD, _HEADER = text_xml(), text_xml(TITLE), text_xml(NOTE), text_xml(BOLD), text_xml(HEADER_STYLE)


def _general(value: Any) -> str | None:
    """A chart's data cell: a number in the General format (no rounding), nothing otherwise."""
    if isinstance(value, (int, float)) and value.__class__ is not bool:
        return f"><v>{value}</v></c>"
    return None


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
    sheet = safe_sheet_title(report.title(lang))
    charts: list[ChartPart] = []
    total = len(report.sections)
    with atomic_path(path) as tmp:
        with XlsxStream(Path(tmp)) as book:
            book.report_sheet(sheet, _widths(report, lang), _rows(report, lang, sheet, charts, progress), charts)
    if progress is not None:
        progress(total, total)


def _rows(report: Report, lang: str, sheet: str, charts: list[ChartPart],
          progress: Callable[[int, int], None] | None) -> Iterator[list[str | None]]:
    """Every row of the sheet in order (a blank row is an empty list); charts are collected on the way."""
    yield [_TITLE(clean_text(report.title(lang)))]
    yield [_NOTE(clean_text(filters_line(report.filters_shown, lang)))]
    yield [_NOTE(clean_text(generated_line(report.generated_at, report.generated_by, lang)))]
    yield []
    row = 5  # 1-based number of the next row
    total = len(report.sections)
    for done, section in enumerate(report.sections):
        if progress is not None:
            progress(done, total)
        if isinstance(section, Chart):
            part = list(_chart_rows(section, lang, row, sheet, charts))
        else:
            part = list(_table_rows(section, lang))
        yield from part
        row += len(part)


def _table_rows(table: Table, lang: str) -> Iterator[list[str | None]]:
    """The table's title, header, typed rows and total row, then a blank row."""
    yield [_BOLD(clean_text(table.title(lang)))]
    yield [_HEADER(clean_text(column.label(lang))) for column in table.columns]
    cells = [(column.key, cell_xml(column.kind)) for column in table.columns]
    for record in table.rows:
        yield [xml(_plain(record.get(key))) for key, xml in cells]
    if table.totals is not None:
        totals = []
        for col, column in enumerate(table.columns):
            value = table.totals.get(column.key)
            totals.append(cell_xml(Kind.TEXT if col == 0 and value is None else column.kind, total=True)(
                _TOTAL(lang) if col == 0 and value is None else _plain(value)))
        yield totals
    yield []


def _plain(value: Any) -> Any:
    """A value as a cell takes it: booleans as text (what XML cannot hold is dropped as the sheet is written)."""
    return str(value) if isinstance(value, bool) else value


def _chart_rows(chart: Chart, lang: str, row: int, sheet: str, charts: list[ChartPart]) -> Iterator[list[str | None]]:
    """The chart's data at ``row`` with a native chart beside it, then blank rows down to below both."""
    yield [_BOLD(clean_text(chart.title(lang)))]
    header_row = row + 1
    headers = [_CATEGORY(lang)] + [s.name(lang) for s in chart.series]
    yield [_HEADER(clean_text(h)) for h in headers]
    for i, category in enumerate(chart.categories):
        yield [_TEXT(clean_text(str(category)))] + [
            _general(s.values[i] if i < len(s.values) else None) for s in chart.series]
    last_row = header_row + len(chart.categories)
    if chart.categories and chart.series:
        xml = tostring(_native_chart(chart, lang, sheet, header_row, last_row)._write()).decode()
        charts.append(ChartPart(xml, len(headers) + 1, row - 1, CHART_WIDTH_CM, CHART_HEIGHT_CM))
    for _ in range(max(last_row + 2, row + CHART_ROWS) - (last_row + 1)):
        yield []


def _native_chart(chart: Chart, lang: str, sheet: str, header_row: int, last_row: int) -> Any:
    """An openpyxl chart over the data block at ``header_row``..``last_row`` of ``sheet``."""
    series_cols = len(chart.series) if chart.kind is not ChartKind.PIE else 1
    name = quote_sheetname(sheet)
    data = Reference(range_string=f"{name}!$B${header_row}:${get_column_letter(1 + series_cols)}${last_row}")
    cats = Reference(range_string=f"{name}!$A${header_row + 1}:$A${last_row}")
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
    return native


def _widths(report: Report, lang: str) -> list[float]:
    """Column widths fitting the headers and the first rows of every table and chart."""
    samples: dict[int, list[str]] = {}
    for section in report.sections:
        if isinstance(section, Chart):
            texts = [[_CATEGORY(lang)] + [s.name(lang) for s in section.series]] + [[str(c)] for c in section.categories]
        else:
            texts = [[c.label(lang) for c in section.columns]] + [
                [format_value(r.get(c.key), c.kind) for c in section.columns] for r in section.rows[:SAMPLE_ROWS]]
        for row in texts:
            for col, text in enumerate(row):
                samples.setdefault(col, []).append(text)
    if not samples:
        return []
    return [column_widths([""], [[t] for t in samples.get(col, [])])[0] for col in range(max(samples) + 1)]
