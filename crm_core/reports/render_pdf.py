"""A :class:`Report` as a PDF: header, each table (drawn on the canvas, header repeated on every page) and chart.

Tables are laid out from measured strings (:mod:`crm_core.reports.pdf_table`),
not a Paragraph per cell: codes, numbers and dates keep one line at their full
width, only text wider than its column wraps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from crm_core.i18n import Text
from crm_core.reports.cells import NUMERIC_KINDS, format_value, local_naive
from crm_core.reports.model import Chart, Kind, Report, Table as ReportTable, localize
from crm_core.reports.output import atomic_path
from crm_core.reports.pdf_base import PdfMeta, build_pdf, cjk_font, frame_width, para, pdf_text, styles
from crm_core.reports.pdf_layout import PAD_X, Metrics, is_rigid_text
from crm_core.reports.pdf_table import CanvasTable, lay_out_row, plan_table
from crm_core.reports.pdf_charts import HEIGHT as CHART_HEIGHT, chart_drawing

FONT_SIZE = 8.5
SAMPLE_ROWS = 200  # rows looked at to choose portrait or landscape
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
    if not table.rows and table.totals is None:
        yield para(_EMPTY(lang), st.meta)
        return
    texts = [[format_value(r.get(c.key), c.kind) for c in table.columns] for r in table.rows]
    totals = _total_texts(table, lang)
    right = [c.kind in NUMERIC_KINDS for c in table.columns]
    rigid = _rigid(table, texts)
    m = Metrics(cjk_font(), FONT_SIZE)
    headers = [pdf_text(c.label(lang)) for c in table.columns]
    spec = plan_table(headers, texts + ([totals] if totals else []), right, rigid, width, m)
    rows = [lay_out_row([pdf_text(t) for t in row], spec.widths, right, rigid, spec.metrics, wrap=True)
            for row in texts]
    total = lay_out_row(totals, spec.widths, right, rigid, spec.metrics, wrap=True) if totals else None
    yield CanvasTable(spec, rows, total)
    yield Spacer(1, 5 * mm)


def _total_texts(table: ReportTable, lang: str) -> list[str] | None:
    """The total row's texts ("合计" in the first column when it has no figure), or None."""
    if table.totals is None:
        return None
    out = []
    for i, c in enumerate(table.columns):
        value = table.totals.get(c.key)
        out.append(_TOTAL(lang) if i == 0 and value is None else format_value(value, c.kind))
    return out


def _rigid(table: ReportTable, texts: list[list[str]]) -> list[bool]:
    """Numbers, dates and code-like text (customer codes, phones) are never wrapped."""
    return [c.kind is not Kind.TEXT or is_rigid_text(r[i] for r in texts) for i, c in enumerate(table.columns)]


def _natural_width(table: ReportTable, lang: str) -> float:
    """Points the table wants without wrapping, from its header and first rows."""
    m = Metrics(cjk_font(), FONT_SIZE)
    widths = [m.width(c.label(lang)) for c in table.columns]
    for row in table.rows[:SAMPLE_ROWS]:
        for i, c in enumerate(table.columns):
            widths[i] = max(widths[i], min(40 * FONT_SIZE, m.width(format_value(row.get(c.key), c.kind))))
    return sum(w + 2 * PAD_X for w in widths)
