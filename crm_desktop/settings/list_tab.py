"""What the users tab and the dictionary tab share: a record list with Edit / Deactivate / Reactivate / Delete.

The list is the generic :class:`~crm_desktop.grid.RecordTableModel`; editing is
the generic :class:`~crm_desktop.forms.RecordForm`. Every service call runs
through :func:`~crm_desktop.background.run_in_background`; known errors go to the
error presenter and are repeated in the tab's status line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QInputDialog, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QTableView, QVBoxLayout, QWidget)

from crm_desktop.background import run_in_background
from crm_desktop.errors import present_error
from crm_desktop.forms import RecordForm
from crm_desktop.grid import RecordTableModel
from crm_desktop.forms.record_form import ERROR_STYLE
from crm_desktop.forms.styles import BANNER_STYLE
from crm_desktop.grid.grid_view import setup_record_view

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate


class RecordListTab(QWidget):
    """A list of one service's records with the common admin actions.

    Subclasses add their own buttons (``self.button_row``) and the "New" action.

    Signals:
        changed(str, object): records of the module changed: the saved record, or None
            after a delete (as :meth:`crm_desktop.changes.ChangeBus.announce` takes it).

    Attributes:
        model: the table model; view: its table; status_label: the last outcome.
        busy: True while an action runs. reason_dialog / confirm_box / form: the last
            dialog opened (tests answer them as a user would).
    """

    changed = Signal(str, object)

    def __init__(self, service: Any, session: Any, lang: str, columns: Sequence[str],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.service, self.session, self.lang = service, session, lang
        self.busy = False
        self.reason_dialog: QInputDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.in_use_box: QMessageBox | None = None
        self.form: RecordForm | None = None
        self.model = RecordTableModel(service, lang, {}, parent=self)
        self.model.set_columns(columns)
        self.view = QTableView(self)
        self.view.setObjectName("recordView")
        self.view.setModel(self.model)
        self._setup_view()

        self.edit_button = self._button("editButton", translate("Settings", "&Edit…"))
        self.deactivate_button = self._button("deactivateButton", translate("Settings", "&Deactivate…"))
        self.reactivate_button = self._button("reactivateButton", translate("Settings", "Re&activate"))
        self.delete_button = self._button("deleteButton", translate("Settings", "De&lete…"))
        self.button_row = QHBoxLayout()
        self.button_row.setContentsMargins(0, 0, 0, 0)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("statusLabel")
        self.status_label.setWordWrap(True)

        self.top_row = QHBoxLayout()
        self.top_row.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.addLayout(self.top_row)
        layout.addWidget(self.view, 1)
        layout.addLayout(self.button_row)
        layout.addWidget(self.status_label)

        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.deactivate_button.clicked.connect(self._on_deactivate_button_clicked)
        self.reactivate_button.clicked.connect(self._on_reactivate_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.view.activated.connect(self._on_view_activated)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._update_buttons)
        self.model.dataChanged.connect(self._update_buttons)
        self.model.failed.connect(self._on_model_failed)
        self.model.rowsInserted.connect(self._on_model_rows_inserted)

    def _button(self, name: str, text: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        return button

    def _setup_view(self) -> None:
        setup_record_view(self.view, QAbstractItemView.SelectionMode.SingleSelection)

    def finish_buttons(self, first: Sequence[QPushButton], after_edit: Sequence[QPushButton] = ()) -> None:
        """Lay out ``first``, Edit, ``after_edit``, Deactivate, Reactivate and, set apart at the end, Delete."""
        for button in (*first, self.edit_button, *after_edit, self.deactivate_button, self.reactivate_button):
            self.button_row.addWidget(button)
        self.button_row.addStretch(1)
        self.button_row.addWidget(self.delete_button)  # away from the everyday buttons
        self._update_buttons()

    def start(self) -> None:
        """Load the list (sorting on: QTableView then asks the model to sort, which loads)."""
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)

    # ------------------------------------------------------------ records

    def current_record(self) -> dict[str, Any] | None:
        """The selected record, None when nothing is selected."""
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.record_at(rows[0].row())

    def select_id(self, record_id: Any) -> bool:
        """Select the loaded row of ``record_id``; False when it is not loaded."""
        row = self.model.row_of(record_id)
        if row is None:
            return False
        self.view.selectRow(row)
        return True

    def run(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None],
            message: str = "") -> None:
        """Run a service call in the background with the buttons off; errors to the presenter."""
        self.busy = True
        self._update_buttons()
        self.show_status(message or translate("Settings", "Working…"))
        run_in_background(fn, *args, done=lambda result: self._on_job_done(done, result),
                          failed=self._on_job_failed)

    def show_status(self, text: str, error: bool = False, warning: bool = False) -> None:
        """Show the outcome of the last action under the buttons (``warning``: saved, something is left to do)."""
        self.status_label.setStyleSheet(ERROR_STYLE if error else BANNER_STYLE if warning and text else "")
        self.status_label.setText(text)

    def open_form(self, record_id: int | None, defaults: dict[str, Any] | None = None) -> RecordForm:
        """Open the generic form on a record (None: a new one); the list follows its save."""
        form = RecordForm(self.service, services_lookup=lambda m: getattr(self.session, m), lang=self.lang,
                          labels={}, record_id=record_id, defaults=defaults, parent=self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.saved.connect(self._on_form_saved)
        self.form = form
        form.open()
        return form

    def _update_buttons(self, *_args: Any) -> None:
        record = None if self.busy else self.current_record()
        active = bool(record and record.get("is_active", True))
        self.edit_button.setEnabled(record is not None)
        self.deactivate_button.setEnabled(active)
        self.reactivate_button.setEnabled(record is not None and not active)
        self.delete_button.setEnabled(record is not None)
        self.update_extra_buttons(record)

    def update_extra_buttons(self, record: dict[str, Any] | None) -> None:
        """Subclasses enable their own buttons for ``record`` (None: nothing selected or busy)."""

    # -------------------------------------------------------------- slots

    def _on_job_done(self, done: Callable[[Any], None], result: Any) -> None:
        if not shiboken6.isValid(self):
            return
        self.busy = False
        self.show_status("")
        done(result)
        self._update_buttons()

    def _on_job_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.busy = False
        saved = getattr(exc, "saved", False)
        if saved:  # SavedWithWarning: committed; the list shows it, the box what is left
            self.model.reload()
            self.changed.emit(self.model.spec.module, None)
        self._update_buttons()
        message = getattr(exc, "message", None)
        # Saved is not failed: the warning's look, not the error's red.
        self.show_status(message(self.lang) if message is not None else "", error=not saved, warning=saved)
        present_error(self, exc, self.lang)

    def _on_model_failed(self, exc: BaseException) -> None:
        present_error(self, exc, self.lang)

    def _on_model_rows_inserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        for column in range(self.model.columnCount() - 1):  # the last one stretches: no side scrolling
            header.resizeSection(column, max(80, min(260, header.sectionSize(column) + 16)))

    def _on_selection_changed(self, *_args: Any) -> None:
        self._update_buttons()

    def _on_view_activated(self, index: QModelIndex) -> None:
        if index.isValid() and not self.busy:
            self.open_form(self.model.record_at(index.row())["id"])

    def _on_edit_button_clicked(self) -> None:
        record = self.current_record()
        if record is not None:
            self.open_form(record["id"])

    def _on_form_saved(self, record: dict[str, Any]) -> None:
        self._on_record_changed(record)

    def _on_deactivate_button_clicked(self) -> None:
        record = self.current_record()
        if record is None:
            return
        dialog = QInputDialog(self)
        dialog.setObjectName("reasonDialog")
        dialog.setWindowTitle(translate("Settings", "Deactivate"))
        dialog.setLabelText(translate("Settings", "Why is “%1” deactivated?").replace("%1", self.title_of(record)))
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setOkButtonText(translate("Settings", "Deactivate"))
        dialog.setCancelButtonText(translate("Settings", "Cancel"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(lambda reason: self._on_reason_dialog_text_value_selected(record, reason))
        self.reason_dialog = dialog
        dialog.open()

    def _on_reason_dialog_text_value_selected(self, record: dict[str, Any], reason: str) -> None:
        self.run(partial(self.service.deactivate, version=record["version"]), record["id"], reason,
                 done=self._on_record_changed)

    def _on_reactivate_button_clicked(self) -> None:
        record = self.current_record()
        if record is not None:
            self.run(partial(self.service.reactivate, version=record["version"]), record["id"],
                     done=self._on_record_changed)

    def _on_record_changed(self, record: dict[str, Any]) -> None:
        if not self.model.apply_change(record):
            self.model.reload()
        self.show_status(translate("Settings", "Saved."))
        self.changed.emit(self.model.spec.module, record)

    def _on_delete_button_clicked(self) -> None:
        record = self.current_record()
        if record is None or self.busy:
            return
        # Asked first: a record in use is offered deactivation, not a "for good?" that is then refused.
        self.busy = True
        self._update_buttons()
        run_in_background(self.service.check_delete, record["id"],
                          done=lambda _none: self._on_check_delete_done(record),
                          failed=lambda exc: self._on_check_delete_failed(record, exc))

    def _on_check_delete_failed(self, record: dict[str, Any], exc: BaseException) -> None:
        from crm_core.errors import InUse

        if not shiboken6.isValid(self):
            return
        self.busy = False
        self._update_buttons()
        if not isinstance(exc, InUse):
            present_error(self, exc, self.lang)
            return
        box = QMessageBox(QMessageBox.Icon.Information, translate("Settings", "Cannot delete"),
                          exc.message(self.lang), QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("inUseBox")
        box.setInformativeText(self.in_use_hint())
        deactivate = box.addButton(translate("Settings", "&Deactivate…"), QMessageBox.ButtonRole.AcceptRole)
        deactivate.setObjectName("inUseDeactivateButton")
        deactivate.setEnabled(record.get("is_active", True))
        box.button(QMessageBox.StandardButton.Cancel).setText(translate("Settings", "Cancel"))
        box.setDefaultButton(deactivate)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: button is deactivate and self._on_deactivate_button_clicked())
        self.in_use_box = box
        box.open()

    def _on_check_delete_done(self, record: dict[str, Any]) -> None:
        if not shiboken6.isValid(self):
            return
        self.busy = False
        self._update_buttons()
        box = QMessageBox(QMessageBox.Icon.Question, translate("Settings", "Delete"),
                          translate("Settings", "Delete “%1” for good? This cannot be undone.")
                          .replace("%1", self.title_of(record)),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("confirmDeleteBox")
        box.button(QMessageBox.StandardButton.Yes).setText(translate("Settings", "Delete"))
        box.button(QMessageBox.StandardButton.Cancel).setText(translate("Settings", "Cancel"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self._on_confirm_box_button_clicked(record, box, button))
        self.confirm_box = box
        box.open()

    def _on_confirm_box_button_clicked(self, record: dict[str, Any], box: QMessageBox, button: Any) -> None:
        if button is box.button(QMessageBox.StandardButton.Yes):
            self.run(partial(self.service.delete, version=record["version"]), record["id"],
                     done=lambda _none: self._on_record_deleted(record))

    def _on_record_deleted(self, record: dict[str, Any]) -> None:
        self.model.remove_record(record["id"])
        self.changed.emit(self.model.spec.module, None)
        self.show_status(translate("Settings", "“%1” was deleted.").replace("%1", self.title_of(record)))

    def in_use_hint(self) -> str:
        """What deactivating instead of deleting means, for this list's records."""
        return translate("Settings", "Deactivate it instead: its records stay as they are, and it is no longer "
                                     "offered for new ones.")

    def title_of(self, record: dict[str, Any]) -> str:
        """How a record is named in questions and messages."""
        return str(record.get(self.model.spec.title_field) or f"#{record.get('id')}")
