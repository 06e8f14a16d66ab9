"""The machines of one license: who uses its seats, add a machine, release one."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from crm_desktop.background import run_in_background
from crm_desktop.panels.base import PanelBase, fill_table, make_table, selected_id, translate, when


def load_license(session: Any, license_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The license and its machines in use (runs in the background)."""
    return session.licenses.get(license_id), session.licenses.machines(license_id)


class LicenseMachinesPanel(PanelBase):
    """Machines using the seats of ONE license; "seats used / bought".

    Args:
        session: a crm_core session (``licenses``).
        license_id: the license shown.
        lang: "zh_CN" or "en", for crm_core's messages.
    """

    module = "licenses"

    def __init__(self, session: Any, license_id: int, lang: str, parent: QWidget | None = None):
        super().__init__(session, license_id, lang, parent)
        self.setObjectName("licenseMachinesPanel")
        self.license: dict[str, Any] | None = None
        self.machines: list[dict[str, Any]] = []
        self.seats_label = QLabel(self)
        self.seats_label.setObjectName("seatsLabel")
        self.table = make_table(self, [translate("Panels", "Machine"), translate("Panels", "Fingerprint"),
                                       translate("Panels", "In use since")], "machineTable")
        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("machineNameEdit")
        self.name_edit.setPlaceholderText(translate("Panels", "Computer name"))
        self.fingerprint_edit = QLineEdit(self)
        self.fingerprint_edit.setObjectName("fingerprintEdit")
        self.fingerprint_edit.setPlaceholderText(translate("Panels", "Machine fingerprint"))
        self.add_button = QPushButton(translate("Panels", "Add machine"), self)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.fingerprint_edit.returnPressed.connect(self._on_add_button_clicked)
        self.release_button = QPushButton(translate("Panels", "Release"), self)
        self.release_button.setToolTip(translate("Panels", "Free the seat of the selected machine"))
        self.release_button.clicked.connect(self._on_release_button_clicked)

        add_row = QHBoxLayout()
        add_row.addWidget(self.name_edit, 1)
        add_row.addWidget(self.fingerprint_edit, 2)
        add_row.addWidget(self.add_button)
        top = QHBoxLayout()
        top.addWidget(QLabel(translate("Panels", "<b>Machines using this license</b>"), self))
        top.addStretch(1)
        top.addWidget(self.seats_label)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.release_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        layout.addLayout(add_row)
        layout.addWidget(self.view_only_label)
        layout.addWidget(self.message_label)
        self.update_actions()
        self.reload()

    # ----------------------------------------------------------- interface

    def reload(self, emit: bool = False) -> None:
        """Load the license and its machines again."""
        self.set_busy(True)
        run_in_background(load_license, self.session, self.record_id,
                          done=lambda result: self._on_load_done(result, emit), failed=self._on_job_failed)

    def update_actions(self) -> None:
        """Add needs the license loaded and active; Release needs a selected machine."""
        active = bool(self.license) and self.license.get("is_active", True) and self.may_act
        for widget in (self.add_button, self.name_edit, self.fingerprint_edit):
            widget.setEnabled(active and not self.busy)
        self.release_button.setEnabled(active and not self.busy and selected_id(self.table) is not None)

    def add_machine(self, name: str, fingerprint: str) -> None:
        """Give one seat to computer ``name`` with ``fingerprint`` (crm_core refuses when all are in use)."""
        def _added(_machine: Any) -> None:
            self.name_edit.clear()
            self.fingerprint_edit.clear()
        self.run(self.session.licenses.add_machine, self.record_id, name, fingerprint, done=_added)

    def release(self, machine_id: int) -> None:
        """Free the seat of machine ``machine_id``."""
        self.run(self.session.licenses.release_machine, machine_id, done=lambda _r: None)

    # --------------------------------------------------------------- slots

    def _on_load_done(self, result: tuple, emit: bool) -> None:
        if not shiboken6.isValid(self):
            return
        self.license, self.machines = result
        self.set_busy(False)
        used, seats = len(self.machines), self.license.get("seats") or 0
        self.seats_label.setText(translate("Panels", "Seats used: %1 / %2").replace("%1", str(used))
                                 .replace("%2", str(seats)))
        self.seats_label.setStyleSheet("color: #b00020; font-weight: bold;" if used >= seats else "")
        fill_table(self.table, [[m["machine_name"], m["fingerprint"], when(m.get("activated_at"))]
                                for m in self.machines], [m["id"] for m in self.machines])
        self.update_actions()
        self.loaded.emit()
        if emit:
            self.changed.emit(self.license)

    def _on_table_item_selection_changed(self) -> None:
        self.update_actions()

    def _on_add_button_clicked(self) -> None:
        self.add_machine(self.name_edit.text(), self.fingerprint_edit.text())

    def _on_release_button_clicked(self) -> None:
        machine_id = selected_id(self.table)
        if machine_id is not None:
            self.release(machine_id)
