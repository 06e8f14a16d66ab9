"""Table layout for PDFs without a Paragraph per cell: widths, wrapping and cutting from measured strings.

Each cell's text is measured once (``stringWidth``, or not at all when its
length alone proves it fits); only cells wider than their column are wrapped
(reports) or cut with "…" (grid exports, one line per row as on screen).
Columns are sized to their content: "rigid" columns — numbers, dates, codes,
phone numbers, e-mail addresses — get the width of their widest value and are
never cut or wrapped; text columns share what is left. A rigid value wider
than its column (a longer one after the sampled rows) is drawn in a smaller
size rather than cut.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import stringWidth

PAD_X = 3.0  # left and right padding inside a cell
MAX_LINES = 12  # a wrapped cell longer than this ends in "…" (a row never outgrows a page)
RIGID_TEXT_CHARS = 48  # text without spaces or CJK up to this length counts as a code (e-mails too)
ASCII_EM = 0.82  # no printable ASCII glyph of the CJK fonts used is wider (WenQuanYi: "W", "@")
_NO_BREAK_START = set("，。、；：！？）》」』】,.;:!?)%")

#: A laid-out cell: (text or lines, width of a one-line text or None, font scale for a squeezed rigid value).
Cell = tuple[str | tuple[str, ...], float | None, float]


@dataclass(frozen=True)
class Metrics:
    """One font at one size."""

    font: str
    size: float

    @property
    def leading(self) -> float:
        return self.size * 1.3

    def width(self, text: str) -> float:
        return stringWidth(text, self.font, self.size)

    def surely_fits(self, text: str, room: float) -> bool:
        """True when ``text`` fits ``room`` by its length alone (no glyph is wider than 1 em, ASCII 0.82 em)."""
        n = len(text)
        return n * self.size <= room or (n * self.size * ASCII_EM <= room and text.isascii())


def is_rigid_text(values: Iterable[str]) -> bool:
    """True for a text column whose values look like codes: no spaces, no CJK, short."""
    seen = False
    for v in values:
        if not v:
            continue
        if len(v) > RIGID_TEXT_CHARS or not v.isascii() or " " in v:
            return False
        seen = True
    return seen


def plan_widths(natural: Sequence[float], rigid: Sequence[bool], minimum: Sequence[float],
                available: float) -> tuple[list[float], float]:
    """Column widths filling ``available`` and a font scale (1.0 unless even the rigid columns do not fit).

    Rigid columns keep their ``natural`` width. When the others do not all fit,
    the widest of them give way first (a common cap, never below their
    ``minimum``), so short columns such as an owner's name stay whole while a
    long company name is cut or wrapped. Room left over widens every column alike.
    """
    flex = [i for i, r in enumerate(rigid) if not r] or list(range(len(natural)))
    widths = list(natural)
    total = sum(widths)
    if total <= available:
        return [w * available / total for w in widths], 1.0
    room = available - (total - sum(widths[i] for i in flex))
    if room >= sum(minimum[i] for i in flex):
        lo, hi = 0.0, max(natural[i] for i in flex)
        for _ in range(40):  # the cap that makes the text columns fill the room exactly
            cap = (lo + hi) / 2
            if sum(max(minimum[i], min(natural[i], cap)) for i in flex) > room:
                hi = cap
            else:
                lo = cap
        for i in flex:
            widths[i] = max(minimum[i], min(natural[i], lo))
        return widths, 1.0
    for i in flex:
        widths[i] = minimum[i]
    scale = available / sum(widths)
    return [w * scale for w in widths], scale


def fit_cell(text: str, room: float, m: Metrics, *, rigid: bool, wrap: bool, right: bool) -> Cell:
    """``text`` laid out in a column ``room`` points wide (padding excluded)."""
    if "\n" not in text and m.surely_fits(text, room) and not right:
        return text, None, 1.0
    width = m.width(text) if "\n" not in text else room + 1
    if width <= room:
        return text, width, 1.0
    if rigid:
        return text, room, room / width  # whole, in a smaller size
    if wrap:
        return wrap_lines(text, room, m), None, 1.0
    return cut(text, room, m), None, 1.0


def cut(text: str, room: float, m: Metrics) -> str:
    """``text`` on one line, cut with "…" to fit ``room`` (as a grid cell shows it)."""
    text = " ".join(text.split())
    if m.width(text) <= room:
        return text
    ell = m.width("…")
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        if m.width(text[:mid]) + ell <= room:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + "…"


def wrap_lines(text: str, room: float, m: Metrics) -> tuple[str, ...]:
    """``text`` broken into lines of at most ``room`` points: between any CJK characters, at spaces in
    Latin words (inside a word only when it is longer than a line), never before closing punctuation."""
    lines: list[str] = []
    for para in text.split("\n"):
        lines += _wrap_paragraph(para, room, m)
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = cut(lines[-1] + "…", room, m)
    return tuple(lines)


def _wrap_paragraph(text: str, room: float, m: Metrics) -> list[str]:
    out: list[str] = []
    widths = [stringWidth(ch, m.font, m.size) for ch in text]
    start, used, last_space = 0, 0.0, -1
    i = 0
    while i < len(text):
        ch = text[i]
        if used + widths[i] > room and i > start and not (ch in _NO_BREAK_START and i - start > 1):
            if ch == " ":
                out.append(text[start:i])
                start, used, last_space = i + 1, 0.0, -1
                i += 1
                continue
            if last_space > start and ord(ch) < 0x2E80:  # inside a Latin word: break at its space
                out.append(text[start:last_space])
                start = last_space + 1
            else:
                out.append(text[start:i])
                start = i
            used = sum(widths[start:i])
            last_space = -1
        if ch == " ":
            last_space = i
        used += widths[i]
        i += 1
    out.append(text[start:])
    return out
