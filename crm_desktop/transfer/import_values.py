"""The value-mapping step of the import wizard: the file's own words for choice fields, each once.

Shown on the check page when a choice column holds values that are none of
the field's choices ("IT/互联网" for 信息技术): one line per distinct value with
how many rows use it, a combo of the field's entries, and — for roles that
may edit the dictionary — "Add to the dictionary". Each answer ends up in the
wizard's ``value_map``; the page then checks again.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from crm_desktop.background import run_in_background
from crm_desktop.errors import present_error
from crm_desktop.transfer.texts import translate

if TYPE_CHECKING:
    from crm_desktop.transfer.import_wizard import ImportWizard

FIELD, VALUE, ROWS, TARGET, ADD = range(5)
# The shade of a value whose choice is crm_core's guess, until the user picks one himself (and of the legend's swatch).
GUESS_TINT = "#fff1c2"


def _load(imports: Any, module: str, path: Any, mapping: dict, sheet: str | None, header_row: int,
          value_map: dict, lang: str) -> tuple[list[Any], dict[str, list[tuple[str, str]]], bool]:
    """The unknown values, each of their fields' choices, and whether the user may add entries (background)."""
    unknown = imports.unknown_values(module, path, mapping, sheet=sheet, header_row=header_row, value_map=value_map)
    choices = {name: imports.choices(module, name, lang) for name in {u.field for u in unknown}}
    return unknown, choices, imports.may_add_choices()


