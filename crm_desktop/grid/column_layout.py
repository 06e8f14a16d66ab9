"""Which columns a module grid shows by default, and how wide each kind of column is.

The office's laptops have 1366 px screens: a grid that needs sideways scrolling
there hides its last columns from most users. So the first page's columns are
sized by kind, not only by what they hold:

- codes (customer code, contract and ticket numbers, serials), dates, amounts,
  numbers and phone numbers are never cut: a cut code is a wrong code;
- choices (status, level, industry) and people (owner, engineer) are narrow:
  as wide as their longest label on screen, within a small bound;
- names, addresses, e-mails and long texts take the room that is left and give
  way first; a cut one ends in "…" and its tooltip shows the whole text
  (:class:`ElidedTextTips`).

Less-used columns (each module's ``secondary_columns``, crm_core's metadata)
are default columns only where they fit, as many as do in the module's order:
shown on a 1920 px screen, left out at 1366 px (:func:`room_for`). Each column is measured once
per fitting (:class:`ColumnSizes`): deciding which less-used columns fit and sizing them all
after reuse the same measures. The header's column chooser (right click) shows or
hides any column, remembered per user; a user's own columns or view are never
widened.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFontMetricsF, QHelpEvent
from PySide6.QtWidgets import QStyle, QTableView, QToolTip

from crm_core.metadata import EntitySpec, Field, FieldType
from crm_desktop.grid.record_model import RecordTableModel
from crm_desktop.grid.record_view import fit_widths

NEVER_CUT_TYPES = frozenset({FieldType.DATE, FieldType.DATETIME, FieldType.MONEY, FieldType.INTEGER,
                             FieldType.PHONE, FieldType.CREDIT_CODE, FieldType.ID_NUMBER, FieldType.BOOL})
MIN_WIDTH = 56  # a column's least width (a two-character heading and the sort arrow)
NARROW_MAX = 150  # a choice or a person: longer labels are cut (the tooltip has them)
TEXT_MAX = 260  # a name, e-mail or description wider than this gives the room to the others
TITLE_MAX = 320  # the record's own name may be wider
TITLE_FLOOR = 200  # ... and keeps this much (about 13 Chinese characters) when squeezed
RECORD_FLOOR = 150  # a reference to another record (a customer's name)
TEXT_FLOOR = 100  # e-mails, addresses, descriptions: what gives way first
SQUEEZED_FLOOR = 80  # names and texts in a window too narrow for the floors above
PADDING = 12  # room between a cell's text and the grid line


def default_columns(spec: EntitySpec, pinned: Iterable[str] = (), *, wide: bool = False) -> list[str]:
    """The module's default columns: its grid fields less ``pinned`` and, unless ``wide``, its secondary ones."""
    skip = set(pinned) | (set() if wide else set(spec.secondary_columns))
    return [f.name for f in spec.grid_fields if f.name not in skip]


