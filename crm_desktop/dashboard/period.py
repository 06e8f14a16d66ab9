"""The dashboard's period: 本月 / 上月 / 本季度 / 本年, or a date range the user picks."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QWidget

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

# The last 12 months first: monthly charts need months to say anything (one bar is no trend).
PERIODS = ("last_12_months", "this_month", "last_month", "this_quarter", "this_year", "custom")
DEFAULT_PERIOD = "last_12_months"


def period_range(key: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The inclusive ``(first, last)`` day of a named period around ``today``.

    Raises:
        KeyError: ``key`` is "custom" or unknown (a custom range comes from the date edits).
    """
    month_start = today.replace(day=1)
    if key == "last_12_months":  # this month and the 11 before it, whole months
        year, month = divmod(today.year * 12 + today.month - 1 - 11, 12)
        return dt.date(year, month + 1, 1), _month_end(month_start)
    if key == "this_month":
        return month_start, _month_end(month_start)
    if key == "last_month":
        start = (month_start - dt.timedelta(days=1)).replace(day=1)
        return start, _month_end(start)
    if key == "this_quarter":
        start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        return start, _month_end(start.replace(month=start.month + 2))
    if key == "this_year":
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    raise KeyError(key)


def previous_range(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length just before ``first``..``last`` (the trend's "previous period").

    Whole calendar months map to the same number of whole months before them.
    """
    if first.day == 1 and last == _month_end(last.replace(day=1)):
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        year, month = divmod(first.year * 12 + first.month - 1 - months, 12)
        start = dt.date(year, month + 1, 1)
        return start, first - dt.timedelta(days=1)
    days = (last - first).days + 1
    return first - dt.timedelta(days=days), first - dt.timedelta(days=1)


def _month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _period_names() -> dict[str, str]:
    return {"last_12_months": translate("Dashboard", "Last 12 months"),
            "this_month": translate("Dashboard", "This month"),
            "last_month": translate("Dashboard", "Last month"),
            "this_quarter": translate("Dashboard", "This quarter"),
            "this_year": translate("Dashboard", "This year"),
            "custom": translate("Dashboard", "Custom range")}


class PeriodSelector(QWidget):
    """A combo of named periods plus "from"/"to" date edits, enabled for a custom range.

    Signals:
        changed(object, object): the chosen period, as two ``datetime.date`` (inclusive).
    """

    changed = Signal(object, object)

    def __init__(self, today: dt.date, parent: QWidget | None = None):
        """Start on the last 12 months up to ``today``'s month."""
        super().__init__(parent)
        self._today = today
        self.combo = QComboBox(self)
        self.combo.setObjectName("periodCombo")
        for key, name in _period_names().items():
            self.combo.addItem(name, key)
        self.from_edit = self._date_edit("periodFrom")
        self.to_edit = self._date_edit("periodTo")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(translate("Dashboard", "Period:"), self))
        layout.addWidget(self.combo)
        layout.addWidget(self.from_edit)
        layout.addWidget(QLabel("–", self))
        layout.addWidget(self.to_edit)
        self._show_range(*period_range(DEFAULT_PERIOD, today))
        self.combo.currentIndexChanged.connect(self._on_combo_current_index_changed)
        self.from_edit.dateChanged.connect(self._on_date_edit_date_changed)
        self.to_edit.dateChanged.connect(self._on_date_edit_date_changed)

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setEnabled(False)  # a named period fixes the dates
        return edit

    def range(self) -> tuple[dt.date, dt.date]:
        """The chosen period (first, last day), the earlier date first."""
        first, last = self.from_edit.date().toPython(), self.to_edit.date().toPython()
        return (first, last) if first <= last else (last, first)

    def choose(self, key: str) -> None:
        """Select a named period (or "custom")."""
        self.combo.setCurrentIndex(PERIODS.index(key))

    def set_custom_range(self, first: dt.date, last: dt.date) -> None:
        """Switch to a custom range and set its dates (one ``changed``)."""
        self.choose("custom")
        self._show_range(first, last)
        self.changed.emit(*self.range())

    def _show_range(self, first: dt.date, last: dt.date) -> None:
        for edit, day in ((self.from_edit, first), (self.to_edit, last)):
            edit.blockSignals(True)
            edit.setDate(QDate(day))
            edit.blockSignals(False)

    def _on_combo_current_index_changed(self, _index: int) -> None:
        key = self.combo.currentData()
        custom = key == "custom"
        self.from_edit.setEnabled(custom)
        self.to_edit.setEnabled(custom)
        if not custom:
            self._show_range(*period_range(key, self._today))
            self.changed.emit(*self.range())

    def _on_date_edit_date_changed(self, _date: QDate) -> None:
        self.changed.emit(*self.range())
