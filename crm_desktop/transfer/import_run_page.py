"""Step 4 of the import wizard: the import itself, its result (the rows left out can be saved), and "Undo this import".

crm_core writes the import in chunks of short transactions (others keep
saving meanwhile) and removes them again if it is cancelled or refused:
nothing is kept half-way. Once done, the module is announced on the change bus so its grid
reloads; undo removes the whole batch again (crm_core refuses it with a clear
message when a record was changed or referenced since).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWizardPage

from crm_desktop.background import run_in_background
from crm_desktop.errors import present_error
from crm_desktop.transfer import file_dialogs
from crm_desktop.transfer.task_strip import TaskStrip
from crm_desktop.transfer.texts import translate

if TYPE_CHECKING:
    from crm_desktop.transfer.import_wizard import ImportWizard

MAX_LISTED = 10  # rows named on the page when the import was refused


class RunPage(QWizardPage):
    """Imports with progress and Cancel; then offers to undo the batch."""

    def __init__(self, wizard: ImportWizard):
        """Build the page; the import starts when the page is shown."""
        super().__init__(wizard)
        self._wizard = wizard
        self._finished = False
        self.setTitle(translate("Transfer", "Import"))
        self.task = TaskStrip(self)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        self.undo_button = QPushButton(translate("Transfer", "Undo this import"), self)
        self.undo_button.setObjectName("undoButton")
        self.undo_button.setToolTip(translate("Transfer", "Remove every record this import created, as one unit"))
        self.undo_button.hide()
        # The rows left out, to correct and import again: the check page's report is gone once imported.
        self.skipped_button = QPushButton(translate("Transfer", "Save the rows not imported…"), self)
        self.skipped_button.setObjectName("saveSkippedButton")
        self.skipped_button.setToolTip(translate("Transfer", "An Excel file of the rows left out with a reason "
                                                             "column and the bad cells marked red, to correct "
                                                             "and import again"))
        self.skipped_button.hide()
        self.report_label = QLabel(self)
        self.report_label.setObjectName("skippedReportLabel")
        self.report_label.setWordWrap(True)
        self.confirm_box: QMessageBox | None = None
        buttons = QHBoxLayout()
        buttons.addWidget(self.skipped_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.result_label)
        layout.addWidget(self.task)
        layout.addLayout(buttons)
        layout.addWidget(self.report_label)
        layout.addStretch(1)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        self.skipped_button.clicked.connect(self._on_skipped_button_clicked)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        """Start the import with the checked mapping."""
        wizard = self._wizard
        only_valid = wizard.check_page.only_valid_check.isChecked()
        self.result_label.setText(translate("Transfer", "Importing…"))
        options = {"only_valid": only_valid, "sheet": wizard.source.sheet, "header_row": wizard.source.header_row,
                   "value_map": dict(wizard.value_map), "update_by_key": wizard.check_page.update_check.isChecked(),
                   "preview": wizard.check}
        self.task.start(self._run, wizard.imports, wizard.module, wizard.source.path, wizard.mapping, options,
                        done=self._on_run_done, failed=self._on_run_failed, cancelled=self._on_run_cancelled)

    @staticmethod
    def _run(imports: Any, module: str, path: str, mapping: dict[int, str | None], options: dict[str, Any], *,
             progress: Any) -> Any:
        """The import (background)."""
        return imports.run(module, path, mapping, progress=progress, **options)

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        """Finish is possible once the import is over, whatever its outcome."""
        return self._finished

    def busy(self) -> bool:
        """True while the import runs (the wizard then cancels instead of closing)."""
        return self.task.running

    # --------------------------------------------------------------- slots

    def _end(self, text: str) -> None:
        self._finished = True
        self.result_label.setText(text)
        self.completeChanged.emit()

    def _on_run_done(self, result: Any) -> None:
        self._wizard.result = result
        lines = [self._imported(result.created, result.companions)]
        if result.companions and not result.created:  # only contacts given on rows that update their customers
            lines[0] = translate("Transfer", "%1 contacts were added to the customers updated.").replace(
                "%1", f"{result.companions:,}")
        if result.updated:
            lines.append(translate("Transfer", "%1 existing records were updated.").replace("%1", f"{result.updated:,}"))
        if result.companions_updated:
            lines.append(translate("Transfer", "%1 existing contacts were updated.").replace(
                "%1", f"{result.companions_updated:,}"))
        if result.skipped:
            lines.append(translate("Transfer", "%1 rows with problems were skipped.").replace(
                "%1", f"{result.skipped:,}"))
        self._end("\n".join(lines))  # a sentence a line: "。 " would read oddly in Chinese
        self.skipped_button.setVisible(bool(result.skipped))
        self.undo_button.setVisible(result.created + result.companions + result.updated + result.companions_updated > 0)
        self._wizard.announce(self._wizard.module, None)

    def _on_run_failed(self, exc: BaseException) -> None:
        check = getattr(exc, "check", None)  # ImportRejected: rows turned bad since the check
        if check is None:
            self._end(translate("Transfer", "Nothing was imported."))
            present_error(self, exc, self._wizard.lang)
            return
        # Shown here, not in a box: there may be hundreds of rows. Records saved by others
        # since the check (a duplicate name, say) are the usual cause.
        lang = self._wizard.lang
        lines = [translate("Transfer", "Row %1: %2").replace("%1", str(e.row)).replace("%2", e.message(lang))
                 for e in check.errors[:MAX_LISTED]]
        if len(check.errors) > MAX_LISTED:
            lines.append("…")
        self._end("\n".join([translate("Transfer", "Nothing was imported: some rows are no longer valid. "
                                                    "Run the import again to see them all."), *lines]))

    def _on_run_cancelled(self) -> None:
        self._end(translate("Transfer", "Import cancelled. Nothing was imported."))

    @staticmethod
    def _imported(created: int, companions: int) -> str:
        """"Imported 3 records, with 2 contacts from the same rows." (undo removes the contacts too, and counts
        them); one record or one contact in the singular ("with 1 contacts" read wrong)."""
        if created == 1:
            text = (translate("Transfer", "Imported 1 record, with 1 contact from the same row.") if companions
                    else translate("Transfer", "Imported 1 record."))
        elif companions == 1:
            text = translate("Transfer", "Imported %1 records, with 1 contact from the same row.")
        elif companions:
            text = translate("Transfer", "Imported %1 records, with %2 contacts from the same rows.")
        else:
            text = translate("Transfer", "Imported %1 records.")
        return text.replace("%1", f"{created:,}").replace("%2", f"{companions:,}")

    def _on_undo_button_clicked(self) -> None:
        result = self._wizard.result
        box = QMessageBox(QMessageBox.Icon.Question, translate("Transfer", "Undo this import"),
                          translate("Transfer", "Remove the %1 records this import created and restore the "
                                                "%2 it updated?").replace(
                              "%1", f"{result.created + result.companions:,}").replace(
                              "%2", f"{result.updated + result.companions_updated:,}"),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("undoConfirmBox")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(translate("Transfer", "Remove them"))
        box.buttonClicked.connect(self._on_confirm_box_button_clicked)
        self.confirm_box = box
        box.open()

    def _on_confirm_box_button_clicked(self, button: Any) -> None:
        if self.confirm_box is not None and \
                self.confirm_box.standardButton(button) == QMessageBox.StandardButton.Yes:
            self._undo()

    def _undo(self) -> None:
        self.undo_button.setEnabled(False)
        run_in_background(self._wizard.imports.undo, self._wizard.result.batch_id,
                          done=self._on_undo_done, failed=self._on_undo_failed)

    def _on_undo_done(self, _records: int) -> None:
        self.undo_button.hide()
        # Nothing of this import is left: "the rows not imported" would be a file without its other half.
        self.skipped_button.hide()
        self.report_label.clear()
        # As the question put it: the undo is all or nothing, so what it removed and restored is what the
        # import created and updated (its count is of both together).
        result = self._wizard.result
        removed, restored = result.created + result.companions, result.updated + result.companions_updated
        if not restored:
            text = translate("Transfer", "Import undone: %1 records removed.")
        else:
            text = translate("Transfer", "Import undone: %1 records removed, %2 restored as they were.")
        self.result_label.setText(text.replace("%1", f"{removed:,}").replace("%2", f"{restored:,}"))
        self._wizard.announce(self._wizard.module, None)

    def _on_skipped_button_clicked(self) -> None:
        wizard = self._wizard
        suggested = translate("Transfer", "%1 - rows not imported.xlsx").replace("%1", Path(wizard.source.path).stem)
        path = file_dialogs.choose_save_path(self, translate("Transfer", "Save the rows not imported"), suggested,
                                             "xlsx")
        if not path:
            return
        self.skipped_button.setEnabled(False)
        report = partial(wizard.imports.write_error_report, sheet=wizard.source.sheet,
                         header_row=wizard.source.header_row)
        run_in_background(report, wizard.source.path, wizard.result, path, wizard.lang,
                          done=lambda _none: self._on_skipped_saved(path), failed=self._on_skipped_failed)

    def _on_skipped_saved(self, path: str) -> None:
        self.skipped_button.setEnabled(True)
        self.report_label.setText(translate("Transfer", "Rows not imported saved: %1. Correct them there and "
                                                        "import that file.").replace("%1", path))

    def _on_skipped_failed(self, exc: BaseException) -> None:
        self.skipped_button.setEnabled(True)
        present_error(self, exc, self._wizard.lang)

    def _on_undo_failed(self, exc: BaseException) -> None:
        self.undo_button.setEnabled(True)
        present_error(self, exc, self._wizard.lang)
