"""A report table in a QTableView: read-only, figures formatted, the totals row last and bold."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from crm_core.reports.model import Table
from crm_desktop.dashboard.formatting import format_value, is_numeric

AnyIndex = QModelIndex | QPersistentModelIndex


class ReportTableModel(QAbstractTableModel):
    """Thin adapter over one :class:`Table` of a built report (it never changes once built)."""

    def __init__(self, table: Table, lang: str, parent: Any = None):
        """Show ``table`` with its column labels in ``lang``."""
        super().__init__(parent)
        self._table = table
        self._lang = lang
        self._rows = list(table.rows) + ([table.totals] if table.totals is not None else [])

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        """Data rows, plus one for the totals."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        """One per report column."""
        return 0 if parent.isValid() else len(self._table.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column labels in the reader's language."""
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._table.columns):
            column = self._table.columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return column.label(self._lang)
            if role == Qt.ItemDataRole.TextAlignmentRole and is_numeric(column.kind):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Formatted figures, numbers right-aligned, the totals row bold."""
        if not index.isValid():
            return None
        column = self._table.columns[index.column()]
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = row.get(column.key)
            if value is None and self.is_totals_row(index.row()):
                return ""  # a column without a total stays blank, not "—"
            return format_value(value, column.kind)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if is_numeric(column.kind) else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and self.is_totals_row(index.row()):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        """Selectable (to copy), never editable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def is_totals_row(self, row: int) -> bool:
        """True for the last row when the table has totals."""
        return self._table.totals is not None and row == len(self._rows) - 1
