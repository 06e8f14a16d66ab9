"""The reports page (报表): pick a report, filter it, preview it, export it to Excel or PDF.

Building and writing both run in the background behind a progress dialog with
Cancel (``session.reports.build`` / ``write``); the services check the rights
and the row scope, this page only hides what the role cannot use.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QProgressDialog,
                               QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from crm_core.i18n import Text
from crm_core.reports.model import Report
from crm_desktop.background import Operation, run_in_background
from crm_desktop.errors import present_error
from crm_desktop.reports.filters import ReportFilterBar
from crm_desktop.reports.preview import fill_preview
from crm_desktop.reports.progress import run_with_progress

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

EXTENSIONS = {"xlsx": ".xlsx", "pdf": ".pdf"}


def choose_save_path(parent: QWidget, fmt: str, suggested: str) -> str | None:
    """Ask where to save the ``fmt`` file (tests replace this function); None when cancelled."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    pattern = {"xlsx": translate("Reports", "Excel workbook (*.xlsx)"),
               "pdf": translate("Reports", "PDF document (*.pdf)")}[fmt]
    path, _ = QFileDialog.getSaveFileName(parent, translate("Reports", "Export report"),
                                          str(Path(folder) / suggested), pattern)
    return path or None


def _load_setup(service: Any) -> tuple[list[tuple[str, Text]], dict[str, list[tuple[Any, Text]]]]:
    """The report list and the filter choices, in one trip to the database (background)."""
    return service.catalogue(), service.filter_choices()