class ColumnSizes:
    """The measures of a grid's columns, each taken once for one fitting (the rows on screen do not change).

    Keyed by field, font and language, so a model reset that renumbers the columns (less-used
    ones added) keeps them. Measuring a column reads the rows on screen (Qt's resize precision)
    on the GUI thread: :func:`room_for` asked for every shown column again for each column it
    tried, and :func:`fit_columns` once more.
    """

    def __init__(self, view: QTableView, model: RecordTableModel):
        """Measure ``view``'s columns (showing ``model``) when first asked."""
        self.view, self.model = view, model
        self._measured: dict[tuple[str, str, str, str], tuple[int, int, int, str]] = {}
        self.measures = 0  # columns measured (tests: each one once)

    def available(self) -> int:
        """The viewport's width once the vertical scroll bar is there (a first page of 100 rows brings it)."""
        view = self.view
        return view.width() - 2 * view.frameWidth() - view.verticalScrollBar().sizeHint().width()

    def arrow(self) -> int:
        """Room for the header's sort arrow and the padding beside a heading."""
        header = self.view.horizontalHeader()
        return self.view.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, header) + 2 * PADDING

    def heading(self, field: Field) -> int:
        """The width of ``field``'s heading, its sort arrow included."""
        return self.view.horizontalHeader().fontMetrics().horizontalAdvance(field.label(self.model.language)) \
            + self.arrow()

    def of(self, column: int) -> tuple[int, int, int, str]:
        """Shown ``column``'s wanted width, least width, whole-text width and kind."""
        view, model = self.view, self.model
        field = model.field_at(column)
        key = (field.name, model.language, view.font().key(), view.horizontalHeader().font().key())
        found = self._measured.get(key)
        if found is None:
            self.measures += 1
            found = self._measured[key] = self._measure(column, field)
        return found

    def _measure(self, column: int, field: Field) -> tuple[int, int, int, str]:
        kind = column_kind(self.model.spec, field)
        heading = self.heading(field)
        contents = self._contents(column) + PADDING
        if kind in ("code", "fixed"):
            width = max(MIN_WIDTH, heading, contents)
            floor = width
        elif kind == "narrow":
            width = max(MIN_WIDTH, heading, min(NARROW_MAX, contents))
            floor = width
        else:
            most, least = {"title": (TITLE_MAX, TITLE_FLOOR), "record": (TEXT_MAX, RECORD_FLOOR)}.get(
                kind, (TEXT_MAX, TEXT_FLOOR))
            width = max(MIN_WIDTH, heading, min(most, contents))
            floor = min(width, max(least, heading))
        whole = max(width, contents) if kind in ("title", "record", "text") else width
        return width, floor, whole, kind


    def _contents(self, column: int) -> int:
        """The widest cell of ``column`` among the rows on screen, as the view's delegate sizes a text cell.

        Every row on screen (the header's precision of 20 measured only the first 20: at
        1920x1080 a long name further down was cut while the window had room for it), and
        from the cells' texts: Qt's own measure asked the model about eight roles per cell
        and went through the style sheet for each (about 30 ms of the GUI thread for the
        customers' first page on a busy machine).
        """
        view, model = self.view, self.model
        if not view.isVisible():  # no rows on screen: Qt's measure, within the header's bound
            return view.sizeHintForColumn(column)
        top = view.rowAt(0)
        if top < 0:
            return 0
        bottom = view.rowAt(view.viewport().height() - 1)
        if bottom < 0:
            bottom = model.rowCount() - 1
        advance = QFontMetricsF(view.font()).horizontalAdvance  # a text layout's width, rounded up below
        widest = math.ceil(max((advance(text) for text in model.column_texts(column, top, bottom) if text),
                               default=0))
        # QCommonStyle's item size: the text plus a focus-frame margin each side; the grid line.
        margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        return widest + 2 * margin + (1 if view.showGrid() else 0)


def room_for(sizes: ColumnSizes, names: Iterable[str]) -> bool:
    """True when the fields ``names`` fit beside the shown columns without squeezing any of them.

    The shown columns count at their wanted widths (what :func:`fit_columns` gives them in
    a roomy window, measured once in ``sizes``); each new one at what its kind may take
    (its heading at least), its values unmeasured.
    """
    wanted = _sizes(sizes)[0]
    spec = sizes.model.spec
    extra = 0
    for name in names:
        field = spec.field(name)
        kind = column_kind(spec, field)
        guess = {"narrow": NARROW_MAX, "title": TITLE_FLOOR, "record": RECORD_FLOOR}.get(kind, TEXT_FLOOR + 50)
        extra += max(guess, sizes.heading(field))
    return sum(wanted) + extra <= sizes.available()


