"""One dashboard figure as a card: what it counts, the figure, and a click that opens the records."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from crm_core.reports.model import Kind, Tile
from crm_desktop.dashboard.formatting import format_tile_value, format_value, trend

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

# Card look: light, bordered, the figure large; a hover frame says "click me" on linked cards.
TILE_STYLE = """
QFrame#tile { background: palette(base); border: 1px solid #d0d7de; border-radius: 6px; }
QFrame#tile[clickable="true"]:hover { border: 1px solid #2f6fdf; background: #f3f7ff; }
QLabel#tileLabel { color: #57606a; }
QLabel#tileValue { color: #1f2328; }
QLabel#tileTrend { color: #57606a; }
"""


class TileCard(QFrame):
    """A card for one :class:`Tile`.

    Signals:
        clicked(object): the card's :class:`GridTarget` (only cards that have one and may open it).
    """

    clicked = Signal(object)

    def __init__(self, tile: Tile, lang: str, clickable: bool, parent: QWidget | None = None):
        """Show ``tile`` in ``lang``; ``clickable`` False when the user may not open its grid."""
        super().__init__(parent)
        self.tile = tile
        self.clickable = clickable and tile.target is not None
        self.setObjectName("tile")
        self.setProperty("clickable", self.clickable)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(170)
        self.label = QLabel(tile.label(lang), self)
        self.label.setObjectName("tileLabel")
        self._lang = lang
        self.value_label = QLabel(format_tile_value(tile.value, tile.kind, lang), self)
        self.value_label.setObjectName("tileValue")
        font = self.value_label.font()
        font.setPointSizeF(font.pointSizeF() * 2.0)
        font.setBold(True)
        self.value_label.setFont(font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(4)
        layout.addWidget(self.label)
        layout.addWidget(self.value_label)
        self.trend_label = QLabel(self)
        self.trend_label.setObjectName("tileTrend")
        self.trend_label.hide()  # shown once the previous period is known (period tiles only)
        layout.addWidget(self.trend_label)
        tip = tile.hint(lang) if tile.hint is not None else ""
        full = format_value(tile.value, tile.kind)
        if full != self.value_label.text():  # 万元 on the card: the exact amount on hover
            tip = f"{full}\n{tip}" if tip else full
        if self.clickable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            more = translate("Dashboard", "Click to open these records.")
            tip = f"{tip}\n{more}" if tip else more
        self.setToolTip(tip)

    def show_previous(self, previous: object) -> None:
        """Say how the figure moved against the period before (its value ``previous``)."""
        change = trend(self.tile.value, previous)
        before = format_tile_value(previous, self.tile.kind, self._lang)
        if self.tile.kind is Kind.PERCENT and self.tile.value is not None and previous is not None:
            # A rate moves in points: 16.7% after 20.0% is "3.3 points down", not "17% down".
            points = (float(self.tile.value) - float(previous)) * 100
            arrow = "↑" if points > 0 else "↓" if points < 0 else "→"
            self.trend_label.setText(translate("Dashboard", "%1 %2 points vs previous period (%3)").replace(
                "%1", arrow).replace("%2", f"{abs(points):.1f}").replace("%3", before))
            self.trend_label.show()
            return
        if change is None:
            text = translate("Dashboard", "Previous period: %1").replace("%1", before)
        else:
            arrow = "↑" if change > 0 else "↓" if change < 0 else "→"
            text = translate("Dashboard", "%1 %2 vs previous period (%3)").replace("%1", arrow).replace(
                "%2", f"{abs(change) * 100:.0f}%").replace("%3", before)
        self.trend_label.setText(text)
        self.trend_label.show()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        """A left click on a linked card opens its grid."""
        if self.clickable and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.tile.target)
            event.accept()
            return
        super().mouseReleaseEvent(event)

