"""One editor widget per :class:`crm_core.metadata.FieldType`, all with the same small interface.

Every editor exposes ``value()`` (what goes to the service), ``set_value(v)``,
``set_read_only(bool)`` and an ``edited`` signal (the user changed something).
Editors never refuse or rewrite what the user typed beyond the widget's own
limits: a value they cannot parse is handed to crm_core as typed, so its
validation message (in the user's language) is what the user reads.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (QCalendarWidget, QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QMenu,
                               QPlainTextEdit, QToolButton, QWidget, QWidgetAction)

from crm_core.metadata import Field, FieldType
from crm_desktop.grid.display import DictionaryLabels, format_datetime

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

#: Length limits of fixed-format fields that carry no ``max_length``.
_FORMAT_LENGTH = {FieldType.ID_NUMBER: 18, FieldType.CREDIT_CODE: 18, FieldType.EMAIL: 254, FieldType.PHONE: 30}


class TextEditor(QLineEdit):
    """One line of text (text, e-mail, phone, ID number, credit code), limited to the field's length."""

    edited = Signal()

    def __init__(self, field: Field, parent: QWidget | None = None):
        super().__init__(parent)
        limit = field.max_length or _FORMAT_LENGTH.get(field.type)
        if limit:
            self.setMaxLength(limit)
        self.textEdited.connect(self.edited)

    def value(self) -> str | None:
        """The text without surrounding spaces; None when empty."""
        return self.text().strip() or None

    def set_value(self, value: Any) -> None:
        """Show ``value`` (None shows nothing)."""
        self.setText("" if value is None else str(value))
        self.setCursorPosition(0)

    def set_read_only(self, read_only: bool) -> None:
        """Allow or forbid editing (the text stays selectable)."""
        self.setReadOnly(read_only)


class MultilineEditor(QPlainTextEdit):
    """Several lines of text (notes); four lines high."""

    edited = Signal()

    def __init__(self, field: Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 12)  # room to read, not the whole dialog
        self.textChanged.connect(self._on_self_text_changed)
        self._loading = False

    def _on_self_text_changed(self) -> None:
        if not self._loading:
            self.edited.emit()

    def value(self) -> str | None:
        """The text without surrounding blank space; None when empty."""
        return self.toPlainText().strip() or None

    def set_value(self, value: Any) -> None:
        """Show ``value`` (None shows nothing) without counting as an edit."""
        self._loading = True
        try:
            self.setPlainText("" if value is None else str(value))
        finally:
            self._loading = False

    def set_read_only(self, read_only: bool) -> None:
        """Allow or forbid editing."""
        self.setReadOnly(read_only)


class IntegerEditor(TextEditor):
    """A whole number, right-aligned; only digits (and a leading minus) can be typed."""

    def __init__(self, field: Field, parent: QWidget | None = None):
        super().__init__(field, parent)
        self.setMaxLength(19)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"-?\d*"), self))

    def value(self) -> int | str | None:
        """The number; the text as typed when it is not one (crm_core says what is wrong)."""
        text = super().value()
        try:
            return None if text is None else int(text)
        except ValueError:
            return text


class MoneyEditor(TextEditor):
    """An amount with up to two decimals, right-aligned; exact (Decimal, never float)."""

    def __init__(self, field: Field, parent: QWidget | None = None):
        super().__init__(field, parent)
        self.setMaxLength(24)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9,]*(\.[0-9]{0,2})?"), self))
        self.setPlaceholderText("0.00")

    def value(self) -> Decimal | str | None:
        """The amount as a Decimal; the text as typed when it is not one."""
        text = super().value()
        if text is None:
            return None
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:
            return text

    def set_value(self, value: Any) -> None:
        """Show an amount with two decimals and thousands separators."""
        if value is None or value == "":
            self.setText("")
            return
        try:
            self.setText(f"{Decimal(str(value)):,.2f}")
        except InvalidOperation:
            self.setText(str(value))


class DateEditor(QWidget):
    """An optional date: a line edit (YYYY-MM-DD, may stay empty) with a calendar button."""

    edited = Signal()

    def __init__(self, field: Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.line_edit = QLineEdit(self)
        self.line_edit.setMaxLength(10)
        self.line_edit.setPlaceholderText(translate("Editors", "YYYY-MM-DD"))
        self.line_edit.textEdited.connect(self.edited)
        self.calendar_button = QToolButton(self)
        self.calendar_button.setText("…")
        self.calendar_button.setToolTip(translate("Editors", "Pick a date"))
        self.calendar_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self._on_calendar_clicked)
        menu = QMenu(self.calendar_button)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        menu.aboutToShow.connect(self._on_menu_about_to_show)
        self.calendar_button.setMenu(menu)
        self._menu = menu
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.line_edit, 1)
        layout.addWidget(self.calendar_button)
        self.setFocusProxy(self.line_edit)

    def _on_menu_about_to_show(self) -> None:
        current = self.value()
        day = current if isinstance(current, dt.date) else dt.date.today()
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))

    def _on_calendar_clicked(self, date: QDate) -> None:
        self.line_edit.setText(date.toString("yyyy-MM-dd"))
        self._menu.close()
        self.edited.emit()

    def value(self) -> dt.date | str | None:
        """The date; None when empty; the text as typed when it is no date."""
        text = self.line_edit.text().strip()
        if not text:
            return None
        try:
            return dt.datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            return text

    def set_value(self, value: Any) -> None:
        """Show a date (or nothing)."""
        if isinstance(value, dt.datetime):
            value = value.date()
        self.line_edit.setText(value.strftime("%Y-%m-%d") if isinstance(value, dt.date) else str(value or ""))

    def set_read_only(self, read_only: bool) -> None:
        """Allow or forbid editing; the calendar button hides when read-only."""
        self.line_edit.setReadOnly(read_only)
        self.calendar_button.setVisible(not read_only)


