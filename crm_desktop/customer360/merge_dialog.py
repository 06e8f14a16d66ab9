"""Merging another customer into this one (合并客户) from the 360° view, and undoing a merge.

Administrators and managers see 合并客户… and, on a customer that took part in a merge
not yet undone, 撤销合并…. crm_core moves the records, keeps the merged customer as a
deactivated redirect and audits both; this module only asks and shows.
"""

from __future__ import annotations

import functools
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget)

from crm_desktop.background import run_in_background
from crm_desktop.errors import present_error
from crm_desktop.forms.styles import ERROR_STYLE

translate = QCoreApplication.translate


class MergeDialog(QDialog):
    """Choose the customer to merge into ``customer`` and confirm.

    Signals:
        merged(object): the kept customer as stored after the merge.
    """

    merged = Signal(object)

    def __init__(self, session: Any, customer: dict[str, Any], lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        from crm_core.i18n import Text
        from crm_core.metadata import Field, FieldType
        from crm_desktop.forms.ref_picker import RefPicker

        self._session, self._customer, self._lang = session, customer, lang
        self.other: dict[str, Any] | None = None
        self.busy = False
        self.setObjectName("mergeDialog")
        self.setWindowTitle(translate("Merge", "Merge customers"))
        intro = QLabel(translate("Merge", "Merge another customer into %1 (%2). Its contacts, contracts, payments, "
                                          "products, licenses, tickets, follow-ups, needs and opportunities move here; "
                                          "it is deactivated and points here. A merge can be undone.")
                       .replace("%1", customer.get("name") or "").replace("%2", customer.get("code") or ""), self)
        intro.setWordWrap(True)
        self.picker = RefPicker(Field("merge_id", Text("客户", "Customer"), FieldType.REF, ref="customers"),
                                lambda m: getattr(session, m), lang, self)
        self.picker.setObjectName("mergePicker")
        self.picker.edited.connect(self._on_picker_edited)
        self.summary = QLabel(self)
        self.summary.setObjectName("mergeSummary")
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(translate("Merge", "&Merge"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setEnabled(False)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(translate("Merge", "Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel(translate("Merge", "Customer to merge into this one:"), self))
        layout.addWidget(self.picker)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())

    def choose(self, record_id: int) -> None:
        """Take customer ``record_id`` as the one to merge (what picking it in the list does)."""
        self.picker.set_value(record_id, "")
        self._on_picker_edited()

    def _on_picker_edited(self) -> None:
        other_id = self.picker.value()
        self.other = None
        self.ok_button.setEnabled(False)
        self.summary.setText("")
        if other_id is None:
            return
        run_in_background(self._session.customers.get, other_id, done=self._on_other_loaded,
                          failed=self._on_failed)

    def _on_other_loaded(self, record: dict[str, Any]) -> None:
        if not shiboken6.isValid(self) or record["id"] != self.picker.value():
            return
        self.other = record
        self.picker.set_value(record["id"], f"{record.get('name') or ''}（{record.get('code') or ''}）")
        same = record["id"] == self._customer["id"]
        self.summary.setStyleSheet(ERROR_STYLE if same else "")
        self.summary.setText(translate("Merge", "That is this customer itself; choose another.") if same else
                             translate("Merge", "%1 (%2) will be merged into %3 and deactivated.")
                             .replace("%1", record.get("name") or "").replace("%2", record.get("code") or "")
                             .replace("%3", self._customer.get("name") or ""))
        self.ok_button.setEnabled(not same and not self.busy)

    def submit(self) -> None:
        """Merge in the background; the view hears of it through ``merged``."""
        if self.other is None or self.busy:
            return
        self.busy = True
        self.ok_button.setEnabled(False)
        work = functools.partial(self._session.customers.merge, self._customer["id"], self.other["id"],
                                 keep_version=self._customer["version"], merge_version=self.other["version"])
        run_in_background(work, done=self._on_merged, failed=self._on_failed)

    def _on_merged(self, record: dict[str, Any]) -> None:
        if shiboken6.isValid(self):
            self.busy = False
            self.merged.emit(record)
            self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        if shiboken6.isValid(self):
            self.busy = False
            self.ok_button.setEnabled(self.other is not None)
            present_error(self, exc, self._lang)


class MergeTools(QObject):
    """The 360° view's 合并客户… and 撤销合并… buttons (administrators and managers only).

    Signals:
        changed(object): a customer record after a merge or an undo (for the change bus).
    """

    changed = Signal(object)

    def __init__(self, session: Any, lang: str, parent: QWidget):
        super().__init__(parent)
        self._session, self._lang, self._view = session, lang, parent
        self.customer: dict[str, Any] | None = None
        self.open_merge: dict[str, Any] | None = None  # the merge not yet undone this customer took part in
        self.dialog: MergeDialog | None = None
        self.merge_button = QPushButton(translate("Merge", "&Merge customer…"), parent)
        self.merge_button.setObjectName("mergeButton")
        self.undo_button = QPushButton(translate("Merge", "&Undo merge…"), parent)
        self.undo_button.setObjectName("undoMergeButton")
        for button in (self.merge_button, self.undo_button):
            button.setAutoDefault(False)
            button.hide()
        self.allowed = self._may_merge()
        self.merge_button.clicked.connect(self._on_merge_button_clicked)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)

    def _may_merge(self) -> bool:
        from crm_core.permissions import Action, Scope, rights

        role = rights(self._session.actor.role)
        return role.may("customers", Action.DELETE) and role.scope is Scope.ALL

    def show_customer(self, record: dict[str, Any]) -> None:
        """Buttons for ``record``: merge into an active customer; undo where a merge is open."""
        self.customer = record
        self.merge_button.setVisible(self.allowed and bool(record.get("is_active", True)))
        if self.allowed:
            run_in_background(self._session.customers.merges, record["id"], done=self._on_merges_loaded,
                              failed=lambda _exc: None)

    def _on_merges_loaded(self, merges: list[dict[str, Any]]) -> None:
        if not shiboken6.isValid(self.undo_button):
            return
        self.open_merge = next((m for m in merges if not m["undone"]), None)
        self.undo_button.setVisible(self.open_merge is not None)

    def _on_merge_button_clicked(self) -> None:
        if self.customer is None:
            return
        self.dialog = MergeDialog(self._session, self.customer, self._lang, self._view)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.merged.connect(self.changed.emit)
        self.dialog.open()

    def _on_undo_button_clicked(self) -> None:
        merge = self.open_merge
        if merge is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, translate("Merge", "Undo merge"),
                          translate("Merge", "Move the records of %1 (%2) back from %3 and reactivate it?")
                          .replace("%1", merge["merged_name"] or "").replace("%2", merge["merged_code"] or "")
                          .replace("%3", merge["kept_name"] or ""),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self._view)
        box.setObjectName("undoMergeBox")
        box.button(QMessageBox.StandardButton.Yes).setText(translate("Merge", "Undo merge"))
        box.button(QMessageBox.StandardButton.Cancel).setText(translate("Merge", "Cancel"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(lambda: run_in_background(
            self._session.customers.undo_merge, merge["id"], done=self._on_undone,
            failed=lambda exc: present_error(self._view, exc, self._lang)))
        self.box = box
        box.open()

    def _on_undone(self, record: dict[str, Any]) -> None:
        self.changed.emit(record)
        if self.customer is not None and shiboken6.isValid(self.undo_button):
            run_in_background(self._session.customers.merges, self.customer["id"], done=self._on_merges_loaded,
                              failed=lambda _exc: None)
