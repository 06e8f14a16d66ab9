"""What every action panel shares: background calls, busy state, inline messages, tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QWidget

from crm_desktop.background import run_in_background
from crm_desktop.grid.display import format_datetime

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

ERROR_STYLE = "color: #b00020;"
INFO_STYLE = "color: #1b5e20;"


def when(value: Any) -> str:
    """A timestamp as the office reads it (local time, to the minute); "" for none."""
    return format_datetime(value) if value is not None else ""


def make_table(parent: QWidget, headers: list[str], name: str) -> QTableWidget:
    """A read-only, row-selecting table with ``headers``; the last column stretches."""
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setWordWrap(False)  # one line a row; the whole text is in the cell's tooltip
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    table.setMinimumHeight(110)
    return table


def fill_table(table: QTableWidget, rows: list[list[str]], ids: list[Any] | None = None) -> None:
    """Replace ``table``'s rows; ``ids`` go to each row's first cell (Qt.UserRole)."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if c == 0 and ids is not None:
                item.setData(Qt.ItemDataRole.UserRole, ids[r])
            table.setItem(r, c, item)


def selected_id(table: QTableWidget) -> Any:
    """The id of the selected row, None when nothing is selected."""
    rows = table.selectionModel().selectedRows()
    if not rows:
        return None
    item = table.item(rows[0].row(), 0)
    return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


class PanelBase(QWidget):
    """Base of the panels: one record, actions in the background, messages inline.

    Signals:
        changed(object): the record as stored, after an action changed it.
        loaded(): after each (re)load of what the panel shows.
    """

    changed = Signal(object)
    loaded = Signal()
    #: the module whose records the panel changes: its actions need the role's right to edit them
    module = ""

    def __init__(self, session: Any, record_id: int, lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.record_id, self.lang = session, record_id, lang
        self.busy = False
        self.message_label = QLabel(self)
        self.message_label.setObjectName("panelMessage")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        service = getattr(session, self.module, None) if self.module else None
        # Disabled from the start for a role that may only look (crm_core refuses them anyway).
        self.may_act = not hasattr(service, "may") or bool(service.may("update"))
        self.view_only_label = QLabel(translate("Panels", "Your role may view this but not change it."), self)
        self.view_only_label.setObjectName("viewOnlyLabel")
        self.view_only_label.setWordWrap(True)
        self.view_only_label.setVisible(not self.may_act)

    # -------------------------------------------------------------- helpers

    def message(self) -> str:
        """The message shown inline ("" when none)."""
        return self.message_label.text() if not self.message_label.isHidden() else ""

    def show_message(self, text: str, error: bool = True) -> None:
        """Show ``text`` inline (red for an error, green for a success); "" hides it."""
        self.message_label.setStyleSheet(ERROR_STYLE if error else INFO_STYLE)
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def run(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None], reload: bool = True) -> None:
        """Run ``fn(*args)`` in the background while the panel is busy; then ``done(result)``.

        With ``reload`` the panel reloads afterwards (also after a failure:
        someone else may have changed the record).
        """
        if self.busy:
            return
        self.set_busy(True)
        self.show_message("")

        def _done(result: Any) -> None:
            if not shiboken6.isValid(self):
                return
            self.set_busy(False)
            done(result)
            if reload:
                self.reload(emit=True)

        run_in_background(fn, *args, done=_done, failed=self._on_job_failed)

    def set_busy(self, busy: bool) -> None:
        """Disable the actions while a call is under way; subclasses refresh their buttons."""
        self.busy = busy
        self.update_actions()

    # ---------------------------------------------------------- to override

    def reload(self, emit: bool = False) -> None:
        """Load what the panel shows again (``emit``: announce the record with ``changed``)."""
        raise NotImplementedError

    def update_actions(self) -> None:
        """Enable and show the actions that make sense now."""

    # ---------------------------------------------------------------- slots

    def _on_job_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        from crm_core.errors import ConcurrencyConflict, ValidationError

        self.set_busy(False)
        if isinstance(exc, ValidationError):
            self.show_message("\n".join(err.message(self.lang) for err in exc.errors))
        elif isinstance(exc, ConcurrencyConflict):
            self.show_message(translate("Panels", "Someone else changed this record meanwhile; "
                                                  "it has been reloaded. Please try again."))
            self.reload(emit=True)
        else:
            from crm_desktop.errors import present_error

            present_error(self, exc, self.lang)
