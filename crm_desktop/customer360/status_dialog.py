"""Changing a customer's status (客户状态): only the moves the workflow allows, evidence for "won".

The allowed next statuses come from crm_core's ``TRANSITIONS``; crm_core checks
them again (and the contract number) when saving, so this dialog is a courtesy:
its errors are crm_core's, shown next to the field they name.
"""

from __future__ import annotations

import functools
from typing import Any

import shiboken6

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from crm_desktop.background import run_in_background
from crm_desktop.errors import present_error

translate = QCoreApplication.translate

ERROR_STYLE = "color: #b00020;"
WON = "won"


class StatusDialog(QDialog):
    """Move one customer to an allowed next status.

    Args:
        service: the customers service (``change_status``).
        customer: the customer record as last loaded (``id``, ``status``, ``version``).
        lang: "zh_CN" or "en".
        parent: the 360° view.
        contracts: the contracts service; the customer's contracts are offered as the evidence
            for "won" (the only one is chosen), a number may still be typed.

    Signals:
        changed(object): the customer record after a successful change.
    """

    changed = Signal(object)

    def __init__(self, service: Any, customer: dict[str, Any], *, lang: str, parent: QWidget | None = None,
                 contracts: Any = None):
        super().__init__(parent)
        from crm_core.modules.customers import SPEC, TRANSITIONS  # crm_core is loaded by now (signed in)

        self._service, self._customer, self._lang = service, customer, lang
        self.busy = False
        self.setObjectName("statusDialog")
        self.setWindowTitle(translate("StatusDialog", "Change customer status"))
        status_field = SPEC.field("status")
        current = customer.get("status")

        self.current_label = QLabel(str(status_field.choice_label(current, lang)) if current else "", self)
        self.current_label.setObjectName("currentStatusLabel")
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("statusCombo")
        # In the workflow's own order (prospect → interested → won …), not alphabetically.
        for choice in status_field.choices or ():
            if choice.code in TRANSITIONS.get(current, set()):
                self.status_combo.addItem(choice.label(lang), choice.code)
        # A list of the customer's contracts (typing stays possible): nobody copies numbers by hand.
        self.contract_combo = QComboBox(self)
        self.contract_combo.setObjectName("contractCombo")
        self.contract_combo.setEditable(True)
        self.contract_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.contract_edit: QLineEdit = self.contract_combo.lineEdit()
        self.contract_edit.setObjectName("contractNumberEdit")
        self.contract_edit.setPlaceholderText(translate("StatusDialog", "Number of one of this customer's contracts"))
        self.contract_label = QLabel(translate("StatusDialog", "Contract number") +
                                     "<span style='color:#c62828;'>&nbsp;*</span>", self)
        self.contract_label.setTextFormat(Qt.TextFormat.RichText)
        self.contract_label.setBuddy(self.contract_combo)
        self.contracts_loaded = False
        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setPlaceholderText(translate("StatusDialog", "Why the status changes (optional)"))
        self.note_edit.setFixedHeight(70)
        self.status_error = self._error_label("statusError")
        self.contract_error = self._error_label("contractNumberError")
        self.message_label = self._error_label("messageLabel")

        form = QFormLayout()
        form.addRow(translate("StatusDialog", "Current status"), self.current_label)
        new_label = QLabel(translate("StatusDialog", "&New status"), self)
        new_label.setBuddy(self.status_combo)
        form.addRow(new_label, self._with_error(self.status_combo, self.status_error))
        form.addRow(self.contract_label, self._with_error(self.contract_combo, self.contract_error))
        note_label = QLabel(translate("StatusDialog", "N&ote"), self)
        note_label.setBuddy(self.note_edit)
        form.addRow(note_label, self.note_edit)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(translate("StatusDialog", "&Change status"),
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(translate("StatusDialog", "Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        if self.status_combo.count() == 0:
            self.message_label.setText(translate("StatusDialog", "No status change is possible from here."))
            self.message_label.show()
            self.ok_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)
        self.status_combo.currentIndexChanged.connect(self._on_status_combo_current_index_changed)
        self._on_status_combo_current_index_changed(self.status_combo.currentIndex())
        self.resize(460, self.sizeHint().height())
        if contracts is not None:
            run_in_background(_contract_numbers, contracts, customer["id"], done=self._on_contracts_done,
                              failed=self._on_contracts_failed)

    def _error_label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        return label

    def _with_error(self, editor: QWidget, error: QLabel) -> QWidget:
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor)
        column.addWidget(error)
        return box

    # ------------------------------------------------------------- actions

    def chosen_status(self) -> str | None:
        """The status code picked in the list."""
        return self.status_combo.currentData()

    def select_status(self, code: str) -> None:
        """Pick ``code`` in the list (ValueError when that move is not allowed)."""
        row = self.status_combo.findData(code)
        if row < 0:
            raise ValueError(code)
        self.status_combo.setCurrentIndex(row)

    def submit(self) -> None:
        """Ask crm_core to change the status, in the background; errors come back inline."""
        status = self.chosen_status()
        if self.busy or status is None:
            return
        self._show_errors({})
        self._set_busy(True)
        contract = self.contract_edit.text().strip() if status == WON else None
        note = self.note_edit.toPlainText().strip() or None
        work = functools.partial(self._service.change_status, self._customer["id"], status,
                                 version=self._customer["version"], contract_number=contract, note=note)
        run_in_background(work, done=self._on_change_done, failed=self._on_change_failed,
                          finished=self._on_change_finished)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.ok_button.setEnabled(not busy)

    def _show_errors(self, by_field: dict[str | None, str]) -> None:
        for label, key in ((self.status_error, "status"), (self.contract_error, "contract_number")):
            text = by_field.pop(key, "")
            label.setText(text)
            label.setVisible(bool(text))
        rest = "\n".join(by_field.values())
        self.message_label.setText(rest)
        self.message_label.setVisible(bool(rest))

    # --------------------------------------------------------------- slots

    def _on_status_combo_current_index_changed(self, _row: int) -> None:
        needs_contract = self.chosen_status() == WON
        self.contract_label.setVisible(needs_contract)
        self.contract_combo.setVisible(needs_contract)
        if not needs_contract:
            self.contract_error.hide()

    def _on_contracts_done(self, numbers: list[str]) -> None:
        if not shiboken6.isValid(self):
            return
        typed = self.contract_edit.text()
        self.contract_combo.clear()
        self.contract_combo.addItems(numbers)
        # One contract: it is the evidence. Several: the user picks; what he typed stays.
        self.contract_edit.setText(numbers[0] if len(numbers) == 1 and not typed else typed)
        self.contracts_loaded = True

    def _on_contracts_failed(self, _exc: BaseException) -> None:
        self.contracts_loaded = True  # typing the number still works

    def _on_change_done(self, record: dict[str, Any]) -> None:
        self.changed.emit(record)
        self.accept()

    def _on_change_failed(self, exc: BaseException) -> None:
        from crm_core.errors import ConcurrencyConflict, ValidationError

        if isinstance(exc, ValidationError):
            by_field: dict[str | None, str] = {}
            for err in exc.errors:
                key = err.field if err.field in ("status", "contract_number") else None
                by_field[key] = "\n".join(filter(None, [by_field.get(key), err.message(self._lang)]))
            self._show_errors(by_field)
        elif isinstance(exc, ConcurrencyConflict):
            self._show_errors({None: translate(
                "StatusDialog", "Someone else changed this customer meanwhile. Close this dialog; the view "
                                "shows the current data, then try again.")})
        else:
            present_error(self, exc, self._lang)

    def _on_change_finished(self) -> None:
        self._set_busy(False)


def _contract_numbers(contracts: Any, customer_id: int) -> list[str]:
    """The customer's contract numbers, newest first (runs in the background)."""
    from crm_core.lists import Filter, ListQuery

    page = contracts.list(ListQuery(filters=(Filter("customer_id", "eq", customer_id),), sort=("-signed_on",),
                                    limit=100))
    return [row["number"] for row in page.rows]