class ReportsPage(QWidget):
    """Report list on the left; filters, actions and the preview of the built report on the right.

    Signals:
        built(object): a :class:`Report` is in the preview.
        exported(str): a file was written (its path).
    """

    built = Signal(object)
    exported = Signal(str)

    def __init__(self, service: Any, lang: str, *, may_export: bool, today: dt.date | None = None,
                 parent: QWidget | None = None):
        """Build the page and load the report list and filter choices.

        Args:
            service: ``session.reports``.
            lang: "zh_CN" or "en" (also the language of the exported files).
            may_export: the role may export reports (otherwise no export buttons).
            today: reference day of the default period (this year up to today).
            parent: Qt parent.
        """
        super().__init__(parent)
        self.setObjectName("page_reports")
        self._service = service
        self._lang = lang
        self.report: Report | None = None
        self.operation: Operation | None = None
        self.progress_dialog: QProgressDialog | None = None
        self._build_again = False  # another report was chosen while one was being built
        self.report_list = QListWidget(self)
        self.report_list.setObjectName("reportList")
        self.report_list.setSpacing(2)
        self.filter_bar = ReportFilterBar(lang, today or dt.date.today(), self)
        self.build_button = self._button("buildButton", translate("Reports", "Build report"))
        self.xlsx_button = self._button("exportXlsxButton", translate("Reports", "Export Excel"))
        self.pdf_button = self._button("exportPdfButton", translate("Reports", "Export PDF"))
        self.title_label = QLabel(self)
        self.title_label.setObjectName("reportTitle")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.info_label = QLabel(self)
        self.info_label.setObjectName("reportInfo")
        self.info_label.setWordWrap(True)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("reportStatus")
        self.preview = QTabWidget(self)
        self.preview.setObjectName("reportPreview")
        self.preview.setDocumentMode(True)
        for button in (self.xlsx_button, self.pdf_button):
            button.setVisible(may_export)
        self._layout()
        self._set_idle(True)
        self.build_button.clicked.connect(self.build)
        self.xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        self.report_list.currentItemChanged.connect(self._on_report_list_current_item_changed)
        self.report_list.itemClicked.connect(self._on_report_list_item_clicked)
        run_in_background(_load_setup, service, done=self._on_setup_loaded, failed=self._on_failed)

    def _button(self, name: str, text: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        return button

    def _layout(self) -> None:
        actions = QHBoxLayout()
        actions.addWidget(self.build_button)
        actions.addWidget(self.status_label, 1)
        actions.addWidget(self.xlsx_button)
        actions.addWidget(self.pdf_button)
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(6, 0, 0, 0)
        column.addWidget(self.title_label)
        column.addWidget(self.filter_bar)
        column.addLayout(actions)
        column.addWidget(self.info_label)
        column.addWidget(self.preview, 1)
        splitter = QSplitter(self)
        splitter.addWidget(self.report_list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([170, 900])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)

    # ------------------------------------------------------------- actions

    def current_key(self) -> str | None:
        """The key of the report chosen in the list."""
        item = self.report_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def choose(self, key: str) -> None:
        """Select a report in the list by key and build it, as a click does (also when it is selected)."""
        for row in range(self.report_list.count()):
            if self.report_list.item(row).data(Qt.ItemDataRole.UserRole) == key:
                if row == self.report_list.currentRow():
                    self.build()
                else:
                    self.report_list.setCurrentRow(row)  # builds (current item changed)
                return
        raise KeyError(key)

    def build(self) -> None:
        """Build the chosen report with the chosen filters, in the background."""
        key = self.current_key()
        if key is None:
            return
        if self.operation is not None:
            self._build_again = True
            return
        self._set_idle(False)
        self.status_label.setText(translate("Reports", "Building…"))
        self.operation, self.progress_dialog = run_with_progress(
            self, translate("Reports", "Building the report…"), self._service.build, key,
            self.filter_bar.filters(), done=self._on_built, failed=self._on_failed,
            finished=self._on_operation_finished)

    def export(self, fmt: str) -> None:
        """Ask for a file name, then write the previewed report as ``fmt`` ("xlsx" or "pdf")."""
        if self.report is None or self.operation is not None:
            return
        suggested = f"{self.report.title(self._lang)}_{self.report.generated_at.astimezone():%Y%m%d}"
        path = choose_save_path(self, fmt, suggested + EXTENSIONS[fmt])
        if not path:
            return
        if not path.lower().endswith(EXTENSIONS[fmt]):
            path += EXTENSIONS[fmt]
        self._set_idle(False)
        self.status_label.setText(translate("Reports", "Exporting…"))
        self.operation, self.progress_dialog = run_with_progress(
            self, translate("Reports", "Writing %1…").replace("%1", path), self._service.write, self.report,
            path, fmt, self._lang, done=lambda _none, p=path: self._on_exported(p), failed=self._on_failed,
            finished=self._on_operation_finished)

    def _set_idle(self, idle: bool) -> None:
        self.build_button.setEnabled(idle and self.current_key() is not None)
        for button in (self.xlsx_button, self.pdf_button):
            button.setEnabled(idle and self.report is not None)

    def _show_report(self, report: Report) -> None:
        self.report = report
        self.title_label.setText(report.title(self._lang))
        separator = "; " if self._lang.startswith("en") else "；"
        shown = separator.join(f"{label(self._lang)}: {value(self._lang)}" for label, value in report.filters_shown)
        made = translate("Reports", "Generated %1 by %2").replace(
            "%1", report.generated_at.astimezone().strftime("%Y-%m-%d %H:%M")).replace("%2", report.generated_by)
        self.info_label.setText(f"{made}    {shown}" if shown else made)
        fill_preview(self.preview, report, self._lang)

    # --------------------------------------------------------------- slots

    def _on_setup_loaded(self, setup: tuple[list[tuple[str, Text]], dict[str, list[tuple[Any, Text]]]]) -> None:
        catalogue, choices = setup
        self.filter_bar.set_choices(choices)
        for key, title in catalogue:
            item = QListWidgetItem(title(self._lang))
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.report_list.addItem(item)
        # The first report selected, not built: a report over a big office takes a while, so it is built
        # when the manager asks (a click, 生成报表). Selected here, with no signal, so that the list taking
        # the focus (which selects its first row when none is) never starts a build at a random moment.
        if self.report_list.count() and self.report_list.currentRow() < 0:
            self.report_list.blockSignals(True)
            self.report_list.setCurrentRow(0)
            self.report_list.blockSignals(False)
            self.title_label.setText(self.report_list.item(0).text())  # what 生成报表 will build
        self._set_idle(self.operation is None)

    def _on_report_list_current_item_changed(self, current: QListWidgetItem | None, _previous: Any) -> None:
        if current is not None:
            self.build()

    def _on_report_list_item_clicked(self, item: QListWidgetItem) -> None:
        # A click on the report already selected (the first one, when the page opens) builds it unless it
        # is the one shown; a click on another one builds through the current item's change.
        key = item.data(Qt.ItemDataRole.UserRole)
        if (item is self.report_list.currentItem() and self.operation is None
                and (self.report is None or self.report.key != key)):
            self.build()

    def _on_built(self, report: Report) -> None:
        self._show_report(report)
        self.status_label.setText("")
        self.built.emit(report)

    def _on_exported(self, path: str) -> None:
        self.status_label.setText(translate("Reports", "Saved to %1").replace("%1", path))
        self.exported.emit(path)

    def _on_failed(self, exc: BaseException) -> None:
        self.status_label.setText("")
        present_error(self, exc, self._lang)

    def _on_operation_finished(self) -> None:
        self.operation = self.progress_dialog = None
        if self.status_label.text() in (translate("Reports", "Building…"), translate("Reports", "Exporting…")):
            self.status_label.setText(translate("Reports", "Cancelled."))
        self._set_idle(True)
        if self._build_again:
            self._build_again = False
            self.build()

