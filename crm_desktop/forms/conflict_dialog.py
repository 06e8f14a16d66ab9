"""The conflict dialog: someone else saved the record first; compare field by field and decide.

Shown by :class:`~crm_desktop.forms.record_form.RecordForm` when a save raises
:class:`crm_core.errors.ConcurrencyConflict`. Each row is a field whose value in
the form differs from the value now stored; the user picks per row which to
keep, or takes one of the shortcuts. The dialog only decides: the form saves
(on top of the other user's version) or reloads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QHeaderView, QLabel,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from crm_core.metadata import Field
from crm_desktop.forms.editors import editor_text
from crm_desktop.grid.display import DictionaryLabels, display_text

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

KEPT_BRUSH = QBrush(QColor("#dff0d8"))  # the value that will be kept
COLUMN_FIELD, COLUMN_MINE, COLUMN_THEIRS, COLUMN_KEEP = range(4)


@dataclass(frozen=True)
class ConflictRow:
    """One field that differs between the form and the stored record.

    Attributes:
        name: the field name.
        label: the field label in the user's language.
        mine / theirs: the values as the service takes them.
        mine_text / theirs_text: the values as the user reads them.
        keep_mine: the row's initial choice (True where the user changed the field).
    """

    name: str
    label: str
    mine: Any
    mine_text: str
    theirs: Any
    theirs_text: str
    keep_mine: bool


def differing_rows(fields: Iterable[Field], editors: Mapping[str, Any], current: Mapping[str, Any],
                   changed: set[str], lang: str, labels: DictionaryLabels | None) -> list[ConflictRow]:
    """The rows of the dialog: fields whose value in the form differs from the stored one.

    Args:
        fields: the fields the user may edit.
        editors: the form's editors by field name.
        current: the record as the other user saved it.
        changed: fields the user changed (their rows start on "Mine", the others on "Theirs").
        lang: "zh_CN" or "en".
        labels: dictionary labels.
    """
    rows = []
    for field in fields:
        editor = editors[field.name]
        mine, theirs = editor.value(), current.get(field.name)
        if mine != theirs:
            rows.append(ConflictRow(field.name, field.label(lang), mine, editor_text(editor), theirs,
                                    display_text(field, current, lang, labels), field.name in changed))
    return rows


class ConflictDialog(QDialog):
    """Both versions side by side, with Reload, Overwrite and Merge.

    Args:
        rows: the differing fields.
        message: crm_core's conflict message, in the user's language.
        saved_by: who saved the other version.
        saved_at: when (local time, as text).
        parent: the form.

    Signals:
        resolved(str, dict): ``"reload"`` (and ``{}``), ``"overwrite"`` or ``"merge"`` with
            ``{field: value}`` to put in the form before saving again.
    """

    resolved = Signal(str, dict)

    def __init__(self, rows: list[ConflictRow], *, message: str, saved_by: str, saved_at: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.rows = list(rows)
        self.setObjectName("conflictDialog")
        self.setWindowTitle(translate("ConflictDialog", "Changed by someone else"))
        intro = QLabel("\n".join([message, translate(
            "ConflictDialog", "Choose for each field which value to keep, then save. Nothing you typed is lost "
                              "unless you choose Reload.")]), self)
        intro.setObjectName("conflictMessage")
        self.intro = intro
        intro.setWordWrap(True)

        self.table = QTableWidget(len(self.rows), 4, self)
        self.table.setObjectName("conflictTable")
        self.table.setHorizontalHeaderLabels([
            translate("ConflictDialog", "Field"),
            translate("ConflictDialog", "Your value"),
            translate("ConflictDialog", "Their value") + "\n" + translate(
                "ConflictDialog", "(saved by %1 at %2)").replace("%1", saved_by).replace("%2", saved_at),
            translate("ConflictDialog", "Keep"),
        ])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the Keep choices, not the cells
        self.keep_boxes: list[QComboBox] = []
        for r, row in enumerate(self.rows):
            self.table.setItem(r, COLUMN_FIELD, QTableWidgetItem(row.label))
            for column, text in ((COLUMN_MINE, row.mine_text), (COLUMN_THEIRS, row.theirs_text)):
                item = QTableWidgetItem(text or translate("ConflictDialog", "(empty)"))
                item.setToolTip(text)
                if not text:
                    item.setForeground(QBrush(QColor("#777777")))
                self.table.setItem(r, column, item)
            box = QComboBox(self.table)
            box.addItem(translate("ConflictDialog", "Mine"), True)
            box.addItem(translate("ConflictDialog", "Theirs"), False)
            box.setCurrentIndex(0 if row.keep_mine else 1)
            box.currentIndexChanged.connect(lambda _i, r=r: self._on_keep_box_changed(r))
            self.table.setCellWidget(r, COLUMN_KEEP, box)
            self.keep_boxes.append(box)
            self._on_keep_box_changed(r)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(COLUMN_FIELD, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMN_MINE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COLUMN_THEIRS, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COLUMN_KEEP, QHeaderView.ResizeMode.ResizeToContents)
        self.table.resizeColumnToContents(COLUMN_FIELD)
        header.setSectionResizeMode(COLUMN_FIELD, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(COLUMN_FIELD, header.sectionSize(COLUMN_FIELD) + 16)  # breathing room
        self.table.resizeRowsToContents()
        self.table.setMinimumHeight(self.table.horizontalHeader().height() + 4
                                    + sum(self.table.rowHeight(r) for r in range(len(self.rows))))

        self.buttons = QDialogButtonBox(self)
        self.reload_button = self.buttons.addButton(translate("ConflictDialog", "&Reload (discard mine)"),
                                                    QDialogButtonBox.ButtonRole.DestructiveRole)
        self.overwrite_button = self.buttons.addButton(translate("ConflictDialog", "&Overwrite with mine"),
                                                       QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button = self.buttons.addButton(translate("ConflictDialog", "Save &chosen values"),
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(translate("ConflictDialog", "Back to the form"))
        self.merge_button.setDefault(True)
        self.reload_button.setToolTip(translate("ConflictDialog", "Discard your changes and show the saved record."))
        self.overwrite_button.setToolTip(translate("ConflictDialog", "Save every value of yours over theirs."))
        self.merge_button.setToolTip(translate("ConflictDialog", "Save the values chosen in the Keep column."))
        self.reload_button.clicked.connect(self._on_reload_button_clicked)
        self.overwrite_button.clicked.connect(self._on_overwrite_button_clicked)
        self.merge_button.clicked.connect(self._on_merge_button_clicked)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        # Both value columns share the width: wide enough that "(saved by … at …)" is not cut off.
        their_header = self.table.horizontalHeaderItem(COLUMN_THEIRS).text().split("\n")
        widest = max(self.fontMetrics().horizontalAdvance(line) for line in their_header)
        self.resize(max(760, 2 * widest + 320), self.sizeHint().height())

    # ------------------------------------------------------------ interface

    def field_names(self) -> list[str]:
        """Names of the fields listed, in order."""
        return [row.name for row in self.rows]

    def keep_mine(self, name: str, keep: bool) -> None:
        """Choose for field ``name`` whether to keep the user's value (as the Keep column does)."""
        self.keep_boxes[self.field_names().index(name)].setCurrentIndex(0 if keep else 1)

    def chosen_values(self) -> dict[str, Any]:
        """``{field: value}`` as chosen in the Keep column."""
        return {row.name: (row.mine if box.currentData() else row.theirs)
                for row, box in zip(self.rows, self.keep_boxes)}

    # ----------------------------------------------------------------- slots

    def _on_keep_box_changed(self, r: int) -> None:
        mine = bool(self.keep_boxes[r].currentData())
        for column, kept in ((COLUMN_MINE, mine), (COLUMN_THEIRS, not mine)):
            item = self.table.item(r, column)
            item.setBackground(KEPT_BRUSH if kept else QBrush())
            font = item.font()
            font.setBold(kept)
            item.setFont(font)

    def _on_reload_button_clicked(self) -> None:
        self.resolved.emit("reload", {})
        self.accept()

    def _on_overwrite_button_clicked(self) -> None:
        self.resolved.emit("overwrite", {row.name: row.mine for row in self.rows})
        self.accept()

    def _on_merge_button_clicked(self) -> None:
        self.resolved.emit("merge", self.chosen_values())
        self.accept()

