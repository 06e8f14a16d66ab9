"""The sales funnel (销售漏斗) on the dashboard: open opportunities per stage, each row opening its records.

The figures come from ``OpportunityService.funnel()`` (row scope as in the grid);
this panel draws one bar per stage, its width proportional to the count, with
the count and the expected amount (万元 in Chinese, the full amount in the tooltip).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from crm_core.lists import Filter
from crm_core.reports.model import GridTarget, Kind
from crm_desktop.dashboard.formatting import format_tile_value, format_value

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

BAR_STYLE = ("QProgressBar { border: none; background: #eef2f7; border-radius: 3px; max-height: 16px; }"
             " QProgressBar::chunk { background: #1f6fd1; border-radius: 3px; }")


class _StageRow(QWidget):
    """One clickable stage line (the whole row is the click target)."""

    clicked = Signal(object)

    def __init__(self, target: GridTarget | None, parent: QWidget):
        super().__init__(parent)
        self.target = target
        if target is not None:
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        """A left click opens the stage's opportunities."""
        if self.target is not None and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.target)
            event.accept()
            return
        super().mouseReleaseEvent(event)


class FunnelPanel(QFrame):
    """Stages top to bottom with count bars.

    Signals:
        target_clicked(object): the :class:`GridTarget` of a clicked stage.
    """

    target_clicked = Signal(object)

    def __init__(self, stages: list[dict[str, Any]], lang: str, clickable: bool, parent: QWidget | None = None):
        """``stages`` as ``funnel()`` gives them (stage, label, count, amount)."""
        super().__init__(parent)
        self.setObjectName("tile")  # the cards' frame
        self.rows: list[_StageRow] = []
        title = QLabel(translate("Dashboard", "Sales funnel"), self)
        title.setObjectName("tileLabel")
        title.setToolTip(translate("Dashboard", "Active opportunities per stage with their expected amount, "
                                                "now (not limited to the period). Click a stage to open them."))
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        top = max([s["count"] for s in stages] + [1])
        for n, stage in enumerate(stages):
            target = GridTarget("opportunities", (Filter("stage", "eq", stage["stage"]),
                                                  Filter("is_active", "eq", True))) if clickable else None
            row = _StageRow(target, self)
            row.setObjectName(f"funnel_{stage['stage']}")
            line = QGridLayout(row)
            line.setContentsMargins(0, 2, 0, 2)
            name = QLabel(stage["label"](lang), row)
            name.setMinimumWidth(80)
            bar = QProgressBar(row)
            bar.setRange(0, top)
            bar.setValue(stage["count"])
            bar.setTextVisible(False)
            bar.setStyleSheet(BAR_STYLE)
            amount = Decimal(stage["amount"] or 0)
            figures = QLabel(translate("Dashboard", "%1 · %2").replace("%1", f"{stage['count']:,}").replace(
                "%2", format_tile_value(amount, Kind.MONEY, lang)), row)
            figures.setMinimumWidth(120)
            figures.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            row.setToolTip(f"{stage['label'](lang)}: {stage['count']:,} · {format_value(amount, Kind.MONEY)}")
            line.addWidget(name, 0, 0)
            line.addWidget(bar, 0, 1)
            line.addWidget(figures, 0, 2)
            line.setColumnStretch(1, 1)
            row.clicked.connect(self.target_clicked)
            grid.addWidget(row, n, 0)
            self.rows.append(row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.addWidget(title)
        layout.addLayout(grid)
        layout.addStretch(1)
