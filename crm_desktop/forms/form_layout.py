"""How a record form lays out its fields: two columns where fields are short, system fields as text.

A form with many fields puts its short fields side by side (label, editor, label,
editor) and gives long texts the whole width, so that a customer or a ticket fits
on a 1366×768 screen without scrolling. Fields the system fills in (codes, statuses,
results, times) are shown as plain text, not as grey input boxes; on a new record the
ones that only a later step fills (a ticket's result, its resolution time) are left
out, and a workflow status shows where the record starts.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from crm_core.metadata import Field, FieldType
from crm_desktop.forms.styles import ERROR_STYLE, REQUIRED_MARK

translate = QCoreApplication.translate

TWO_COLUMNS_FROM = 8  # fields; fewer fit in one column
# System fields look like text: no frame, no box, normal text colour, no drop-down arrow.
SYSTEM_FIELD_STYLE = """
*[systemField="true"] { border: none; background: transparent; color: palette(text); }
QComboBox[systemField="true"]::drop-down { width: 0px; border: none; }
QComboBox[systemField="true"]::down-arrow { image: none; }
"""


class FieldGrid:
    """Places label/editor pairs in one or two columns of a :class:`QGridLayout`.

    Args:
        grid: the layout to fill.
        field_count: how many fields the form has (decides one or two columns).
    """

    def __init__(self, grid: QGridLayout, field_count: int):
        self.grid = grid
        self.pairs = 2 if field_count >= TWO_COLUMNS_FROM else 1
        self._row, self._column = 0, 0
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        for pair in range(self.pairs):
            grid.setColumnStretch(pair * 2 + 1, 1)

    def add(self, label: QLabel, cell: QWidget, *, wide: bool) -> None:
        """Add one field: ``wide`` ones (long texts) take a whole row."""
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        label.setContentsMargins(0, 4, 0, 0)  # level with the editor's text
        if wide and self._column:
            self._row, self._column = self._row + 1, 0
        self.grid.addWidget(label, self._row, self._column * 2)
        span = self.pairs * 2 - 1 if wide else 1
        self.grid.addWidget(cell, self._row, self._column * 2 + 1, 1, span)
        self._column = 0 if wide else self._column + 1
        if wide or self._column == self.pairs:
            self._row, self._column = self._row + 1, 0


def is_wide(field: Field) -> bool:
    """Long texts get the whole width of the form."""
    return field.type is FieldType.MULTILINE


def new_record_shows(field: Field) -> str:
    """How a new record shows a system field: "start" (a workflow status: its first choice, where
    every record starts), "generated" (a code the save generates) or "hidden" (a result or time
    that a later step fills in)."""
    if field.type is FieldType.CHOICE and field.choices:
        return "start"
    if field.type is FieldType.TEXT:
        return "generated"
    return "hidden"


def field_label(field: Field, lang: str, editor: QWidget, parent: QWidget) -> QLabel:
    """The field's label, with the red * of a required field."""
    label = QLabel(html.escape(field.label(lang)) + (REQUIRED_MARK if field.required else ""), parent)
    label.setObjectName(f"{field.name}Label")
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setBuddy(editor)
    if field.required:
        label.setToolTip(translate("RecordForm", "Required"))
    return label


def error_label(field: Field, parent: QWidget) -> QLabel:
    """The room for the field's error, under its editor (hidden until there is one)."""
    error = QLabel(parent)
    error.setObjectName(f"{field.name}Error")
    error.setStyleSheet(ERROR_STYLE)
    error.setWordWrap(True)
    error.hide()
    return error


def field_cell(editor: QWidget, error: QLabel, parent: QWidget) -> QWidget:
    """The editor with its error under it, as one widget of the grid."""
    cell = QWidget(parent)
    column = QVBoxLayout(cell)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(editor)
    column.addWidget(error)
    return cell


def show_as_system_field(field: Field, editor: Any, label: QLabel, cell: QWidget, *, new_record: bool) -> bool:
    """A field the system fills in: text, not an input box; on a new record as :func:`new_record_shows` says.

    Returns:
        False when the field is left out (hidden, not to be placed in the grid).
    """
    editor.set_read_only(True)
    editor.setProperty("systemField", True)  # SYSTEM_FIELD_STYLE
    if field.type is FieldType.MULTILINE:
        editor.setMaximumHeight(64)  # a result to read, not room to type
    if not new_record:
        return True
    shows = new_record_shows(field)
    if shows == "start":
        editor.set_value(field.choices[0].code)
    elif shows == "generated" and isinstance(editor, QLineEdit):
        editor.setPlaceholderText(translate("RecordForm", "Generated when saved"))
    else:
        label.hide()
        cell.hide()
        return False
    return True
