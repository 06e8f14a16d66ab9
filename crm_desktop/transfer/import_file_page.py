"""Step 1 of the import wizard: which module, which file (with a preview), and the template.

Everything that touches crm_core (the module's fields, reading the file, the
automatic column mapping, writing the template) runs in the background; a
generation counter drops answers that belong to a module or file the user has
since replaced.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWizardPage)

from crm_core.permissions import MODULE_NAMES
from crm_desktop.background import run_in_background
from crm_desktop.errors import present_error
from crm_desktop.transfer import file_dialogs
from crm_desktop.transfer.texts import translate

if TYPE_CHECKING:
    from crm_desktop.transfer.import_wizard import ImportWizard

PREVIEW_ROWS = 20
# How an encoding is named to users: a byte-order mark or the GBK superset mean nothing to them.
_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GBK/GB18030"}


def _module_setup(imports: Any, module: str,
                  headers: list[str] | None) -> tuple[list[Any], dict[int, str | None], tuple[str, ...]]:
    """What the file's columns can fill (the module's fields, its contact's, custom fields), for a file
    already read the suggested mapping, and the fields a row may name an existing record by (background)."""
    targets = imports.targets(module)
    return (list(targets.fields.values()), imports.auto_mapping(module, headers) if headers is not None else {},
            targets.keys)


class FilePage(QWizardPage):
    """Choose the module and the file; shows format, encoding, row count and the first rows."""

    def __init__(self, wizard: ImportWizard):
        """Build the page for ``wizard`` (which holds the services and the import's state)."""
        super().__init__(wizard)
        self._wizard = wizard
        self._generation = 0
        self._ready = False
        self.setTitle(translate("Transfer", "Choose the file"))
        self.setSubTitle(translate("Transfer", "Excel (.xlsx) or CSV, our template or your own list: the row of "
                                               "column names is found below titles; choose another if it is wrong."))
        self.module_combo = QComboBox(self)
        self.module_combo.setObjectName("moduleCombo")
        self.module_combo.addItem(MODULE_NAMES[wizard.module](wizard.lang), wizard.module)
        self.template_button = QPushButton(translate("Transfer", "Save template…"), self)
        self.template_button.setObjectName("templateButton")
        self.file_edit = QLineEdit(self)
        self.file_edit.setObjectName("fileEdit")
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText(translate("Transfer", "No file chosen"))
        self.choose_button = QPushButton(translate("Transfer", "Choose file…"), self)
        self.choose_button.setObjectName("chooseFileButton")
        self.sheet_combo = QComboBox(self)
        self.sheet_combo.setObjectName("sheetCombo")
        self.header_spin = QSpinBox(self)
        self.header_spin.setObjectName("headerRowSpin")
        self.header_spin.setRange(1, 30)
        self.header_spin.setToolTip(translate("Transfer", "The row of the sheet that holds the column names"))
        self.info_label = QLabel(self)
        self.info_label.setObjectName("fileInfoLabel")
        self.info_label.setWordWrap(True)
        self.preview = QTableWidget(self)
        self.preview.setObjectName("previewTable")
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setAlternatingRowColors(True)

        module_row = QHBoxLayout()
        module_row.addWidget(self.module_combo, 1)
        module_row.addWidget(self.template_button)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.choose_button)
        form = QFormLayout()
        form.addRow(translate("Transfer", "Import into:"), module_row)
        form.addRow(translate("Transfer", "File:"), file_row)
        layout_row = QHBoxLayout()
        layout_row.addWidget(self.sheet_combo, 1)
        layout_row.addWidget(QLabel(translate("Transfer", "Column names in row:"), self))
        layout_row.addWidget(self.header_spin)
        form.addRow(translate("Transfer", "Sheet:"), layout_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.info_label)
        layout.addWidget(self.preview, 1)

        self.module_combo.currentIndexChanged.connect(self._on_module_combo_current_index_changed)
        self.template_button.clicked.connect(self._on_template_button_clicked)
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.sheet_combo.activated.connect(self._on_sheet_combo_activated)
        self.header_spin.editingFinished.connect(self._on_header_spin_editing_finished)
        self._set_layout_controls(None)
        self._prepare()

    # --------------------------------------------------------------- state

    def set_modules(self, modules: list[str]) -> None:
        """Offer ``modules`` (those the user may import into), keeping the current choice."""
        current = self._wizard.module
        self.module_combo.blockSignals(True)
        self.module_combo.clear()
        for module in modules:
            self.module_combo.addItem(MODULE_NAMES[module](self._wizard.lang), module)
        self.module_combo.setCurrentIndex(max(0, self.module_combo.findData(current)))
        self.module_combo.blockSignals(False)

    def open_path(self, path: str, *, sheet: str | None = None, header_row: int | None = None) -> None:
        """Read ``path`` (a sheet and header row the user chose, or the ones found) in the background."""
        self.file_edit.setText(path)
        self._wizard.source = None
        self._show_preview(None)
        self.info_label.setText(translate("Transfer", "Reading the file…"))
        self._ready = False
        self.completeChanged.emit()
        self._generation += 1
        gen = self._generation
        run_in_background(partial(self._wizard.imports.open_file, sheet=sheet, header_row=header_row),
                          path, self._wizard.module, done=lambda source: self._on_file_opened(gen, source),
                          failed=lambda exc: self._on_file_failed(gen, exc))

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        """Next is possible once the file is read and the module's fields are known."""
        return self._ready and self._wizard.source is not None

    # ------------------------------------------------------------- helpers

    def _prepare(self) -> None:
        """Load the module's fields (and the mapping for the file read) in the background."""
        self._ready = False
        self.completeChanged.emit()
        self._generation += 1
        gen = self._generation
        source = self._wizard.source
        run_in_background(_module_setup, self._wizard.imports, self._wizard.module,
                          list(source.headers) if source is not None else None,
                          done=lambda result: self._on_prepared(gen, result),
                          failed=lambda exc: self._on_prepare_failed(gen, exc))

    def _show_preview(self, source: Any) -> None:
        self.preview.clear()
        if source is None:
            self.preview.setRowCount(0)
            self.preview.setColumnCount(0)
            return
        rows = source.preview[:PREVIEW_ROWS]
        self.preview.setColumnCount(len(source.headers))
        self.preview.setHorizontalHeaderLabels(list(source.headers))
        self.preview.setRowCount(len(rows))
        # Numbered as in the spreadsheet, like the check's error list.
        self.preview.setVerticalHeaderLabels([str(source.header_row + 1 + r) for r in range(len(rows))])
        for r, values in enumerate(rows):
            for c, value in enumerate(values[:len(source.headers)]):
                self.preview.setItem(r, c, QTableWidgetItem(value))
        self.preview.resizeColumnsToContents()

    def _describe(self, source: Any) -> str:
        if source.format == "xlsx":
            kind = translate("Transfer", "Excel workbook")
        else:
            encoding = _ENCODING_NAMES.get((source.encoding or "utf-8").lower(), source.encoding)
            kind = translate("Transfer", "CSV file (%1)").replace("%1", encoding)
        shown = min(len(source.preview), PREVIEW_ROWS)
        text = (translate("Transfer", "%1: %2 data rows, %3 columns. The first %4 rows are shown below.") if shown
                else translate("Transfer", "%1: %2 data rows, %3 columns."))
        return text.replace("%1", kind).replace("%2", f"{source.row_count:,}").replace(
            "%3", str(len(source.headers))).replace("%4", str(shown))

    # --------------------------------------------------------------- slots

    def _on_file_opened(self, gen: int, source: Any) -> None:
        if gen != self._generation:
            return
        self._wizard.source = source
        self._wizard.value_map = {}  # answers about another file's values do not carry over
        self._wizard.declined = set()
        self._set_layout_controls(source)
        self.info_label.setText(self._describe(source))
        self._show_preview(source)
        self._prepare()  # the mapping depends on the headers just read

    def _on_prepared(self, gen: int, result: tuple[list[Any], dict[int, str | None], tuple[str, ...]]) -> None:
        if gen != self._generation:
            return
        self._wizard.fields, self._wizard.auto_mapping, self._wizard.keys = result
        self._ready = True
        self.completeChanged.emit()

    def _on_file_failed(self, gen: int, exc: BaseException) -> None:
        if gen != self._generation:
            return
        self.info_label.setText(translate("Transfer", "The file could not be used. Choose another one."))
        self._wizard.source = None
        present_error(self, exc, self._wizard.lang)

    def _on_prepare_failed(self, gen: int, exc: BaseException) -> None:
        if gen == self._generation:  # e.g. the right to import was withdrawn meanwhile
            present_error(self, exc, self._wizard.lang)

    def _set_layout_controls(self, source: Any) -> None:
        """Sheet choice (workbooks with several sheets) and the header row found, for the user to correct."""
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        for name in (source.sheets if source is not None else []):
            self.sheet_combo.addItem(name, name)
        if source is not None and source.sheet:
            self.sheet_combo.setCurrentIndex(max(0, self.sheet_combo.findData(source.sheet)))
        self.sheet_combo.blockSignals(False)
        self.sheet_combo.setEnabled(self.sheet_combo.count() > 1)
        self.header_spin.blockSignals(True)
        self.header_spin.setValue(source.header_row if source is not None else 1)
        self.header_spin.blockSignals(False)
        self.header_spin.setEnabled(source is not None)

    def _on_sheet_combo_activated(self, _index: int) -> None:
        source = self._wizard.source
        sheet = self.sheet_combo.currentData()
        if source is not None and sheet and sheet != source.sheet:
            self.open_path(str(source.path), sheet=sheet)  # its own header row is found again

    def _on_header_spin_editing_finished(self) -> None:
        source = self._wizard.source
        if source is not None and self.header_spin.value() != source.header_row:
            self.open_path(str(source.path), sheet=source.sheet, header_row=self.header_spin.value())

    def _on_module_combo_current_index_changed(self, _index: int) -> None:
        module = self.module_combo.currentData()
        if module and module != self._wizard.module:
            self._wizard.module = module
            self._prepare()

    def _on_choose_button_clicked(self) -> None:
        path = file_dialogs.choose_open_path(self, translate("Transfer", "Choose the file to import"))
        if path:
            self.open_path(path)

    def _on_template_button_clicked(self) -> None:
        module_name = MODULE_NAMES[self._wizard.module](self._wizard.lang)
        suggested = translate("Transfer", "%1 import template.xlsx").replace("%1", module_name)
        path = file_dialogs.choose_save_path(self, translate("Transfer", "Save the import template"), suggested, "xlsx")
        if not path:
            return
        self.template_button.setEnabled(False)
        run_in_background(self._wizard.imports.write_template, self._wizard.module, path, self._wizard.lang,
                          done=lambda _none: self._on_template_saved(path),
                          failed=self._on_template_failed)

    def _on_template_saved(self, path: str) -> None:
        self.template_button.setEnabled(True)
        self.info_label.setText(translate("Transfer", "Template saved: %1. Fill it in, then choose it here.")
                                .replace("%1", Path(path).name))

    def _on_template_failed(self, exc: BaseException) -> None:
        self.template_button.setEnabled(True)
        present_error(self, exc, self._wizard.lang)
