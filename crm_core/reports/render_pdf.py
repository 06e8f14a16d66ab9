"""A :class:`Report` as a PDF: header, each table (chunked, header repeated on every page) and chart."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table

from crm_core.i18n import Text
from crm_core.reports.cells import NUMERIC_KINDS, format_value, local_naive, text_width
from crm_core.reports.model import Chart, Report, Table as ReportTable, localize
from crm_core.reports.output import atomic_path
from crm_core.reports.pdf_base import PdfMeta, build_pdf, frame_width, para, styles, table_style
from crm_core.reports.pdf_charts import HEIGHT as CHART_HEIGHT, chart_drawing

CHUNK_ROWS = 500  # rows per Table flowable: one huge table lays out far slower than chunks
_TOTAL = Text("合计", "Total")
_NO_FILTERS = Text("筛选：无（全部数据）", "Filters: none (all data)")
_FILTERS = Text("筛选：", "Filters: ")
_GENERATED = Text("生成时间：{at}　生成人：{by}", "Generated: {at} by {by}")
_EMPTY = Text("（无数据）", "(no data)")


def write_report_pdf(report: Report, path: str | Path, lang: str, *,
                     progress: Callable[[int, int], None] | None = None) -> None:
    """Write ``report`` to ``path`` as a PDF in ``lang``; nothing is left at ``path`` on failure.

    Args:
        report: the built report.
        path: target file (replaced when complete).
        lang: "zh_CN" or "en".
        progress: called with (sections done, sections); may raise to cancel.
    """
    report = localize(report, lang)  # Text cells and categories -> plain strings (idempotent)
    wide = any(isinstance(s, ReportTable) and _natural_width(s, lang) > frame_width(False) for s in report.sections)
    with atomic_path(path) as tmp:
        build_pdf(tmp, report_meta(report, lang), wide, [], _sections(report, lang, wide, progress))


def report_meta(report: Report, lang: str) -> PdfMeta:
    """The header lines of a report in ``lang``."""
    return PdfMeta(report.title(lang), filters_line(report.filters_shown, lang),
                   generated_line(report.generated_at, report.generated_by, lang), lang)


def filters_line(shown: list[tuple[Text, Text]], lang: str) -> str:
    """"筛选：行业 = 软件；级别 = A" — or that there were none."""
    if not shown:
        return _NO_FILTERS(lang)
    sep = "；" if not lang.startswith("en") else "; "
    return _FILTERS(lang) + sep.join(f"{label(lang)} = {value(lang)}" for label, value in shown)


def generated_line(at: Any, by: str, lang: str) -> str:
    """"生成时间：2026-11-23 09:30　生成人：张三" in the office's local time."""
    return _GENERATED.format(at=local_naive(at).strftime("%Y-%m-%d %H:%M"), by=by)(lang)


def _sections(report: Report, lang: str, wide: bool,
              progress: Callable[[int, int], None] | None) -> Iterator[Flowable]:
    total = len(report.sections)
    width = frame_width(wide)
    for done, section in enumerate(report.sections):
        if progress is not None:
            progress(done, total)
        if isinstance(section, Chart):
            yield CondPageBreak(CHART_HEIGHT + 30)
            yield KeepTogether([para(section.title(lang), styles().heading), chart_drawing(section, lang, width)])
        else:
            yield from _table_flowables(section, lang, width)
    if progress is not None:
        progress(total, total)


def _table_flowables(table: ReportTable, lang: str, width: float) -> Iterator[Flowable]:
    st = styles()
    yield CondPageBreak(60 * mm)
    yield para(table.title(lang), st.heading)
    header = [para(c.label(lang), st.header_right if c.kind in NUMERIC_KINDS else st.header) for c in table.columns]
    widths = _column_widths(table, lang, width)
    numeric = [i for i, c in enumerate(table.columns) if c.kind in NUMERIC_KINDS]
    if not table.rows and table.totals is None:
        yield para(_EMPTY(lang), st.meta)
        return
    rows = table.rows
    for start in range(0, max(len(rows), 1), CHUNK_ROWS):
        body = [_row(table, r) for r in rows[start:start + CHUNK_ROWS]]
        last = start + CHUNK_ROWS >= len(rows)
        if last and table.totals is not None:
            body.append(_total_row(table, lang))
        yield Table([header, *body], colWidths=widths, repeatRows=1,
                    style=table_style(numeric, total_row=last and table.totals is not None))
    yield Spacer(1, 5 * mm)


def _row(table: ReportTable, row: dict[str, Any]) -> list[Any]:
    st = styles()
    out: list[Any] = []
    for c in table.columns:
        text = format_value(row.get(c.key), c.kind)
        out.append(para(text, st.cell_right if c.kind in NUMERIC_KINDS else st.cell))
    return out


def _total_row(table: ReportTable, lang: str) -> list[Any]:
    st = styles()
    totals = table.totals or {}
    out = []
    for i, c in enumerate(table.columns):
        value = totals.get(c.key)
        text = _TOTAL(lang) if i == 0 and value is None else format_value(value, c.kind)
        out.append(para(text, st.cell_right if c.kind in NUMERIC_KINDS else st.cell))
    return out


def _natural_width(table: ReportTable, lang: str) -> float:
    """Points the table wants without wrapping (about 4.6 pt per character cell at 8.5 pt)."""
    return sum(w * 4.6 + 8 for w in _char_widths(table, lang))


def _char_widths(table: ReportTable, lang: str) -> list[int]:
    widths = [text_width(c.label(lang)) for c in table.columns]
    for row in table.rows[:50]:
        for i, c in enumerate(table.columns):
            widths[i] = max(widths[i], min(40, text_width(format_value(row.get(c.key), c.kind))))
    return [max(4, w) for w in widths]


def _column_widths(table: ReportTable, lang: str, width: float) -> list[float]:
    """Widths proportional to the content, filling the frame."""
    chars = _char_widths(table, lang)
    total = sum(chars)
    return [width * c / total for c in chars]