def column_kind(spec: EntitySpec, field: Field) -> str:
    """"code", "fixed" (never cut), "narrow" (choices, people), "title", "record" or "text"."""
    if field.name in spec.unique or (field.read_only and field.type is FieldType.TEXT):
        return "code"
    if field.type in NEVER_CUT_TYPES:
        return "fixed"
    if field.type is FieldType.CHOICE or (field.type is FieldType.REF and field.ref == "users"):
        return "narrow"
    if field.name == spec.title_field:
        return "title"
    if field.type is FieldType.REF:
        return "record"
    return "text"


def fit_columns(view: QTableView, model: RecordTableModel, sizes: ColumnSizes | None = None) -> None:
    """Size the shown columns by kind and fit them into the grid's width (see the module note).

    Measures the rows on screen (the header's resize precision), the heading of every
    column and nothing else; a column ``sizes`` already measured is not measured again.
    When even the least widths do not fit (many columns chosen by hand), the grid
    scrolls sideways rather than cut a code.
    """
    header = view.horizontalHeader()
    sizes = sizes or ColumnSizes(view, model)
    wanted, floors, whole, kinds, shown = _sizes(sizes)
    available = sizes.available()
    # E-mails, addresses and descriptions give way first; the record's own name only after them.
    titles = [i for i, kind in enumerate(kinds) if kind == "title"]
    widths = fit_widths(wanted, available, [wanted[i] if i in titles else f for i, f in enumerate(floors)])
    if sum(widths) > available:
        widths = fit_widths(widths, available, [floors[i] if i in titles else w for i, w in enumerate(widths)])
    if sum(widths) > available:  # a narrower window (1280 px): names and texts give more, codes still whole
        last = [min(f, SQUEEZED_FLOOR) if kind in ("title", "record", "text") else f
                for f, kind in zip(floors, kinds, strict=True)]
        widths = fit_widths(widths, available, last)
    slack = available - sum(widths)
    for i in sorted(range(len(widths)), key=lambda i: i not in titles):  # room left: long names read whole
        grow = min(slack, whole[i] - widths[i])
        if grow > 0:
            widths[i] += grow
            slack -= grow
    for column, width in zip(shown, widths, strict=True):
        header.resizeSection(column, width)


def _sizes(sizes: ColumnSizes) -> tuple[list[int], list[int], list[int], list[str], list[int]]:
    """Each shown column's wanted width, least width, whole-text width and kind, and the shown columns."""
    header = sizes.view.horizontalHeader()
    shown = [c for c in range(sizes.model.columnCount()) if not header.isSectionHidden(c)]
    measured = [sizes.of(c) for c in shown]
    return ([m[0] for m in measured], [m[1] for m in measured], [m[2] for m in measured],
            [m[3] for m in measured], shown)


class ElidedTextTips(QObject):
    """Shows a cut cell's whole text as its tooltip (names and addresses end in "…" in narrow columns).

    An event filter on the grid's viewport, so it works with any delegate. A cell that shows
    its whole text keeps the model's own tooltip (a deactivated record's reason).
    """

    def __init__(self, view: QTableView):
        """Watch ``view``'s tooltips."""
        super().__init__(view)
        self._view = view
        view.viewport().installEventFilter(self)

    def tooltip_at(self, index) -> str | None:  # noqa: ANN001 - a QModelIndex
        """The tooltip of the cell ``index``: its whole text when cut, else None (the model's)."""
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not text:
            return None
        view = self._view
        margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        room = view.visualRect(index).width() - 2 * margin
        if view.fontMetrics().horizontalAdvance(str(text)) <= room:
            return None
        extra = index.data(Qt.ItemDataRole.ToolTipRole)  # e.g. "Deactivated: …"
        return f"{text}\n{extra}" if extra else str(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """On a tooltip request over a cut cell, show its whole text."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self._view.indexAt(event.pos())
            tip = self.tooltip_at(index) if index.isValid() else None
            if tip:
                QToolTip.showText(event.globalPos(), tip, self._view.viewport(), self._view.visualRect(index))
                return True
        return super().eventFilter(watched, event)
