"""A small form of named fields with an error line under each (the settings' own dialogs).

The generic :class:`~crm_desktop.forms.RecordForm` covers records; the few
settings screens that are not records (a new user with a password, a password
reset, changing one's own password) use this instead, with the same look.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from crm_desktop.forms.record_form import ERROR_STYLE, REQUIRED_MARK

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate


def password_edit(parent: QWidget) -> QLineEdit:
    """A line edit that hides what is typed."""
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def mismatch_message() -> str:
    """The error shown when the two typed passwords differ."""
    return translate("Settings", "The two passwords do not match")


class FieldForm(QWidget):
    """A :class:`QFormLayout` whose rows carry an error label under their widget.

    Rows are named like the fields crm_core reports (``password``, ``login``...),
    so a :class:`~crm_core.errors.ValidationError` lands under the right widget.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout_.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.layout_.setVerticalSpacing(8)
        self.widgets: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}

    def add(self, name: str, label: str, widget: QWidget, *, required: bool = False) -> QWidget:
        """Add a row ``name`` labelled ``label``; returns ``widget``."""
        widget.setObjectName(f"{name}Edit")
        caption = QLabel(html.escape(label) + (REQUIRED_MARK if required else ""), self)
        caption.setTextFormat(Qt.TextFormat.RichText)
        caption.setBuddy(widget)
        error = QLabel(self)
        error.setObjectName(f"{name}Error")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(error)
        self.layout_.addRow(caption, column)
        self.widgets[name], self.error_labels[name] = widget, error
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(lambda _text, n=name: self.error_labels[n].hide())
        return widget

    def error(self, name: str) -> str:
        """The error shown under ``name`` ("" when none)."""
        label = self.error_labels[name]
        return "" if label.isHidden() else label.text()

    def clear_errors(self) -> None:
        """Hide every error line."""
        for label in self.error_labels.values():
            label.clear()
            label.hide()

    def set_error(self, name: str, message: str) -> None:
        """Show ``message`` under ``name`` (added to what is there) and focus the widget."""
        label = self.error_labels[name]
        label.setText("\n".join(t for t in (label.text() if not label.isHidden() else "", message) if t))
        label.show()
        self.widgets[name].setFocus()

    def show_validation(self, exc: object, lang: str, aliases: dict[str, str] | None = None) -> list[str]:
        """Put each error of a ValidationError under its field.

        Args:
            exc: a :class:`crm_core.errors.ValidationError`.
            lang: "zh_CN" or "en".
            aliases: crm_core field name -> row name, where they differ.

        Returns:
            Messages of errors that belong to no row here (to show elsewhere).
        """
        self.clear_errors()
        general: list[str] = []
        for err in getattr(exc, "errors", []):
            name = (aliases or {}).get(err.field, err.field)
            if name in self.error_labels:
                self.set_error(name, err.message(lang))
            else:
                general.append(err.message(lang))
        first = next((n for n in self.widgets if self.error(n)), None)
        if first:
            self.widgets[first].setFocus()
        return general
