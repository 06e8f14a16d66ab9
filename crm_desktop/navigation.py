"""The main window's module list: 工作台 first, the modules, then the dashboard and reports.

Each entry has its icon; modules show how many records they hold, right-aligned
in grey. The counts are approximate and cheap: they are asked for once, all in one
background job, after the window is up (the services' ``quick_count``: exact when
that is quick, else an estimate), and refreshed when a module's records change.
Nothing here waits for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (QListWidget, QListWidgetItem, QStyle, QStyledItemDelegate, QStyleOptionViewItem,
                               QWidget)

from crm_core.lists import ListQuery
from crm_desktop.icons import module_icon

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

KeyRole = Qt.ItemDataRole.UserRole
CountRole = Qt.ItemDataRole.UserRole + 1


def count_records(services: Sequence[tuple[str, Any]]) -> dict[str, int]:
    """``{module: about how many active records}`` (runs in the background; a failing module is left out)."""
    counts: dict[str, int] = {}
    for module, service in services:
        try:
            counts[module] = int(service.quick_count(ListQuery(include_inactive=False)).value)
        except Exception:  # noqa: BLE001 - a count is a courtesy; the grid shows the real state
            continue
    return counts


def short_count(count: int) -> str:
    """"987", "1.2万" / "12k": a count that fits beside a module name."""
    if count < 10_000:
        return f"{count:,}"
    return f"{count / 10_000:.1f}万".replace(".0万", "万")


class CountDelegate(QStyledItemDelegate):
    """Draws an entry as usual, and its record count (if known) right-aligned in grey."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        """The entry, then the count over its right edge."""
        super().paint(painter, option, index)
        count = index.data(CountRole)
        if count is None:
            return
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        painter.setPen(option.palette.color(role))
        rect = QRect(option.rect).adjusted(0, 0, -8, 0)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), short_count(count))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem,  # noqa: N802 - Qt override
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        """Room for the count beside the name."""
        hint = super().sizeHint(option, index)
        return QSize(hint.width() + 48, max(hint.height(), 30))


class NavigationList(QListWidget):
    """The entries ``(key, label)``; :meth:`key_at` / :meth:`row_of` translate rows and keys."""

    def __init__(self, entries: Sequence[tuple[str, str]], parent: QWidget | None = None):
        """One entry per ``(key, label)``, with its icon."""
        super().__init__(parent)
        self.setObjectName("moduleList")
        self.setItemDelegate(CountDelegate(self))
        self.setIconSize(QSize(20, 20))
        for key, label in entries:
            item = QListWidgetItem(module_icon(key), label)
            item.setData(KeyRole, key)
            self.addItem(item)
        self.setSpacing(1)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # counts stay in sight
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Wide enough for the longest name, its icon and a count ("1.2万"), within reason.
        widest = max((self.fontMetrics().horizontalAdvance(label) for _key, label in entries), default=100)
        self.setMinimumWidth(min(max(widest + 20 + 70, 170), 280))
        self.setMaximumWidth(320)

    def keys(self) -> list[str]:
        """The entries' keys in order."""
        return [self.item(i).data(KeyRole) for i in range(self.count())]

    def row_of(self, key: str) -> int:
        """The row of ``key`` (ValueError if absent)."""
        return self.keys().index(key)

    def key_at(self, row: int) -> str | None:
        """The key of ``row``, None outside the list."""
        item = self.item(row)
        return item.data(KeyRole) if item is not None else None

    def set_counts(self, counts: dict[str, int]) -> None:
        """Show these record counts beside their modules (the tooltip says it is about so many)."""
        for row in range(self.count()):
            item = self.item(row)
            key = item.data(KeyRole)
            if key in counts:
                item.setData(CountRole, counts[key])
                item.setToolTip(translate("Navigation", "%1: about %2 records").replace("%1", item.text())
                                .replace("%2", f"{counts[key]:,}"))

    def count_of(self, key: str) -> int | None:
        """The count shown beside ``key``, if any."""
        return self.item(self.row_of(key)).data(CountRole)


CountLoader = Callable[[Sequence[tuple[str, Any]]], dict[str, int]]
