"""What every PDF of the application shares: a CJK font, the page frame and the table look.

Font: a TrueType CJK font found on the machine is embedded (subset) so the
PDF reads the same everywhere and ``pdftotext`` extracts the Chinese; the
override is ``CRM_PDF_FONT=path[,subfont index]``; without any, reportlab's
CID font STSong-Light (not embedded, needs a viewer with Asian fonts) is used
with a warning.

Tables are drawn by :mod:`crm_core.reports.pdf_table`.

Pages: A4 (landscape for wide tables), the title, the filters and "generated
at / by" on the first page, a running title on later pages, and "第 N 页，共
M 页" / "Page N of M" in the footer. The total is a form XObject filled in
when the document is saved, so the document is laid out once and page
contents are not kept twice in memory (as a two-pass canvas would).
"""

from __future__ import annotations

import functools
import logging
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Spacer
from xml.sax.saxutils import escape

from crm_core.i18n import Text

log = logging.getLogger(__name__)

FONT_NAME = "CrmCJK"
CID_FALLBACK = "STSong-Light"
MARGIN = 14 * mm
HEADER_BG = colors.HexColor("#305496")
ZEBRA = colors.HexColor("#F2F5FA")
TOTAL_BG = colors.HexColor("#DDEBF7")
GRID_LINE = colors.HexColor("#B4C6E7")
MUTED = colors.HexColor("#595959")

_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
)
_WINDOWS_FONTS = ("msyh.ttc", "simhei.ttf", "simsun.ttc")
_PAGE_OF = Text("第 {n} 页，共 ", "Page {n} of ")
_PAGE_TOTAL = Text("{m} 页", "{m}")
_TOTAL_FORM = "crm_total_pages"


def _font_candidates() -> Iterator[tuple[str, int]]:
    override = os.environ.get("CRM_PDF_FONT")
    if override:
        path, _, index = override.partition(",")
        yield path.strip(), int(index or 0)
    for path in _CANDIDATES:
        yield path, 0
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows"
    for name in _WINDOWS_FONTS:
        yield str(Path(windir) / "Fonts" / name), 0


@functools.cache
def cjk_font() -> str:
    """Register (once) and return the name of the font all PDF text is set in."""
    for path, index in _font_candidates():
        if not Path(path).is_file():
            continue
        # One registered name per face: reportlab keeps the first font registered under a
        # name for documents already laid out, so a changed choice must not reuse it.
        name = f"{FONT_NAME}-{zlib.crc32(f'{path}|{index}'.encode()):08x}"
        try:
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
        except (TTFError, OSError, ValueError) as exc:
            log.warning("PDF font %s (%s) cannot be used: %s", path, index, exc)
            continue
        return name
    log.warning("No TrueType CJK font found (set CRM_PDF_FONT); using the non-embedded CID font %s", CID_FALLBACK)
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return CID_FALLBACK


def pdf_text(text: str) -> str:
    """``text`` safe for the chosen font: the CID fallback cannot encode characters beyond the BMP."""
    if cjk_font() == CID_FALLBACK:
        return "".join(ch if ord(ch) <= 0xFFFF else "?" for ch in text)
    return text


@dataclass(frozen=True)
class Styles:
    """Paragraph styles in the CJK font (``wordWrap="CJK"`` breaks lines between any characters)."""

    title: ParagraphStyle
    meta: ParagraphStyle
    heading: ParagraphStyle


