"""A table flowable drawn straight on the canvas: the lean replacement for a Table of Paragraphs.

Rows arrive laid out (:mod:`crm_core.reports.pdf_layout`); drawing a page is
a few rectangles, one path of rules and one text object, so its cost is close
to reportlab's raw ``drawString`` (bench/bench_reports.py and
bench/bench_export.py print the ratio). The flowable splits itself at page
ends and repeats the header row on every page; a total row stays with at
least one data row.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from reportlab.lib import colors
from reportlab.platypus import Flowable

from crm_core.reports.pdf_base import GRID_LINE, HEADER_BG, TOTAL_BG, ZEBRA
from crm_core.reports.pdf_layout import PAD_X, Cell, Metrics, fit_cell, plan_widths

PAD_Y = 2.5
BOLD_STROKE = 0.28  # the total row's text is filled and stroked: bold-looking in the one embedded font

#: A laid-out row: (height, cells).
Row = tuple[float, list[Cell]]


@dataclass(frozen=True)
class TableSpec:
    """What every page of one table shares: column widths and alignment, font, the header row."""

    widths: list[float]
    right: list[bool]
    metrics: Metrics
    header: Row

    @property
    def width(self) -> float:
        return sum(self.widths)


def plan_table(headers: Sequence[str], texts: Sequence[Sequence[str]], right: Sequence[bool],
               rigid: Sequence[bool], available: float, m: Metrics, *, flexible_sample: int = 500) -> TableSpec:
    """Column widths sized to the content of ``texts`` (rows of cell texts) and the header row.

    Rigid columns are measured over every row given (a code is never squeezed);
    text columns over the first ``flexible_sample`` rows, capped at 40 % of the
    width. If even the rigid columns do not fit, the whole table gets a smaller font.
    """
    natural, minimum = [], []
    for i, header in enumerate(headers):
        rows = texts if rigid[i] else texts[:flexible_sample]
        content = max((m.width(r[i]) for r in rows if r[i]), default=0.0)
        head = m.width(header)
        if rigid[i]:
            want = max(content, head)
            natural.append(want + 2 * PAD_X)
            minimum.append(want + 2 * PAD_X)
        else:
            want = min(max(content, head), available * 0.4)
            natural.append(want + 2 * PAD_X)
            minimum.append(min(want, max(4 * m.size, head / 2)) + 2 * PAD_X)
    widths, scale = plan_widths(natural, rigid, minimum, available)
    if scale < 1.0:
        m = Metrics(m.font, m.size * scale)
    header = lay_out_row(headers, widths, right, [False] * len(headers), m, wrap=True)
    return TableSpec(widths, list(right), m, header)


def lay_out_row(texts: Sequence[str], widths: Sequence[float], right: Sequence[bool], rigid: Sequence[bool],
                m: Metrics, *, wrap: bool) -> Row:
    """Texts of one row fitted to the columns: wrapped (``wrap``) or cut; rigid values whole."""
    cells = [fit_cell(t, w - 2 * PAD_X, m, rigid=g, wrap=wrap, right=r)
             for t, w, r, g in zip(texts, widths, right, rigid)]
    lines = max((len(c[0]) for c in cells if c[0].__class__ is tuple), default=1)
    return lines * m.leading + 2 * PAD_Y, cells


class CanvasTable(Flowable):
    """Rows ``start:stop`` of a laid-out table (plus the total row after the last), header first."""

    def __init__(self, spec: TableSpec, rows: list[Row], total: Row | None = None, *, start: int = 0,
                 stop: int | None = None, tops: list[float] | None = None):
        super().__init__()
        self.spec, self.rows, self.total = spec, rows, total
        self.start = start
        self.stop = len(rows) if stop is None else stop
        # tops[i]: height of rows[:i], shared by all pieces of one table
        self.tops = tops if tops is not None else [0.0, *accumulate(h for h, _ in rows)]

    def _body_height(self, start: int, stop: int) -> float:
        return self.tops[stop] - self.tops[start]

    def _total_height(self) -> float:
        return self.total[0] if self.total is not None and self.stop == len(self.rows) else 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = self.spec.width
        self.height = self.spec.header[0] + self._body_height(self.start, self.stop) + self._total_height()
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        room = avail_height - self.spec.header[0]
        fit = bisect.bisect_right(self.tops, self.tops[self.start] + room, self.start, self.stop + 1) - 1
        if fit >= self.stop and self._total_height():
            if self._body_height(self.start, self.stop) + self._total_height() <= room:
                return [self]
            fit = self.stop - 1  # the total row goes over with the last row
        if fit <= self.start:
            return []
        return [CanvasTable(self.spec, self.rows, None, start=self.start, stop=fit, tops=self.tops),
                CanvasTable(self.spec, self.rows, self.total, start=fit, stop=self.stop, tops=self.tops)]

    def draw(self) -> None:
        spec, canv = self.spec, self.canv
        rows: list[tuple[Row, str]] = [(spec.header, "header")]
        rows += [(r, "zebra" if (self.start + i) % 2 else "") for i, r in enumerate(self.rows[self.start:self.stop])]
        if self._total_height():
            rows.append((self.total, "total"))
        tops, y = [], self.height
        for (height, _cells), _kind in rows:
            tops.append(y)
            y -= height
        self._draw_backgrounds(rows, tops)
        self._draw_rules(rows, tops)
        self._draw_text(rows, tops)

    def _draw_backgrounds(self, rows: list[tuple[Row, str]], tops: list[float]) -> None:
        canv, width = self.canv, self.spec.width
        for colour, kind in ((HEADER_BG, "header"), (ZEBRA, "zebra"), (TOTAL_BG, "total")):
            canv.setFillColor(colour)
            for ((height, _cells), k), top in zip(rows, tops):
                if k == kind:
                    canv.rect(0, top - height, width, height, stroke=0, fill=1)

    def _draw_rules(self, rows: list[tuple[Row, str]], tops: list[float]) -> None:
        canv, width = self.canv, self.spec.width
        canv.setStrokeColor(GRID_LINE)
        canv.setLineWidth(0.25)
        path = canv.beginPath()
        for ((height, _cells), _kind), top in zip(rows, tops):
            path.moveTo(0, top - height)
            path.lineTo(width, top - height)
        canv.drawPath(path, stroke=1, fill=0)
        canv.setLineWidth(0.5)
        canv.rect(0, 0, width, self.height, stroke=1, fill=0)
        if rows[-1][1] == "total":
            canv.setStrokeColor(HEADER_BG)
            canv.setLineWidth(0.8)
            canv.line(0, tops[-1], width, tops[-1])

    def _draw_text(self, rows: list[tuple[Row, str]], tops: list[float]) -> None:
        spec, canv = self.spec, self.canv
        m = spec.metrics
        lefts = [0.0, *accumulate(spec.widths)]
        text = canv.beginText()
        text.setFont(m.font, m.size)
        canv.setStrokeColor(colors.black)
        canv.setLineWidth(BOLD_STROKE)
        ascent = m.size * 0.86 + (m.leading - m.size) / 2
        for ((height, cells), kind), top in zip(rows, tops):
            if kind == "header":
                text.setFillColor(colors.white)
            elif kind == "total":
                text.setTextRenderMode(2)
            for x, width, right, (content, measured, scale) in zip(lefts, spec.widths, spec.right, cells):
                if not content:
                    continue
                lines = content if content.__class__ is tuple else (content,)
                y = top - (height - len(lines) * m.leading) / 2 - ascent
                if scale != 1.0:
                    text.setFont(m.font, m.size * scale)
                for line in lines:
                    if right:
                        w = measured if measured is not None else m.width(line)
                        text.setTextOrigin(x + width - PAD_X - w, y)
                    else:
                        text.setTextOrigin(x + PAD_X, y)
                    text.textLine(line)
                    y -= m.leading
                if scale != 1.0:
                    text.setFont(m.font, m.size)
            if kind == "header":
                text.setFillColor(colors.black)
            elif kind == "total":
                text.setTextRenderMode(0)
        canv.drawText(text)
