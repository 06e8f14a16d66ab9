"""What every report is filtered by: level, industry, owner and a period (SPEC 报表)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QLabel, QWidget

from crm_core.i18n import Text
from crm_core.reports.model import ReportFilters

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

CHOICE_KEYS = ("level", "industry", "owner")


class ReportFilterBar(QWidget):
    """Combos for level, industry and owner ("all" first) and an optional from/to period."""

    def __init__(self, lang: str, today: dt.date, parent: QWidget | None = None):
        """Empty combos until :meth:`set_choices`; the period starts as this year, switched on."""
        super().__init__(parent)
        self._lang = lang
        self.combos: dict[str, QComboBox] = {}
        captions = {"level": translate("Reports", "Importance"), "industry": translate("Reports", "Industry"),
                    "owner": translate("Reports", "Owner")}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for key in CHOICE_KEYS:
            combo = QComboBox(self)
            combo.setObjectName(f"{key}Combo")
            combo.setMinimumContentsLength(8)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.addItem(translate("Reports", "All"), None)
            self.combos[key] = combo
            row.addWidget(QLabel(captions[key], self))
            row.addWidget(combo)
            row.addSpacing(8)
        self.period_check = QCheckBox(translate("Reports", "Period"), self)
        self.period_check.setObjectName("periodCheck")
        self.period_check.setChecked(True)
        self.from_edit = _date_edit("dateFrom", today.replace(month=1, day=1), self)
        self.to_edit = _date_edit("dateTo", today, self)
        row.addWidget(self.period_check)
        row.addWidget(self.from_edit)
        row.addWidget(QLabel("–", self))
        row.addWidget(self.to_edit)
        row.addStretch(1)
        self.period_check.toggled.connect(self._on_period_check_toggled)

    def set_choices(self, choices: dict[str, list[tuple[Any, Text]]]) -> None:
        """Fill the combos from ``session.reports.filter_choices()`` (keeps "All" first)."""
        for key, combo in self.combos.items():
            while combo.count() > 1:
                combo.removeItem(1)
            for value, label in choices.get(key, []):
                combo.addItem(label(self._lang), value)

    def choose(self, key: str, value: Any) -> None:
        """Select ``value`` in the ``key`` combo (None: all)."""
        combo = self.combos[key]
        combo.setCurrentIndex(max(0, combo.findData(value)))

    def set_period(self, first: dt.date | None, last: dt.date | None) -> None:
        """Set the period; both None switches it off (all time)."""
        self.period_check.setChecked(first is not None or last is not None)
        if first is not None:
            self.from_edit.setDate(QDate(first))
        if last is not None:
            self.to_edit.setDate(QDate(last))

    def filters(self) -> ReportFilters:
        """What the user chose, as the services take it."""
        first = last = None
        if self.period_check.isChecked():
            first, last = sorted((self.from_edit.date().toPython(), self.to_edit.date().toPython()))
        return ReportFilters(level=self.combos["level"].currentData(),
                             industry=self.combos["industry"].currentData(),
                             owner_id=self.combos["owner"].currentData(), date_from=first, date_to=last)

    def _on_period_check_toggled(self, checked: bool) -> None:
        self.from_edit.setEnabled(checked)
        self.to_edit.setEnabled(checked)


def _date_edit(name: str, day: dt.date, parent: QWidget) -> QDateEdit:
    edit = QDateEdit(QDate(day), parent)
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit
