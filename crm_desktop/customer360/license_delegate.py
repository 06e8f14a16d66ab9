"""How the licenses grid of the 360° view marks expiry and shows seats as "used / bought".

A delegate, not a change to :class:`~crm_desktop.grid.record_model.RecordTableModel`:
it reads the whole record through ``RecordRole`` (the licenses service adds
``seats_used`` and ``expired``) and only changes how cells are painted, so the
model stays the generic, tester-checked adapter every module shares.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QBrush, QColor, QHelpEvent
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QStyleOptionViewItem, QToolTip

from crm_desktop.customer360.data import expiry_state
from crm_desktop.grid.record_model import RecordRole

translate = QCoreApplication.translate

EXPIRED_BACKGROUND = QColor("#fde2e1")  # soft red: an office worker reads it as "act now"
EXPIRING_BACKGROUND = QColor("#fff1c7")  # soft amber: "soon"
AnyIndex = QModelIndex | QPersistentModelIndex


class LicenseDelegate(QStyledItemDelegate):
    """Paints expired licenses red, those ending within 30 days amber, and seats as "2 / 5"."""

    def __init__(self, seats_column: int, parent: Any = None):
        """``seats_column``: the column of the ``seats`` field (-1 if not shown)."""
        super().__init__(parent)
        self.seats_column = seats_column

    def initStyleOption(self, option: QStyleOptionViewItem, index: AnyIndex) -> None:  # noqa: N802 - Qt override
        """The model's look, plus the expiry colour and the "used / bought" seats text."""
        super().initStyleOption(option, index)
        record = index.data(RecordRole)
        if not isinstance(record, dict):
            return
        state = expiry_state(record)
        if state == "expired":
            option.backgroundBrush = QBrush(EXPIRED_BACKGROUND)
        elif state == "expiring":
            option.backgroundBrush = QBrush(EXPIRING_BACKGROUND)
        if index.column() == self.seats_column and record.get("seats") is not None:
            option.text = f"{record.get('seats_used', 0)} / {record['seats']}"

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem,  # noqa: N802
                  index: AnyIndex) -> bool:
        """Tooltips that say why a row is coloured and what "2 / 5" means."""
        if event.type() == QEvent.Type.ToolTip and index.isValid():
            text = self.tooltip(index)
            if text:
                QToolTip.showText(event.globalPos(), text, view)
                return True
        return super().helpEvent(event, view, option, index)

    def tooltip(self, index: AnyIndex) -> str | None:
        """The tooltip of a cell (None: the model's own)."""
        record = index.data(RecordRole)
        if not isinstance(record, dict):
            return None
        parts = []
        if index.column() == self.seats_column and record.get("seats") is not None:
            parts.append(translate("Customer360", "%1 of %2 seats in use")
                         .replace("%1", str(record.get("seats_used", 0))).replace("%2", str(record["seats"])))
        state = expiry_state(record)
        if state == "expired":
            parts.append(translate("Customer360", "This license has expired"))
        elif state == "expiring":
            parts.append(translate("Customer360", "This license expires within 30 days"))
        return "\n".join(parts) or None

