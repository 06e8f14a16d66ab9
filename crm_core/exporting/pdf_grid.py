"""Grid exports as PDF: a table drawn on the canvas, page by page, streamed from the records.

Rows are one line high as in the grid: text wider than its column is cut
with "…", but codes, phone numbers, e-mail addresses, numbers and dates are
never cut — their columns are sized to the widest value of the first rows,
and a longer one later is drawn a little smaller (see
:mod:`crm_core.reports.pdf_layout`). With fixed row heights the rows per page
are known in advance, so each page is one :class:`CanvasTable` with the
header row, built as the records arrive: the records are never all in memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from reportlab.platypus import Flowable, PageBreak

from crm_core.exporting.columns import ExportColumn
from crm_core.i18n import Text
from crm_core.reports.cells import NUMERIC_KINDS, format_value
from crm_core.reports.model import Kind
from crm_core.reports.pdf_base import (CID_FALLBACK, PdfMeta, build_pdf, cjk_font, frame_height, frame_width,
                                       header_block, para, pdf_text, styles)
from crm_core.reports.pdf_layout import PAD_X, Metrics, is_rigid_text
from crm_core.reports.pdf_table import PAD_Y, CanvasTable, TableSpec, lay_out_row, plan_table

FONT_SIZE = 7.5
SAMPLE_ROWS = 200  # rows measured to size the columns
_NO_ROWS = Text("（没有符合条件的记录）", "(no matching records)")

Record = Mapping[str, Any]


def write_pdf(path: Path, columns: list[ExportColumn], records: Iterator[Record], meta: PdfMeta) -> int:
    """Write the records as a paged table; returns the number of rows written."""
    text_of = _texts(columns)
    first = [text_of(r) for r in itertools.islice(records, SAMPLE_ROWS)]
    right = [c.kind in NUMERIC_KINDS for c in columns]
    rigid = [c.kind is not Kind.TEXT or is_rigid_text(row[i] for row in first) for i, c in enumerate(columns)]
    m = Metrics(cjk_font(), FONT_SIZE)
    headers = [pdf_text(c.header) for c in columns]
    wide = len(columns) > 7 or _natural_width(headers, first, m) > frame_width(False)
    spec = plan_table(headers, first, right, rigid, frame_width(wide), m)
    counter = [0]
    rows = itertools.chain(first, (text_of(r) for r in records))
    pages = _pages(spec, rows, rigid, _first_page_rows(spec, meta, wide), _rows_per_page(spec, frame_height(wide)),
                   counter, meta.lang)
    build_pdf(path, meta, wide, [], pages)
    return counter[0]


def _texts(columns: list[ExportColumn]) -> Callable[[Record], list[str]]:
    """``record -> cell texts`` as the grid shows them, on one line, safe for the PDF font."""
    def text_cell(get: Callable[[Record], Any]) -> Callable[[Record], str]:
        def cell(record: Record) -> str:
            value = get(record)
            if value is None:
                return ""
            return value if "\n" not in value and "\r" not in value and "\t" not in value else " ".join(value.split())
        return cell

    def other_cell(get: Callable[[Record], Any], kind: Kind) -> Callable[[Record], str]:
        return lambda record: format_value(get(record), kind)

    cells = [text_cell(c.get) if c.kind is Kind.TEXT else other_cell(c.get, c.kind) for c in columns]
    if cjk_font() == CID_FALLBACK:  # characters beyond the BMP cannot be shown by the fallback font
        return lambda record: [pdf_text(cell(record)) for cell in cells]
    return lambda record: [cell(record) for cell in cells]


def _natural_width(headers: list[str], rows: list[list[str]], m: Metrics) -> float:
    """Points the table wants on one line per row (text columns capped at 36 characters)."""
    total = 0.0
    for i, header in enumerate(headers):
        widest = max([m.width(header)] + [m.width(r[i]) for r in rows if r[i]])
        total += min(widest, 36 * m.size * 0.55) + 2 * PAD_X
    return total


def _row_height(spec: TableSpec) -> float:
    return spec.metrics.leading + 2 * PAD_Y


def _rows_per_page(spec: TableSpec, height: float) -> int:
    return max(1, int((height - spec.header[0] - 1) // _row_height(spec)))


def _first_page_rows(spec: TableSpec, meta: PdfMeta, wide: bool) -> int:
    """Rows that fit under the title block on page one."""
    width, height = frame_width(wide), frame_height(wide)
    used = sum(f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in header_block(meta))
    return _rows_per_page(spec, height - used)


def _pages(spec: TableSpec, rows: Iterator[list[str]], rigid: list[bool], first_rows: int, per_page: int,
           counter: list[int], lang: str) -> Iterator[Flowable]:
    """One table per page, page breaks between them; ``counter[0]`` counts the rows written."""
    size = first_rows
    while True:
        chunk = [lay_out_row(texts, spec.widths, spec.right, rigid, spec.metrics, wrap=False)
                 for texts in itertools.islice(rows, size)]
        if not chunk:
            break
        if counter[0]:
            yield PageBreak()
        counter[0] += len(chunk)
        yield CanvasTable(spec, chunk)
        size = per_page
    if not counter[0]:
        yield CanvasTable(spec, [])
        yield para(_NO_ROWS(lang), styles().meta)