class ValueMappingPanel(QWidget):
    """Lists unknown values of choice columns; ``applied`` when the user's answers should be checked again."""

    applied = Signal()

    def __init__(self, wizard: ImportWizard, parent: QWidget | None = None):
        super().__init__(parent)
        self._wizard = wizard
        self.unknown: list[Any] = []
        self.combos: list[QComboBox] = []
        self._choices: dict[str, list[tuple[str, str]]] = {}
        self.title_label = QLabel(self)
        self.title_label.setObjectName("valueMappingTitle")
        self.title_label.setWordWrap(True)
        # A guessed choice looked exactly like a confirmed one, and one click accepted every guess.
        self.legend_label = QLabel(self)
        self.legend_label.setObjectName("valueGuessLegend")
        self.legend_label.setWordWrap(True)
        self.legend_label.setTextFormat(Qt.TextFormat.RichText)
        self.legend_label.hide()
        self.guessed: set[int] = set()  # rows whose combo still shows crm_core's guess, not the user's choice
        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("valueMappingTable")
        self.table.setHorizontalHeaderLabels([translate("Transfer", "Field"), translate("Transfer", "Value in the file"),
                                              translate("Transfer", "Rows"), translate("Transfer", "Import as"), ""])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Stretch)
        self.apply_button = QPushButton(translate("Transfer", "Use these values and check again"), self)
        self.apply_button.setObjectName("applyValuesButton")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title_label)
        layout.addWidget(self.legend_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.apply_button.clicked.connect(self._on_apply_button_clicked)
        self.hide()

    def refresh(self) -> None:
        """Look for unknown values with the current mapping and answers (background)."""
        w = self._wizard
        run_in_background(_load, w.imports, w.module, w.source.path, w.mapping, w.source.sheet, w.source.header_row,
                          w.value_map, w.lang, done=self._on_loaded, failed=lambda exc: present_error(self, exc, w.lang))

    def _field(self, name: str) -> Any:
        return next((f for f in self._wizard.fields if f.name == name), None)

    def _label(self, name: str) -> str:
        field = self._field(name)
        return field.label(self._wizard.lang) if field is not None else name

    def _on_loaded(self, result: tuple[list[Any], dict[str, list[tuple[str, str]]], bool]) -> None:
        self.unknown, choices, may_add = result
        self._choices = choices
        self.setVisible(bool(self.unknown))
        text = (translate("Transfer", "1 value in the file is not among the choices. Choose what it means:")
                if len(self.unknown) == 1 else
                translate("Transfer", "%1 values in the file are not among the choices. Choose what each one means:"))
        self.title_label.setText(text.replace("%1", str(len(self.unknown))))
        self.table.setRowCount(len(self.unknown))
        self.combos = []
        self.guessed = set()
        for i, u in enumerate(self.unknown):
            self.table.setItem(i, FIELD, QTableWidgetItem(self._label(u.field)))
            self.table.setItem(i, VALUE, QTableWidgetItem(u.text))
            self.table.setItem(i, ROWS, QTableWidgetItem(f"{u.count:,}"))
            combo = QComboBox(self.table)
            combo.setObjectName(f"valueCombo_{i}")
            combo.addItem(translate("Transfer", "(leave as an error)"), None)
            for code, label in choices.get(u.field, []):
                combo.addItem(label, code)
            # crm_core's guess ("A类" -> A), for the user to confirm or change; not again once he turned it down.
            # Marked as one ("A（建议）", the value shaded) until he picks an entry himself.
            guess = combo.findData(u.suggestion) if u.suggestion else -1
            if guess > 0 and (u.field, u.text) not in self._wizard.declined:
                combo.setItemText(guess, translate("Transfer", "%1 (suggested)").replace("%1", combo.itemText(guess)))
                combo.setCurrentIndex(guess)
                self.table.item(i, VALUE).setBackground(QBrush(QColor(GUESS_TINT)))
                self.table.item(i, VALUE).setToolTip(translate("Transfer", "A likely match, preselected: check it"))
                self.guessed.add(i)
            combo.activated.connect(lambda _index, row=i: self._on_combo_activated(row))
            self.table.setCellWidget(i, TARGET, combo)
            self.combos.append(combo)
            # Only for those who may edit the dictionary, and only where there is one: 重要级别's A/B/C are
            # fixed. (A button hidden before setCellWidget is shown again by it: a salesman saw one that failed.)
            field = self._field(u.field)
            if may_add and field is not None and field.dictionary:
                add = QPushButton(translate("Transfer", "Add to the dictionary"), self.table)
                add.setObjectName(f"addValueButton_{i}")
                add.clicked.connect(lambda _checked=False, row=i: self._add(row))
                self.table.setCellWidget(i, ADD, add)
        self._show_legend()
        self.table.resizeColumnsToContents()
        # Cell widgets do not size their columns: "(leave as an error)" and the button were cut off.
        buttons = [w for i in range(len(self.unknown)) if (w := self.table.cellWidget(i, ADD)) is not None]
        for column, widgets in ((TARGET, self.combos), (ADD, buttons)):
            if widgets:
                self.table.setColumnWidth(column, max(w.sizeHint().width() for w in widgets) + 8)

    def _show_legend(self) -> None:
        """Say how many guesses are left to check, and how they look (hidden when none)."""
        self.legend_label.setVisible(bool(self.guessed))
        text = translate("Transfer", "Likely matches preselected for you: %1, marked “(suggested)” and shaded. Check "
                                     "each one: where it is wrong, choose another entry or “(leave as an error)”.")
        swatch = f'<span style="background-color:{GUESS_TINT}">&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp;'
        self.legend_label.setText(swatch + html.escape(text.replace("%1", str(len(self.guessed)))))

    def _on_combo_activated(self, row: int) -> None:
        """The user picked an entry himself (the guessed one too): no longer shown as a guess."""
        if row not in self.guessed:
            return
        self.guessed.discard(row)
        u, combo = self.unknown[row], self.combos[row]
        label = next((label for code, label in self._choices.get(u.field, []) if code == u.suggestion), None)
        if label is not None:
            combo.setItemText(combo.findData(u.suggestion), label)
        self.table.item(row, VALUE).setBackground(QBrush())
        self.table.item(row, VALUE).setToolTip("")
        self._show_legend()

    def _add(self, row: int) -> None:
        u = self.unknown[row]
        w = self._wizard
        run_in_background(w.imports.add_choice, w.module, u.field, u.text,
                          done=lambda code: self._on_added(row, code), failed=lambda exc: present_error(self, exc, w.lang))

    def _on_added(self, row: int, code: str) -> None:
        u = self.unknown[row]
        self._wizard.value_map.setdefault(u.field, {})[u.text] = code
        self._remember_declined()  # the list is shown anew: a guess turned down on another row stays so
        self.applied.emit()

    def _remember_declined(self) -> None:
        """A suggestion left on "(leave as an error)" was turned down: the next listing must not preselect it.

        (It did, and the next "Use these values" imported A类 as A after the clerk had refused it.)
        """
        for u, combo in zip(self.unknown, self.combos):
            if u.suggestion:
                if combo.currentData() is None:
                    self._wizard.declined.add((u.field, u.text))
                else:
                    self._wizard.declined.discard((u.field, u.text))

    def _on_apply_button_clicked(self) -> None:
        self._remember_declined()
        for u, combo in zip(self.unknown, self.combos):
            if combo.currentData():
                self._wizard.value_map.setdefault(u.field, {})[u.text] = combo.currentData()
        self.applied.emit()
