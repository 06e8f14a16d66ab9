"""The reference picker: an editable combo that searches the referenced module as you type.

Typing restarts a 300 ms timer; when it fires, the referenced service's
``list(ListQuery(search=..., limit=50))`` runs in the background and the combo
offers the records it returns, named by the module's title field. The chosen
record's id is kept; typing alone never changes it (leaving the field with text
that names no chosen record puts the chosen name back), and clearing the text
clears the choice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from crm_core.lists import Filter, ListQuery
from crm_core.metadata import Field
from crm_desktop.background import run_in_background

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

SEARCH_DELAY_MS = 300
MIN_SEARCH_CHARS = 2  # crm_core's search needs two characters; fewer lists the first records


class RefPicker(QComboBox):
    """Picks a record of ``field.ref``; ``value()`` is its id.

    Args:
        field: the reference field.
        services_lookup: ``module -> service`` (the signed-in session's services).
        lang: "zh_CN" or "en", for crm_core's messages.
        parent: the form.

    Signals:
        edited(): the user chose another record or cleared the field.
        results_arrived(): a search finished and its records are offered (tests wait for it).
    """

    edited = Signal()
    results_arrived = Signal()

    def __init__(self, field: Field, services_lookup: Callable[[str], Any], lang: str = "zh_CN",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._field, self._lang = field, lang
        self._lookup = services_lookup
        self._id: int | None = None
        self._display = ""
        self._request = 0
        self._read_only = False
        self._filters: tuple[Filter, ...] = ()
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        self.lineEdit().setPlaceholderText(translate("RefPicker", "Type to search…"))
        # A completer popup leaves the keyboard in the line edit (a combo's own popup would take it).
        self._completer = QCompleter(self.model(), self)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.activated[str].connect(self._on_completer_activated)
        self.setCompleter(self._completer)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.lineEdit().textEdited.connect(self._on_line_edit_text_edited)
        self.lineEdit().editingFinished.connect(self._on_line_edit_editing_finished)
        self.activated.connect(self._on_self_activated)

    # ------------------------------------------------------------ interface

    def value(self) -> int | None:
        """Id of the chosen record; None when none is chosen."""
        return self._id

    def set_value(self, value: Any, display: str | None = None) -> None:
        """Choose record ``value`` shown as ``display`` (the record's ``<field>_display``)."""
        self._id = value if value is not None else None
        self._display = (display if display is not None else ("" if value is None else f"#{value}"))
        self.lineEdit().setText(self._display)

    def set_read_only(self, read_only: bool) -> None:
        """Allow or forbid choosing another record."""
        self._read_only = read_only
        self.lineEdit().setReadOnly(read_only)
        self.setEnabled(not read_only)

    def set_filters(self, filters: tuple[Filter, ...]) -> None:
        """Offer only records matching ``filters`` (e.g. of the form's customer); the choice made stays."""
        self._filters = tuple(filters)

    def search(self, text: str) -> None:
        """Search now for ``text`` (what the timer does after typing)."""
        self._request += 1
        request = self._request
        term = text.strip()
        query = ListQuery(filters=self._filters, search=term if len(term) >= MIN_SEARCH_CHARS else None, limit=50)
        service = self._lookup(self._field.ref or "")
        run_in_background(service.list, query, done=lambda page: self._on_search_done(request, text, page),
                          failed=lambda exc: self._on_search_failed(request, exc))

    # ----------------------------------------------------------------- slots

    def _on_line_edit_text_edited(self, text: str) -> None:
        if not text.strip():
            if self._id is not None:
                self._id, self._display = None, ""
                self.edited.emit()
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        self.search(self.lineEdit().text())

    def _on_search_done(self, request: int, text: str, page: Any) -> None:
        if not shiboken6.isValid(self) or request != self._request:
            return  # the form closed, or the user typed on: an older answer must not win
        title = self._lookup(self._field.ref or "").spec.title_field
        self.blockSignals(True)
        try:
            self.clear()
            for row in page.rows:
                self.addItem(str(row.get(title) or f"#{row['id']}"), row["id"])
            self.setCurrentIndex(-1)
            self.lineEdit().setText(text)  # clear() wiped what the user is typing
        finally:
            self.blockSignals(False)
        if self.lineEdit().hasFocus() and self.count() and not self._read_only:
            self._completer.complete()
        self.results_arrived.emit()

    def _on_search_failed(self, request: int, exc: BaseException) -> None:
        if not shiboken6.isValid(self) or request != self._request:
            return
        from crm_core.errors import ValidationError

        if isinstance(exc, ValidationError):
            return  # e.g. single characters only: wait for more typing
        message = getattr(exc, "message", None)  # a crm_core error (e.g. no right to read that module)
        self.setToolTip(message(self._lang) if message is not None else str(exc))
        self.results_arrived.emit()

    def _on_self_activated(self, index: int) -> None:
        record_id = self.itemData(index)
        if record_id is None:
            return
        changed = record_id != self._id
        self._id, self._display = record_id, self.itemText(index)
        self.lineEdit().setText(self._display)
        if changed:
            self.edited.emit()

    def _on_completer_activated(self, text: str) -> None:
        index = self.findText(text)
        if index >= 0:
            self._on_self_activated(index)

    def _on_line_edit_editing_finished(self) -> None:
        if self._completer.popup().isVisible():
            return
        if self.lineEdit().text().strip() and self.lineEdit().text() != self._display:
            self.lineEdit().setText(self._display)  # text that names nothing chosen would mislead

    def choose(self, index: int) -> None:
        """Choose the offered record at ``index`` (as a click in the list does)."""
        self.setCurrentIndex(index)
        self._on_self_activated(index)