class DateTimeEditor(TextEditor):
    """A moment, typed and shown in the computer's local time (YYYY-MM-DD HH:MM)."""

    def __init__(self, field: Field, parent: QWidget | None = None):
        super().__init__(field, parent)
        self.setMaxLength(16)
        self.setPlaceholderText(translate("Editors", "YYYY-MM-DD HH:MM"))

    def value(self) -> dt.datetime | str | None:
        """An aware datetime (local time zone); the text as typed when it is no time."""
        text = super().value()
        if text is None:
            return None
        try:
            return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").astimezone()
        except ValueError:
            return text

    def set_value(self, value: Any) -> None:
        """Show an aware timestamp in local time, to the minute."""
        self.setText(format_datetime(value) if isinstance(value, dt.datetime) else str(value or ""))


class BoolEditor(QCheckBox):
    """Yes / no."""

    edited = Signal()

    def __init__(self, field: Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.clicked.connect(self.edited)

    def value(self) -> bool:
        """True when ticked."""
        return self.isChecked()

    def set_value(self, value: Any) -> None:
        """Tick the box for a true value."""
        self.setChecked(bool(value))

    def set_read_only(self, read_only: bool) -> None:
        """Allow or forbid ticking."""
        self.setEnabled(not read_only)


class ChoiceEditor(QComboBox):
    """Fixed choices or a data-dictionary category; an empty entry when the field is optional.

    Args:
        field: the choice field.
        lang: "zh_CN" or "en", for the labels.
        labels: dictionary labels (``{(category, code): Text}``, in display order).
    """

    edited = Signal()

    def __init__(self, field: Field, lang: str, labels: DictionaryLabels | None, parent: QWidget | None = None):
        super().__init__(parent)
        self._field, self._lang, self._labels = field, lang, labels or {}
        if not field.required:
            self.addItem("", None)
        if field.choices is not None:
            for choice in field.choices:
                self.addItem(choice.label(lang), choice.code)
        else:
            for (category, code), label in self._labels.items():
                if category == field.dictionary:
                    self.addItem(label(lang), code)
        if field.required:
            self.setCurrentIndex(-1)  # nothing chosen yet: "required" must be noticed, not pre-filled
        self.activated.connect(self.edited)

    def value(self) -> str | None:
        """The code of the chosen entry; None for the empty one."""
        return self.currentData() if self.currentIndex() >= 0 else None

    def set_value(self, value: Any) -> None:
        """Choose the entry with code ``value``; an unknown code (an entry since removed) is added."""
        if value is None:
            self.setCurrentIndex(0 if not self._field.required else -1)
            return
        index = self.findData(value)
        if index < 0:
            label = self._labels.get((self._field.dictionary or "", value))
            self.addItem(label(self._lang) if label else str(value), value)
            index = self.count() - 1
        self.setCurrentIndex(index)

    def set_read_only(self, read_only: bool) -> None:
        """Allow or forbid choosing."""
        self.setEnabled(not read_only)


def make_editor(field: Field, *, lang: str, labels: DictionaryLabels | None,
                services_lookup: Any, parent: QWidget | None = None) -> QWidget:
    """The editor for ``field``.

    Args:
        field: the field to edit.
        lang: "zh_CN" or "en".
        labels: dictionary labels for dictionary-backed choices.
        services_lookup: ``module -> service``, for reference pickers.
        parent: the form.

    Returns:
        A widget with ``value()``, ``set_value()``, ``set_read_only()`` and ``edited``.
    """
    kind = field.type
    if kind is FieldType.MULTILINE:
        return MultilineEditor(field, parent)
    if kind is FieldType.INTEGER:
        return IntegerEditor(field, parent)
    if kind is FieldType.MONEY:
        return MoneyEditor(field, parent)
    if kind is FieldType.DATE:
        return DateEditor(field, parent)
    if kind is FieldType.DATETIME:
        return DateTimeEditor(field, parent)
    if kind is FieldType.BOOL:
        return BoolEditor(field, parent)
    if kind is FieldType.CHOICE:
        return ChoiceEditor(field, lang, labels, parent)
    if kind is FieldType.REF:
        from crm_desktop.forms.ref_picker import RefPicker

        picker = RefPicker(field, services_lookup, lang, parent)
        if field.pick is not None:  # owners among those who may own, engineers among engineers
            from crm_core.lists import Filter
            from crm_core.permissions import pickable_roles

            picker.set_filters((Filter("role", "in", pickable_roles(field.pick)),))
        return picker
    return TextEditor(field, parent)


def editor_text(editor: QWidget) -> str:
    """What an editor shows, as one line (for the conflict dialog)."""
    if isinstance(editor, QComboBox):
        return editor.currentText()
    if isinstance(editor, QCheckBox):
        return translate("Editors", "Yes") if editor.isChecked() else translate("Editors", "No")
    if isinstance(editor, DateEditor):
        return editor.line_edit.text()
    if isinstance(editor, QPlainTextEdit):
        return " ".join(editor.toPlainText().split())
    if isinstance(editor, QLineEdit):
        return editor.text()
    return ""


__all__ = ["BoolEditor", "ChoiceEditor", "DateEditor", "DateTimeEditor", "IntegerEditor", "MoneyEditor",
           "MultilineEditor", "TextEditor", "editor_text", "make_editor"]
