"""The "Filtered from the dashboard ✕" chip of a module page (the dashboard's click-through).

:meth:`ModulePage.show_filtered` shows in the filter bar what the bar can show;
the rest stays here as extra conditions until the user removes them with ✕
(or with "Clear filters", which clears both).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from crm_core.lists import Filter
from crm_core.metadata import EntitySpec

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate


class DashboardChip(QFrame):
    """A small removable label holding the conditions the filter bar cannot show.

    Signals:
        removed(): the user pressed ✕ (the page then shows every record again).
    """

    removed = Signal()

    def __init__(self, spec: EntitySpec, lang: str, parent: QWidget | None = None):
        """A hidden chip without conditions, for records of ``spec`` shown in ``lang``."""
        super().__init__(parent)
        self._spec, self._lang = spec, lang
        self.setObjectName("dashboardChip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#dashboardChip { background: #e8f0fe; border: 1px solid #aac4f0; border-radius: 9px; }")
        self.label = QLabel(translate("GridTools", "Filtered from the dashboard"), self)
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("dashboardChipClose")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(translate("GridTools", "Remove this filter and show all records"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 2, 0)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addWidget(self.close_button)
        self.conditions: tuple[Filter, ...] = ()
        self.close_button.clicked.connect(self._on_close_button_clicked)
        self.hide()

    def hold(self, conditions: Sequence[Filter]) -> None:
        """Show the chip, keeping ``conditions`` (possibly none: everything is in the filter bar)."""
        self.conditions = tuple(conditions)
        lines = [describe(self._spec, condition, self._lang) for condition in self.conditions]
        self.label.setToolTip("\n".join(lines) if lines else translate("GridTools", "Shown in the filter bar"))
        self.show()

    def drop(self) -> None:
        """Hide the chip and forget its conditions (no signal)."""
        self.conditions = ()
        self.hide()

    def _on_close_button_clicked(self) -> None:
        self.drop()
        self.removed.emit()


_SYMBOLS = {"eq": "=", "ne": "≠", "gte": "≥", "lte": "≤"}


def describe(spec: EntitySpec, condition: Filter, lang: str) -> str:
    """One condition as a line a user can read ("公司名称 包含 星辰"); codes of fixed choices as labels."""
    field = spec.all_fields.get(condition.field)
    name = field.label(lang) if field is not None else condition.field

    def text(value: Any) -> str:
        if value is None:
            return "…"
        if isinstance(value, dt.datetime):
            return f"{value.astimezone():%Y-%m-%d %H:%M}"
        if field is not None and field.choices is not None:
            return field.choice_label(value, lang) or str(value)
        return str(value)

    op, value = condition.op, condition.value
    if op in _SYMBOLS:
        return f"{name} {_SYMBOLS[op]} {text(value)}"
    if op == "between":
        low, high = value
        return f"{name}: {text(low)} – {text(high)}"
    if op == "in":
        return translate("GridTools", "%1 is one of %2").replace("%1", name).replace(
            "%2", ", ".join(text(v) for v in value))
    if op == "contains":
        return translate("GridTools", "%1 contains %2").replace("%1", name).replace("%2", text(value))
    if op == "is_null":
        return (translate("GridTools", "%1 is empty") if value else translate("GridTools", "%1 is not empty")) \
            .replace("%1", name)
    return f"{name} {op} {text(value)}"
