"""Step 2 of the import wizard: which field each column of the file goes to.

One row per column of the file, with an example value and a combo of the
module's importable fields ("(skip)" first; required fields marked *). The
automatic mapping (headers matched in either language) is preselected. A field
chosen twice blocks the next step; an unmapped required field is a warning (the
check then reports it on every row, which is what the user needs to see).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHeaderView, QLabel, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWizardPage)

from crm_desktop.transfer.texts import translate

if TYPE_CHECKING:
    from crm_desktop.transfer.import_wizard import ImportWizard

SOURCE, EXAMPLE, TARGET = range(3)


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column (0 -> A, 26 -> AA): how users find a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _required(field: Any) -> bool:
    """Required for every row: the module's own required fields (a contact's name only when a contact is given)."""
    return field.required and "." not in field.name


class MappingPage(QWizardPage):
    """Maps the file's columns to the module's fields."""

    def __init__(self, wizard: ImportWizard):
        """Build an empty page; it is filled when shown (:meth:`initializePage`)."""
        super().__init__(wizard)
        self._wizard = wizard
        self._built_for: tuple[Any, ...] | None = None
        self.combos: list[QComboBox] = []
        self.setTitle(translate("Transfer", "Match the columns"))
        self.setSubTitle(translate("Transfer", "Choose the field each column of the file goes to. "
                                               "Fields marked * are required."))
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("mappingTable")
        self.table.setHorizontalHeaderLabels([translate("Transfer", "Column in the file"),
                                              translate("Transfer", "Example"),
                                              translate("Transfer", "Import as")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # nothing to select here: only the combos matter
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(SOURCE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(EXAMPLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TARGET, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(TARGET, 220)
        self.warning_label = QLabel(self)
        self.warning_label.setObjectName("mappingWarning")
        self.warning_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.warning_label)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        """Fill the table for the chosen module and file (kept as adjusted when coming back)."""
        source = self._wizard.source
        key = (self._wizard.module, source.path, tuple(source.headers))
        if key == self._built_for:
            return
        self._built_for = key
        self.table.setRowCount(len(source.headers))
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        self.combos = []
        for column, header in enumerate(source.headers):
            name = QTableWidgetItem(f"{column_letter(column)}  {header}")
            self.table.setItem(column, SOURCE, name)
            # the first value the column holds among the rows shown: a column blank in the first row (备注)
            # showed no example, and the clerk could not tell what it holds
            example = next((row[column] for row in source.preview if column < len(row) and row[column]), "")
            self.table.setItem(column, EXAMPLE, QTableWidgetItem(example))
            combo = self._field_combo(self._wizard.auto_mapping.get(column))
            combo.setObjectName(f"mapping_{column}")
            self.table.setCellWidget(column, TARGET, combo)
            self.combos.append(combo)
        self._update_warning()

    def cleanupPage(self) -> None:  # noqa: N802 - Qt override
        """Keep the user's choices when he goes back (Qt would reset registered fields)."""

    def mapping(self) -> dict[int, str | None]:
        """Source column index -> field name (None: not imported)."""
        return {column: combo.currentData() for column, combo in enumerate(self.combos)}

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        """Next is possible when at least one column is imported and no field is chosen twice."""
        chosen = [name for name in self.mapping().values() if name]
        return bool(chosen) and not self._duplicates()

    def _field_combo(self, selected: str | None) -> QComboBox:
        combo = QComboBox(self.table)
        combo.addItem(translate("Transfer", "(skip)"), None)
        for field in self._wizard.fields:
            label = field.label(self._wizard.lang)
            combo.addItem(f"{label} *" if _required(field) else label, field.name)
        combo.setCurrentIndex(max(0, combo.findData(selected)) if selected else 0)
        combo.currentIndexChanged.connect(self._on_combo_current_index_changed)
        return combo

    def _duplicates(self) -> list[str]:
        counts = Counter(name for name in self.mapping().values() if name)
        return [name for name, count in counts.items() if count > 1]

    def _label(self, name: str) -> str:
        field = next((f for f in self._wizard.fields if f.name == name), None)
        return field.label(self._wizard.lang) if field is not None else name

    def _update_warning(self) -> None:
        lines = []
        duplicates = self._duplicates()
        if duplicates:
            names = "、".join(self._label(n) for n in duplicates)
            lines.append(translate("Transfer", "Chosen for more than one column: %1. "
                                               "Choose each field only once.").replace("%1", names))
        mapped = set(self.mapping().values())
        missing = [f.label(self._wizard.lang) for f in self._wizard.fields if _required(f) and f.name not in mapped]
        if missing:
            lines.append(translate("Transfer", "Required fields without a column: %1. "
                                               "Every row will be reported as incomplete.")
                         .replace("%1", "、".join(missing)))
        if not any(mapped - {None}):
            lines.append(translate("Transfer", "Choose a field for at least one column."))
        if lines:
            self.warning_label.setText("\n".join(f"⚠ {line}" for line in lines))
            self.warning_label.setStyleSheet("color: #b3261e;" if duplicates else "color: #8a5300;")
        else:  # all well: say what will happen, so a skipped column is not a surprise
            used = sum(1 for name in self.mapping().values() if name)
            headers = self._wizard.source.headers
            # a column without a header is named by its letter alone ("N", not "N ")
            skipped = [f"{column_letter(c)} {headers[c].strip()}".rstrip() for c, name in self.mapping().items()
                       if not name]
            text = (translate("Transfer", "%1 of %2 columns will be imported. Not imported: %3.") if skipped
                    else translate("Transfer", "%1 of %2 columns will be imported."))
            self.warning_label.setText(text.replace("%1", str(used)).replace("%2", str(len(self.combos)))
                                       .replace("%3", (", " if self._wizard.lang.startswith("en") else "、")
                                                .join(skipped)))
            self.warning_label.setStyleSheet("")
        self.completeChanged.emit()

    def _on_combo_current_index_changed(self, _index: int) -> None:
        self._update_warning()
