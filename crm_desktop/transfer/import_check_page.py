"""Step 3 of the import wizard: the dry run that checks every row, and what it found.

Nothing is written here. The page lists every problem (spreadsheet row, column,
reason in the user's language), saves them as an xlsx error report with the bad
cells marked, and lets the user go on with only the valid rows. Values of
choice columns that are none of the choices are listed once each for mapping
(:mod:`import_values`); with "update by key" rows naming existing records
(by a customer code, a contract number; a contact by customer, name and phone)
are listed with what they change (the preview).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWizardPage)

from crm_desktop.background import run_in_background
from crm_desktop.errors import present_error
from crm_desktop.transfer import file_dialogs
from crm_desktop.transfer.import_mapping_page import column_letter
from crm_desktop.transfer.import_values import ValueMappingPanel
from crm_desktop.transfer.task_strip import TaskStrip
from crm_desktop.transfer.texts import translate

if TYPE_CHECKING:
    from crm_desktop.transfer.import_wizard import ImportWizard

ROW, COLUMN, REASON = range(3)


def update_label(module: str, keys: tuple[str, ...], lang: str) -> str:
    """The update option named by the module's key: "客户编码已存在的行更新该客户", "Rows with the customer, name
    and phone of an existing contact update that contact" (crm_core's one wording, which its duplicate messages
    quote)."""
    from crm_core.importing.columns import update_option  # crm_core is loaded by now (signed in)
    from crm_core.modules import SPECS

    return update_option(SPECS[module], keys)(lang)


class CheckPage(QWizardPage):
    """Runs ``imports.check`` with progress and Cancel, then shows the outcome."""

    def __init__(self, wizard: ImportWizard):
        """Build the page; the check starts when the page is shown."""
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle(translate("Transfer", "Check every row"))
        self.setSubTitle(translate("Transfer", "A dry run: nothing is saved yet."))
        self.setCommitPage(True)  # after "Import" there is no going back; "Undo" is on the next page
        self.task = TaskStrip(self)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("checkSummary")
        self.summary_label.setWordWrap(True)
        self.error_table = QTableWidget(0, 3, self)
        self.error_table.setObjectName("errorTable")
        self.error_table.setHorizontalHeaderLabels([translate("Transfer", "Row"), translate("Transfer", "Column"),
                                                    translate("Transfer", "Problem")])
        self.error_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.error_table.setAlternatingRowColors(True)
        self.error_table.setWordWrap(True)
        self.error_table.verticalHeader().hide()
        self.error_table.setStyleSheet("QTableWidget::item { padding: 3px 4px; }")  # long reasons need air
        header = self.error_table.horizontalHeader()
        header.setSectionResizeMode(ROW, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(REASON, QHeaderView.ResizeMode.Stretch)
        self.report_button = QPushButton(translate("Transfer", "Save error report…"), self)
        self.report_button.setObjectName("saveReportButton")
        self.report_button.setToolTip(translate("Transfer", "An Excel file of the bad rows with a reason column "
                                                            "and the bad cells marked red, to correct and import again"))
        self.recheck_button = QPushButton(translate("Transfer", "Check again"), self)
        self.recheck_button.setObjectName("recheckButton")
        self.only_valid_check = QCheckBox(translate("Transfer", "Import only the valid rows"), self)
        self.only_valid_check.setObjectName("onlyValidCheck")
        self.update_check = QCheckBox(self)  # its text names the module's key (initializePage)
        self.update_check.setObjectName("updateByKeyCheck")
        self.update_check.setToolTip(translate("Transfer", "Otherwise such rows are reported as duplicates"))
        self.values_panel = ValueMappingPanel(wizard, self)
        self.updates_table = QTableWidget(0, 3, self)
        self.updates_table.setObjectName("updatesTable")
        self.updates_table.setHorizontalHeaderLabels([translate("Transfer", "Row"), translate("Transfer", "Record"),
                                                      translate("Transfer", "Changes")])
        self.updates_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.updates_table.verticalHeader().hide()
        updates_header = self.updates_table.horizontalHeader()
        # the record as the file names it in full ("王小明（北京星辰软件有限公司、13812345678）"), the changes beside it
        updates_header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        updates_header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        updates_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.updates_table.hide()
        self.report_label = QLabel(self)
        self.report_label.setObjectName("reportLabel")
        self.report_label.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(self.only_valid_check)
        actions.addStretch(1)
        actions.addWidget(self.recheck_button)
        actions.addWidget(self.report_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.task)
        layout.addWidget(self.values_panel, 100)
        layout.addWidget(self.error_table, 100)
        layout.addWidget(self.updates_table, 100)
        # on a line of its own: its text names the key in full ("Rows with the customer, name and phone of an
        # existing contact update that contact"), cut off beside the other checkbox at the wizard's 820 px
        layout.addWidget(self.update_check)
        layout.addLayout(actions)
        layout.addWidget(self.report_label)
        # While checking (or when all is well) the tables are hidden: the space goes below, and the summary
        # and progress stay at the top instead of floating mid-page.
        layout.addStretch(1)

        self.report_button.clicked.connect(self._on_report_button_clicked)
        self.recheck_button.clicked.connect(self.start_check)
        self.only_valid_check.toggled.connect(self._on_only_valid_check_toggled)
        self.update_check.toggled.connect(self._on_update_check_toggled)
        self.values_panel.applied.connect(self.start_check)
        self.task.running_changed.connect(self._on_task_running_changed)

    # ------------------------------------------------------------- wizard

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        """Check with the mapping just chosen."""
        self._wizard.mapping = self._wizard.mapping_page.mapping()
        # "Update by key" only where rows can name an existing record (customers by code, contacts by customer,
        # name and phone; not payments), and only when the file's columns of that key are all mapped: offered
        # elsewhere it would promise updates the import never makes.
        keys = self._wizard.keys
        has_key = bool(keys) and set(keys) <= set(self._wizard.mapping.values())
        if has_key:
            self.update_check.setText(update_label(self._wizard.module, keys, self._wizard.lang))
        if not has_key:
            self.update_check.blockSignals(True)  # (the check starts below, once)
            self.update_check.setChecked(False)
            self.update_check.blockSignals(False)
        self.update_check.setVisible(has_key)
        self.start_check()

    def cleanupPage(self) -> None:  # noqa: N802 - Qt override
        """Going back: stop a check still running (its answer no longer matters)."""
        self.task.cancel()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        """"Import" is possible when every row is valid, or the user chose to import the valid ones."""
        check = self._wizard.check
        if check is None or self.task.running:
            return False
        if not check.errors:
            return check.valid_rows > 0
        return self.only_valid_check.isChecked() and check.valid_rows > 0

    def start_check(self) -> None:
        """Run the dry run in the background."""
        wizard = self._wizard
        wizard.check = None
        self._show_check(None)
        self.summary_label.setText(translate("Transfer", "Checking %1 rows…").replace(
            "%1", f"{wizard.source.row_count:,}"))
        self.task.start(self._check, wizard.imports, wizard.module, wizard.source, wizard.mapping, dict(wizard.value_map),
                        self.update_check.isChecked(),
                        done=self._on_check_done, failed=self._on_check_failed, cancelled=self._on_check_cancelled)

    @staticmethod
    def _check(imports: Any, module: str, source: Any, mapping: dict, value_map: dict, update_by_key: bool, *,
               progress: Any) -> Any:
        """The dry run (background)."""
        return imports.check(module, source.path, mapping, sheet=source.sheet, header_row=source.header_row,
                             value_map=value_map, update_by_key=update_by_key, progress=progress)

    # ------------------------------------------------------------ display

    def _show_check(self, check: Any) -> None:
        errors = list(check.errors) if check is not None else []
        self.error_table.setRowCount(len(errors))
        for i, error in enumerate(errors):
            row = QTableWidgetItem(str(error.row))
            row.setData(Qt.ItemDataRole.UserRole, error.row)  # the number itself, for sorting and tests
            self.error_table.setItem(i, ROW, row)
            self.error_table.setItem(i, COLUMN, QTableWidgetItem(self._column_text(error)))
            reason = QTableWidgetItem(error.message(self._wizard.lang))
            reason.setToolTip(reason.text())  # a long reason cut at the window's edge is read whole here
            self.error_table.setItem(i, REASON, reason)
        self.error_table.setVisible(bool(errors))
        self._show_updates(check.updates if check is not None else [], check.companions if check is not None else [])
        self.error_table.resizeRowsToContents()
        self.error_table.setCurrentItem(None)
        bad = check is not None and bool(errors)
        self.report_button.setVisible(bad)
        self.only_valid_check.setVisible(bad and check.valid_rows > 0)
        self.only_valid_check.setChecked(False)
        self.recheck_button.setVisible(False)
        self.report_label.clear()
        self.completeChanged.emit()

    def _show_updates(self, updates: list[Any], companions: list[Any]) -> None:
        """The preview: each row that changes an existing record, with its fields' old and new values; under
        it, the contact the row gives (a customer's row): his changes, or a new contact on that customer."""
        lang = self._wizard.lang
        labels = {f.name: f.label(lang) for f in self._wizard.fields}
        # (row, 0) the record, (row, 1) its contact: in file order, the contact under his customer
        lines = sorted([*((u.row, 0, u) for u in updates), *((u.row, 1, u) for u in companions)],
                       key=lambda item: item[:2])
        self.updates_table.setRowCount(len(lines))
        for i, (_row, _part, u) in enumerate(lines):
            self.updates_table.setItem(i, 0, QTableWidgetItem(str(u.row)))
            self.updates_table.setItem(i, 1, QTableWidgetItem(f"{u.title} ({u.key_en or u.key})" if lang.startswith("en")
                                                              else f"{u.title}（{u.key}）"))
            # the module's own fields, then its custom fields, each under the label the mapping page shows
            # (a contact's under the contact's: "联系人职位")
            prefix = f"{u.module}." if u.module else ""
            pairs = [*u.changes.items(), *u.custom_changes.items()]
            changes = "；".join(f"{labels.get(prefix + n, n)}: {'' if old is None else old} → "
                               f"{'' if new is None else new}" for n, (old, new) in pairs)
            if u.new:
                changes = translate("Transfer", "New contact of this customer: %1").replace("%1", changes)
            self.updates_table.setItem(i, 2, QTableWidgetItem(changes or translate("Transfer", "no change")))
        self.updates_table.setVisible(bool(lines))

    def _column_text(self, error: Any) -> str:
        headers = self._wizard.source.headers
        if error.column is not None and 0 <= error.column < len(headers):
            return f"{column_letter(error.column)}  {headers[error.column]}"
        field = next((f for f in self._wizard.fields if f.name == error.field), None)
        return field.label(self._wizard.lang) if field is not None else "—"

    def _summary(self, check: Any) -> str:
        if check.updates and not check.errors:
            text = translate("Transfer", "All %1 rows are valid: %2 to create, %3 to change (listed below). "
                                         "Press Import to save them.").replace(
                "%1", f"{check.total_rows:,}").replace("%2", f"{check.creates:,}").replace("%3", f"{len(check.updates):,}")
            if check.companions:  # the contacts given on those rows: none dropped
                new = sum(1 for u in check.companions if u.new)
                text += "\n" + translate("Transfer", "Contacts on those rows: %1 updated, %2 added to their "
                                                      "customers.").replace(
                    "%1", f"{len(check.companions) - new:,}").replace("%2", f"{new:,}")
            return text
        if not check.errors:
            if check.total_rows == 1:
                return translate("Transfer", "The row is valid. Press Import to save it.")
            return translate("Transfer", "All %1 rows are valid. Press Import to save them.").replace(
                "%1", f"{check.total_rows:,}")
        bad_rows = check.total_rows - check.valid_rows
        if not check.valid_rows:  # "or import only the 0 valid rows" offered nothing
            return translate("Transfer", "None of the %1 rows can be imported yet: correct the problems listed "
                                         "below and check again.").replace("%1", f"{check.total_rows:,}")
        text = translate("Transfer", "%1 of %2 rows have problems (listed below). Nothing is imported while "
                                     "any row is wrong: correct the file and check again, or import only the "
                                     "%3 valid rows.")
        return text.replace("%1", f"{bad_rows:,}").replace("%2", f"{check.total_rows:,}").replace(
            "%3", f"{check.valid_rows:,}")

    # --------------------------------------------------------------- slots

    def _on_check_done(self, check: Any) -> None:
        self._wizard.check = check
        self.summary_label.setText(self._summary(check))
        self.summary_label.setStyleSheet("" if not check.errors else "color: #b3261e;")
        self._show_check(check)
        self.values_panel.refresh()

    def _on_check_failed(self, exc: BaseException) -> None:
        self.summary_label.setText(translate("Transfer", "The check could not be completed."))
        self.recheck_button.setVisible(True)
        present_error(self, exc, self._wizard.lang)

    def _on_check_cancelled(self) -> None:
        self.summary_label.setText(translate("Transfer", "Check cancelled."))
        self.recheck_button.setVisible(True)

    def _on_task_running_changed(self, _running: bool) -> None:
        self.completeChanged.emit()

    def _on_only_valid_check_toggled(self, _checked: bool) -> None:
        self.completeChanged.emit()

    def _on_update_check_toggled(self, _checked: bool) -> None:
        self.start_check()

    def _on_report_button_clicked(self) -> None:
        wizard = self._wizard
        suggested = translate("Transfer", "%1 - errors.xlsx").replace("%1", Path(wizard.source.path).stem)
        path = file_dialogs.choose_save_path(self, translate("Transfer", "Save the error report"), suggested, "xlsx")
        if not path:
            return
        self.report_button.setEnabled(False)
        report = partial(wizard.imports.write_error_report, sheet=wizard.source.sheet, header_row=wizard.source.header_row)
        run_in_background(report, wizard.source.path, wizard.check, path, wizard.lang, done=lambda _none: self._on_report_saved(path), failed=self._on_report_failed)

    def _on_report_saved(self, path: str) -> None:
        self.report_button.setEnabled(True)
        self.report_label.setText(translate("Transfer", "Error report saved: %1").replace("%1", path))

    def _on_report_failed(self, exc: BaseException) -> None:
        self.report_button.setEnabled(True)
        present_error(self, exc, self._wizard.lang)
