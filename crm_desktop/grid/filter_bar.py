"""The collapsible filter row of a module page, generated from the module's metadata.

One combo per choice column (fixed choices or data-dictionary labels, "All" first),
one per column referring to users (filled once the page has loaded the users), and a
"created" date range. :attr:`FilterBar.changed` fires on every change; the page then
hands :meth:`FilterBar.filters` to its model (the page's fixed filters still apply on top).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from crm_core.lists import Filter
from crm_core.metadata import EntitySpec, Field, FieldType
from crm_core.permissions import pickable_roles
from crm_desktop.grid.display import DictionaryLabels

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

DATE_FIELD = "created_at"
COMBOS_PER_ROW = 4
_NO_DATE = QDate(2000, 1, 1)  # the minimum of the date boxes: shown as "Any", means no bound


def filterable_fields(spec: EntitySpec, columns: Sequence[str], pinned: Iterable[str] = ()) -> list[Field]:
    """Choice and user-reference fields among ``columns`` that get a combo (pinned ones excluded)."""
    skip = set(pinned)
    fields = [spec.field(n) for n in columns if n not in skip]
    return [f for f in fields if f.type is FieldType.CHOICE
            or (f.type is FieldType.REF and f.ref == "users")]


def lists_users(fields: Sequence[Field]) -> bool:
    """True when one of ``fields`` (see :func:`filterable_fields`) gets a combo of users."""
    return any(f.type is FieldType.REF for f in fields)


class FilterBar(QWidget):
    """Combos and a date range that narrow a module's grid.

    Signals:
        changed(): a filter was changed or cleared.
        cleared(): "Clear filters" (or :meth:`clear`); sent just before its ``changed``.
    """

    changed = Signal()
    cleared = Signal()

    def __init__(self, spec: EntitySpec, fields: Sequence[Field], lang: str,
                 labels: DictionaryLabels | None = None, parent: QWidget | None = None):
        """Build the row for ``fields`` (see :func:`filterable_fields`) of ``spec`` in ``lang``."""
        super().__init__(parent)
        self.setObjectName("filterBar")
        self._lang = lang
        self._labels: DictionaryLabels = labels or {}
        self._fields = list(fields)
        self._users: list[tuple[Any, str, str]] = []
        self.combos: dict[str, QComboBox] = {}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        for i, field in enumerate(self._fields):
            combo = QComboBox(self)
            combo.setObjectName(f"filter_{field.name}")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumWidth(110)
            self.combos[field.name] = combo
            self._fill(field)
            combo.currentIndexChanged.connect(self._on_combo_current_index_changed)
            label = QLabel(field.label(lang), self)
            label.setBuddy(combo)
            row, col = divmod(i, COMBOS_PER_ROW)
            grid.addWidget(label, row, col * 2)
            grid.addWidget(combo, row, col * 2 + 1)
        grid.setColumnStretch(COMBOS_PER_ROW * 2, 1)

        self.date_from = self._date_edit("filterDateFrom")
        self.date_to = self._date_edit("filterDateTo")
        self.clear_button = QPushButton(translate("GridTools", "Clear filters"), self)
        self.clear_button.setObjectName("clearFiltersButton")
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        dates = QHBoxLayout()
        dates.setContentsMargins(0, 0, 0, 0)
        if DATE_FIELD in spec.all_fields:
            dates.addWidget(QLabel(translate("GridTools", "%1 from").replace("%1", spec.field(DATE_FIELD).label(lang)),
                                   self))
            dates.addWidget(self.date_from)
            dates.addWidget(QLabel(translate("GridTools", "to"), self))
            dates.addWidget(self.date_to)
        else:
            self.date_from.hide()
            self.date_to.hide()
        dates.addStretch(1)
        dates.addWidget(self.clear_button)

        layout = QGridLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addLayout(grid, 0, 0)
        layout.addLayout(dates, 1, 0)

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(_NO_DATE)
        edit.setSpecialValueText(translate("GridTools", "Any"))  # shown at the minimum: no bound
        edit.setDate(_NO_DATE)
        edit.dateChanged.connect(self._on_date_edit_date_changed)
        return edit

    # ------------------------------------------------------------- contents

    def _fill(self, field: Field, keep: Any = None) -> None:
        combo = self.combos[field.name]
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(translate("GridTools", "All"), None)
        if field.choices is not None:
            for choice in field.choices:
                combo.addItem(choice.label(self._lang), choice.code)
        elif field.dictionary:
            for (category, code), label in self._labels.items():  # the dictionary's own order
                if category == field.dictionary:
                    combo.addItem(label(self._lang), code)
        elif field.type is FieldType.REF:
            roles = pickable_roles(field.pick) if field.pick else None
            for user_id, name, role in self._users:
                if roles is None or role in roles:  # an owner filter lists those who may own
                    combo.addItem(name, user_id)
        index = combo.findData(keep) if keep is not None else 0
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)

    def set_dictionary_labels(self, labels: DictionaryLabels) -> None:
        """Fill the dictionary combos with freshly loaded labels (the choice made is kept)."""
        self._labels = labels
        for field in self._fields:
            if field.dictionary:
                self._fill(field, self.combos[field.name].currentData())

    def has_user_filter(self) -> bool:
        """True when a combo lists users (the page then loads them: :meth:`set_users`)."""
        return lists_users(self._fields)

    def set_users(self, users: Sequence[tuple[Any, str, str]]) -> None:
        """Fill the user combos with ``(id, name, role)`` (the choice made is kept)."""
        self._users = list(users)
        for field in self._fields:
            if field.type is FieldType.REF:
                self._fill(field, self.combos[field.name].currentData())

    # --------------------------------------------------------------- values

    def filters(self) -> tuple[Filter, ...]:
        """The conditions chosen: one "eq" per set combo, a "between" for the dates."""
        chosen = [Filter(name, "eq", combo.currentData()) for name, combo in self.combos.items()
                  if combo.currentData() is not None]
        low, high = self._bound(self.date_from), self._bound(self.date_to)
        if low is not None or high is not None:
            start = _local_midnight(low) if low else None
            end = _local_midnight(high + dt.timedelta(days=1)) - dt.timedelta(microseconds=1) if high else None
            chosen.append(Filter(DATE_FIELD, "between", (start, end)))
        return tuple(chosen)

    def active(self) -> bool:
        """True when any filter is set."""
        return bool(self.filters())

    def clear(self) -> None:
        """Back to "All" and no dates; :attr:`changed` fires once."""
        self._set_silently(None, None)
        self.cleared.emit()
        self.changed.emit()

    def set_filters(self, filters: Sequence[Filter]) -> tuple[Filter, ...]:
        """Show ``filters`` in the combos and dates, silently (the caller reloads once).

        A condition the bar cannot show — another operator, a value the combo does not
        list (yet), a date range not made of whole local days — is returned, so the
        caller can keep it as an extra condition.
        """
        self._set_silently(None, None)
        leftovers: list[Filter] = []
        shown: set[str] = set()
        for condition in filters:
            combo = self.combos.get(condition.field)
            if condition.op == "eq" and combo is not None and condition.field not in shown \
                    and condition.value is not None and combo.findData(condition.value) >= 0:
                combo.blockSignals(True)
                combo.setCurrentIndex(combo.findData(condition.value))
                combo.blockSignals(False)
                shown.add(condition.field)
            elif condition.field == DATE_FIELD and DATE_FIELD not in shown and self.date_from.isVisibleTo(self) \
                    and (days := _whole_days(condition)) is not None:
                self._set_silently(*days)
                shown.add(DATE_FIELD)
            else:
                leftovers.append(condition)
        return tuple(leftovers)

    def _set_silently(self, low: dt.date | None, high: dt.date | None) -> None:
        """Set the date range (None: no bound) and, when both are None, every combo to "All"."""
        widgets = (*self.combos.values(), self.date_from, self.date_to)
        for widget in widgets:
            widget.blockSignals(True)
        if low is None and high is None:
            for combo in self.combos.values():
                combo.setCurrentIndex(0)
        self.date_from.setDate(QDate(low) if low else _NO_DATE)
        self.date_to.setDate(QDate(high) if high else _NO_DATE)
        for widget in widgets:
            widget.blockSignals(False)

    @staticmethod
    def _bound(edit: QDateEdit) -> dt.date | None:
        date = edit.date()
        return None if date == _NO_DATE else date.toPython()

    # --------------------------------------------------------------- slots

    def _on_combo_current_index_changed(self, _index: int) -> None:
        self.changed.emit()

    def _on_date_edit_date_changed(self, _date: QDate) -> None:
        self.changed.emit()

    def _on_clear_button_clicked(self) -> None:
        self.clear()


def _local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` on this computer's clock, as an aware UTC timestamp."""
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.timezone.utc)


def _whole_days(condition: Filter) -> tuple[dt.date | None, dt.date | None] | None:
    """The local days of a "between" on timestamps, if its bounds are exactly what the bar makes of days."""
    if condition.op != "between" or not isinstance(condition.value, (tuple, list)) or len(condition.value) != 2:
        return None
    low, high = condition.value
    if not all(v is None or (isinstance(v, dt.datetime) and v.tzinfo is not None) for v in (low, high)):
        return None
    first = low.astimezone().date() if low is not None else None
    last = (high + dt.timedelta(microseconds=1)).astimezone().date() - dt.timedelta(days=1) if high else None
    if first is not None and _local_midnight(first) != low:
        return None
    if last is not None and _local_midnight(last + dt.timedelta(days=1)) - dt.timedelta(microseconds=1) != high:
        return None
    if first is None and last is None:
        return None
    return first, last
