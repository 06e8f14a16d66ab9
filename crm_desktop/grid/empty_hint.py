"""What an empty grid says: what to do first (新建, 导入), or that the search found nothing.

A small panel laid over the grid's viewport, shown when the list has no rows
once loaded. It never hides records: it disappears as soon as a row arrives.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from crm_desktop.icons import ACCENT, icon

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate


class EmptyHint(QWidget):
    """The hint over an empty list; ``new_button`` / ``import_button`` trigger the page's actions."""

    def __init__(self, view: QAbstractScrollArea, module_name: str):
        """A hint over ``view``'s viewport naming the module (e.g. "客户信息")."""
        super().__init__(view.viewport())
        self.setObjectName("emptyHint")
        self._module_name = module_name
        self.title = QLabel(self)
        self.title.setObjectName("emptyHintTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = QLabel(self)
        self.detail.setObjectName("emptyHintDetail")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        self.new_button = QPushButton(icon("plus", ACCENT), translate("EmptyHint", "New"), self)
        self.new_button.setObjectName("emptyHintNew")
        self.import_button = QPushButton(icon("upload"), translate("EmptyHint", "Import from Excel…"), self)
        self.import_button.setObjectName("emptyHintImport")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        layout.addStretch(2)
        view.viewport().installEventFilter(self)
        self.hide()

    def show_empty(self, *, narrowed: bool, may_create: bool, may_import: bool) -> None:
        """Show the hint: ``narrowed`` True when a search or filter is set (then it says so instead)."""
        if narrowed:
            self.title.setText(translate("EmptyHint", "No records match the search or filters."))
            self.detail.setText(translate("EmptyHint", "Change the search words or clear the filters."))
            self.new_button.hide()
            self.import_button.hide()
        else:
            self.title.setText(translate("EmptyHint", "There are no records in %1 yet.").replace(
                "%1", self._module_name))
            if may_create and may_import:
                text = translate("EmptyHint", "Click “New” to add the first one, or import a list from Excel.")
            elif may_create:
                text = translate("EmptyHint", "Click “New” to add the first one.")
            else:
                text = translate("EmptyHint", "Records appear here once colleagues have added them.")
            self.detail.setText(text)
            self.new_button.setVisible(may_create)
            self.import_button.setVisible(may_import)
        self._fit()
        self.show()
        self.raise_()

    def _fit(self) -> None:
        self.setGeometry(self.parentWidget().rect())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Follow the viewport's size."""
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._fit()
        return False