@functools.cache
def styles() -> Styles:
    """The shared paragraph styles."""
    font = cjk_font()
    base = ParagraphStyle("crm", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    return Styles(
        title=ParagraphStyle("crm-title", base, fontSize=17, leading=22, spaceAfter=4),
        meta=ParagraphStyle("crm-meta", base, fontSize=9, leading=13, textColor=MUTED),
        heading=ParagraphStyle("crm-heading", base, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4),
    )


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain (not markup) text."""
    return Paragraph(escape(pdf_text(text)).replace("\n", "<br/>"), style)


@dataclass(frozen=True)
class PdfMeta:
    """What the page frame shows: title, filter line, who generated it and when (already in words)."""

    title: str
    filters_line: str
    generated_line: str
    lang: str


def page_size(wide: bool) -> tuple[float, float]:
    """A4, turned to landscape for wide tables."""
    return landscape(A4) if wide else A4


def frame_width(wide: bool) -> float:
    """Usable width of a page's frame."""
    return page_size(wide)[0] - 2 * MARGIN


def frame_height(wide: bool) -> float:
    """Usable height of a page's frame."""
    return page_size(wide)[1] - 2 * MARGIN


def header_block(meta: PdfMeta) -> list[Flowable]:
    """Title, filter line and generation line at the top of the first page."""
    st = styles()
    return [para(meta.title, st.title), para(meta.filters_line, st.meta),
            para(meta.generated_line, st.meta), Spacer(1, 4 * mm)]


class _FramedDoc(BaseDocTemplate):
    def __init__(self, path: str, meta: PdfMeta, wide: bool):
        size = page_size(wide)
        super().__init__(path, pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                         bottomMargin=MARGIN, title=meta.title, author=meta.generated_line, creator="CRM Desktop")
        frame = Frame(MARGIN, MARGIN, size[0] - 2 * MARGIN, size[1] - 2 * MARGIN,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
        self.meta = meta
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])

    def _decorate(self, canvas: Canvas, doc: Any) -> None:
        """Footer (generation line, page N of M) and, after page 1, the running title."""
        width, _height = self.pagesize
        font = cjk_font()
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillColor(MUTED)
        if doc.page > 1:
            canvas.drawString(MARGIN, self.pagesize[1] - MARGIN + 3 * mm, pdf_text(self.meta.title))
        canvas.drawString(MARGIN, MARGIN - 7 * mm, pdf_text(self.meta.generated_line))
        lead = _PAGE_OF.format(n=doc.page)(self.meta.lang)
        tail_guess = pdfmetrics.stringWidth(_PAGE_TOTAL.format(m=doc.page)(self.meta.lang), font, 7.5)
        x = width - MARGIN - pdfmetrics.stringWidth(lead, font, 7.5) - tail_guess
        canvas.drawString(x, MARGIN - 7 * mm, lead)
        canvas.translate(x + pdfmetrics.stringWidth(lead, font, 7.5), MARGIN - 7 * mm)
        canvas.doForm(_TOTAL_FORM)  # filled in at save time with the page count
        canvas.restoreState()


def _canvas_maker(lang: str) -> Callable[..., Canvas]:
    class _TotalPagesCanvas(Canvas):
        """A canvas that writes the page count into the footer form before saving."""

        def save(self) -> None:
            total = self.getPageNumber() - 1  # the page counter is one past the last shown page
            self.beginForm(_TOTAL_FORM)
            self.setFont(cjk_font(), 7.5)
            self.setFillColor(MUTED)
            self.drawString(0, 0, _PAGE_TOTAL.format(m=total)(lang))
            self.endForm()
            super().save()

    return _TotalPagesCanvas


class LazyFlowables(list):
    """A flowable list that pulls from a generator as the layout consumes it.

    ``BaseDocTemplate.build`` only looks at the front of its list, so feeding
    it this way keeps at most a few table chunks in memory, not a whole export.
    """

    def __init__(self, first: list[Flowable], rest: Iterator[Flowable]):
        super().__init__(first)
        self._rest = rest
        self._done = False

    def _fill(self) -> None:
        while not self._done and list.__len__(self) < 3:
            try:
                self.append(next(self._rest))
            except StopIteration:
                self._done = True

    def __len__(self) -> int:
        self._fill()
        return list.__len__(self)

    def __getitem__(self, index: Any) -> Any:
        self._fill()
        return list.__getitem__(self, index)


def build_pdf(path: str | Path, meta: PdfMeta, wide: bool, first: list[Flowable], rest: Iterator[Flowable]) -> None:
    """Lay out ``first`` then everything ``rest`` yields into ``path`` with the shared page frame."""
    doc = _FramedDoc(str(path), meta, wide)
    doc.build(LazyFlowables(header_block(meta) + first, rest), canvasmaker=_canvas_maker(meta.lang))
