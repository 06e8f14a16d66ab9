"""Grid exports as PDF: one fixed-height table per page, streamed from the records.

Rows are one line high (plain strings cut to the column with "…", as a grid
shows them), so the number of rows per page is known in advance. Each page is
then its own small Table with the header row: the header repeats on every
page, no table ever has to be split, and the layout stays fast and linear
(one huge table is several times slower). Pages are produced as the records
arrive, so the records are never all in memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Table

from crm_core.exporting.columns import ExportColumn
from crm_core.i18n import Text
from crm_core.reports.cells import NUMERIC_KINDS, format_value, text_width
from crm_core.reports.pdf_base import (PdfMeta, build_pdf, cjk_font, frame_height, frame_width, header_block,
                                       para, pdf_text, styles, table_style)

FONT_SIZE = 7.5
ROW_HEIGHT = 12.5
HEADER_HEIGHT = 15.0
PADDING = 6.0  # left + right cell padding of the shared table style
SAMPLE_ROWS = 50
_NO_ROWS = Text("（没有符合条件的记录）", "(no matching records)")

Record = Mapping[str, Any]


def write_pdf(path: Path, columns: list[ExportColumn], records: Iterator[Record], meta: PdfMeta) -> int:
    """Write the records as a paged table; returns the number of rows written."""
    first = list(itertools.islice(records, SAMPLE_ROWS))
    natural = _natural_widths(columns, first)
    wide = sum(natural) > frame_width(False) or len(columns) > 7
    widths = _fit(natural, frame_width(wide))
    counter = [0]
    pages = _pages(columns, itertools.chain(first, records), widths, _first_page_rows(meta, wide),
                   _rows_per_page(frame_height(wide)), counter)
    build_pdf(path, meta, wide, [], pages)
    return counter[0]


def _natural_widths(columns: list[ExportColumn], sample: list[Record]) -> list[float]:
    """Points each column wants: its header or its widest sampled cell, capped."""
    out = []
    for c in columns:
        chars = max([text_width(c.header)] + [text_width(format_value(c.value(r), c.kind)) for r in sample])
        out.append(min(chars, 36) * FONT_SIZE * 0.55 + PADDING + 2)
    return out


def _fit(natural: list[float], available: float) -> list[float]:
    """Scale the widths to fill the frame exactly."""
    total = sum(natural)
    return [w * available / total for w in natural]


def _rows_per_page(height: float) -> int:
    return max(1, int((height - HEADER_HEIGHT - 2) // ROW_HEIGHT))


def _first_page_rows(meta: PdfMeta, wide: bool) -> int:
    """Rows that fit under the title block on page one."""
    width, height = frame_width(wide), frame_height(wide)
    used = sum(f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in header_block(meta))
    return _rows_per_page(height - used)


def _pages(columns: list[ExportColumn], records: Iterator[Record], widths: list[float], first_rows: int,
           rows: int, counter: list[int]) -> Iterator[Flowable]:
    """One Table per page, page breaks between them; ``counter[0]`` counts the rows written."""
    header = [_fit_text(pdf_text(c.header), w) for c, w in zip(columns, widths, strict=True)]
    numeric = [i for i, c in enumerate(columns) if c.kind in NUMERIC_KINDS]
    style = table_style(numeric, total_row=False)
    size = first_rows
    while True:
        chunk = [_row(columns, r, widths) for r in itertools.islice(records, size)]
        if not chunk:
            break
        if counter[0]:
            yield PageBreak()
        counter[0] += len(chunk)
        yield Table([header, *chunk], colWidths=widths, rowHeights=[HEADER_HEIGHT] + [ROW_HEIGHT] * len(chunk),
                    style=style)
        size = rows
    if not counter[0]:
        yield Table([header], colWidths=widths, rowHeights=[HEADER_HEIGHT], style=style)
        yield para(_NO_ROWS(columns[0].lang), styles().meta)


def _row(columns: list[ExportColumn], record: Record, widths: list[float]) -> list[str]:
    out = []
    for c, w in zip(columns, widths, strict=True):
        text = " ".join(format_value(c.value(record), c.kind).split())  # one line, as in the grid
        out.append(_fit_text(pdf_text(text), w))
    return out


def _fit_text(text: str, width: float) -> str:
    """``text`` cut with "…" to fit a cell ``width`` points wide."""
    room = width - PADDING
    if len(text) * FONT_SIZE <= room:  # no character is wider than 1 em: certainly fits
        return text
    font = cjk_font()
    if stringWidth(text, font, FONT_SIZE) <= room:
        return text
    ell = stringWidth("…", font, FONT_SIZE)
    cut = len(text)
    while cut > 0 and stringWidth(text[:cut], font, FONT_SIZE) + ell > room:
        cut -= max(1, (cut // 8))
    return text[:max(cut, 0)] + "…"

