"""Export a grid, as currently filtered and sorted, to Excel, CSV or PDF.

The dialog asks for the format and the columns, then where to save, and runs
``session.exports.write`` in the background under a progress dialog with Cancel.
crm_core reads through the module's export path: it checks the EXPORT right,
keeps to the user's rows and masks as on screen, and removes a partial file when
cancelled or failed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QGroupBox, QHBoxLayout, QLabel,
                               QProgressDialog, QPushButton, QRadioButton, QVBoxLayout, QWidget)

from crm_core.lists import ListQuery
from crm_core.permissions import MODULE_NAMES
from crm_desktop.background import Operation, Progress, run_in_background
from crm_desktop.errors import present_error
from crm_desktop.transfer import file_dialogs
from crm_desktop.transfer.texts import translate

FORMATS = (("xlsx", "Excel (.xlsx)"), ("csv", "CSV (.csv)"), ("pdf", "PDF (.pdf)"))


class ExportDialog(QDialog):
    """Format, columns, then the export itself with progress, Cancel and "Open folder"."""

    def __init__(self, exports: Any, module: str, query: ListQuery, lang: str, *, visible_columns: list[str],
                 all_columns: list[str], total: int | None = None, parent: QWidget | None = None):
        """Prepare an export of ``module``.

        Args:
            exports: the session's ExportService (``session.exports``).
            module: the module of the grid.
            query: the grid's current query (filters, search, sort).
            lang: "zh_CN" or "en" (labels and headers in the file).
            visible_columns: the grid's shown columns in their on-screen order.
            all_columns: every column the grid could show.
            total: how many records the grid counted (for the description), if known.
            parent: Qt parent.
        """
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self._exports, self._module, self._query, self._lang = exports, module, query, lang
        self._visible, self._all = list(visible_columns), list(all_columns)
        self._operation: Operation | None = None
        self._result: Any = None  # rows written, set by the job itself (see _write)
        self._failed = False
        self.path: str | None = None
        self.progress_dialog: QProgressDialog | None = None
        module_name = MODULE_NAMES[module](lang)
        self.setWindowTitle(translate("Transfer", "Export %1").replace("%1", module_name))

        what = translate("Transfer", "The records of the list as currently filtered and sorted.")
        if total is not None:
            what = translate("Transfer", "%1 records of the list, as currently filtered and sorted.").replace(
                "%1", f"{total:,}")
        self.what_label = QLabel(what, self)
        self.what_label.setWordWrap(True)
        self.format_group = QButtonGroup(self)
        self.format_buttons: dict[str, QRadioButton] = {}
        format_box = QGroupBox(translate("Transfer", "Format"), self)
        format_row = QHBoxLayout(format_box)
        for fmt, label in FORMATS:
            button = QRadioButton(label, format_box)
            button.setObjectName(f"format_{fmt}")
            self.format_group.addButton(button)
            self.format_buttons[fmt] = button
            format_row.addWidget(button)
        self.format_buttons["xlsx"].setChecked(True)
        columns_box = QGroupBox(translate("Transfer", "Columns"), self)
        columns_layout = QVBoxLayout(columns_box)
        self.visible_radio = QRadioButton(translate("Transfer", "Only the columns shown (%1), in their order")
                                          .replace("%1", str(len(self._visible))), columns_box)
        self.visible_radio.setObjectName("visibleColumnsRadio")
        self.visible_radio.setChecked(True)
        self.all_radio = QRadioButton(translate("Transfer", "All columns (%1)").replace("%1", str(len(self._all))),
                                      columns_box)
        self.all_radio.setObjectName("allColumnsRadio")
        columns_layout.addWidget(self.visible_radio)
        columns_layout.addWidget(self.all_radio)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("exportResult")
        self.result_label.setWordWrap(True)
        self.open_folder_button = QPushButton(translate("Transfer", "Open folder"), self)
        self.open_folder_button.setObjectName("openFolderButton")
        self.open_folder_button.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.export_button = self.buttons.addButton(translate("Transfer", "Export…"),
                                                    QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.setObjectName("exportButton")
        self.export_button.setDefault(True)
        result_row = QHBoxLayout()
        result_row.addWidget(self.result_label, 1)
        result_row.addWidget(self.open_folder_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.what_label)
        layout.addWidget(format_box)
        layout.addWidget(columns_box)
        layout.addLayout(result_row)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.buttons.rejected.connect(self.reject)
        self.open_folder_button.clicked.connect(self._on_open_folder_button_clicked)

    # -------------------------------------------------------------- values

    def fmt(self) -> str:
        """The chosen format: "xlsx", "csv" or "pdf"."""
        return next(fmt for fmt, button in self.format_buttons.items() if button.isChecked())

    def columns(self) -> list[str]:
        """The columns to write, in order ("All columns" ends with the module's custom fields, "custom.*")."""
        return list(self._visible) if self.visible_radio.isChecked() else [*self._all, "custom.*"]

    @property
    def running(self) -> bool:
        """True while an export is on its way."""
        return self._operation is not None

    # -------------------------------------------------------------- export

    def start(self, path: str) -> None:
        """Write the export to ``path`` in the background, with a progress dialog and Cancel."""
        self.path = path
        self._result = None
        self._failed = False
        self.export_button.setEnabled(False)
        self.open_folder_button.hide()
        self.result_label.setText(translate("Transfer", "Exporting…"))
        progress = QProgressDialog(translate("Transfer", "Exporting to %1…").replace("%1", Path(path).name),
                                   translate("Transfer", "Cancel"), 0, 0, self)
        progress.setObjectName("exportProgress")
        progress.setWindowTitle(self.windowTitle())
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setMinimumDuration(0)
        progress.canceled.connect(self._on_progress_canceled)
        self.progress_dialog = progress
        progress.show()
        self._operation = run_in_background(self._write, self._module, self._query, self.columns(), path,
                                            self.fmt(), self._lang, failed=self._on_export_failed,
                                            progress=self._on_export_progress,
                                            finished=self._on_export_finished)

    def _write(self, module: str, query: ListQuery, columns: list[str], path: str, fmt: str, lang: str, *,
               progress: Progress) -> int:
        """The export (background).

        The count is kept here rather than taken from the "done" callback: a Cancel
        pressed after the last progress report cannot stop the export any more, and
        the background helper then drops the result although the file is complete.
        """
        # crm_core calls ``progress(done, total)``; Progress.report raises Cancelled on Cancel.
        self._result = self._exports.write(module, query, columns, path, fmt, lang, progress=progress.report)
        return self._result

    def reject(self) -> None:
        """Close (or Esc) while exporting cancels the export first."""
        if self._operation is not None:
            self._operation.cancel()
            return
        super().reject()

    # --------------------------------------------------------------- slots

    def _on_export_button_clicked(self) -> None:
        fmt = self.fmt()
        name = f"{MODULE_NAMES[self._module](self._lang)} {dt.date.today():%Y-%m-%d}.{fmt}"
        path = file_dialogs.choose_save_path(self, translate("Transfer", "Export to"), name, fmt)
        if path:
            self.start(path)

    def _on_export_progress(self, done: int, total: int) -> None:
        if self.progress_dialog is not None and total > 0:
            self.progress_dialog.setMaximum(total)
            self.progress_dialog.setValue(min(done, total))

    def _on_progress_canceled(self) -> None:
        if self._operation is not None:
            self._operation.cancel()

    def _on_export_failed(self, exc: BaseException) -> None:
        self._result = None
        self._failed = True
        self.result_label.setText(translate("Transfer", "The export failed; no file was written."))
        present_error(self, exc, self._lang)

    def _on_export_finished(self) -> None:
        self._operation = None
        if self.progress_dialog is not None:
            self.progress_dialog.canceled.disconnect(self._on_progress_canceled)
            self.progress_dialog.close()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None
        self.export_button.setEnabled(True)
        if self._result is not None:
            rows = self._result
            text = (translate("Transfer", "Exported 1 record to %2.") if rows == 1
                    else translate("Transfer", "Exported %1 records to %2.").replace("%1", f"{rows:,}"))
            self.result_label.setText(text.replace("%2", str(self.path)))
            self.open_folder_button.show()
        elif not self._failed:  # neither a count nor an error: the job noticed the Cancel
            self.result_label.setText(translate("Transfer", "Export cancelled; no file was written."))

    def _on_open_folder_button_clicked(self) -> None:
        if self.path:
            file_dialogs.open_folder(Path(self.path).parent)
