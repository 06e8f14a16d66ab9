"""The files of one contract: add, save as, remove (20 MB limit, told by crm_core)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from crm_desktop.background import run_in_background
from crm_desktop.panels.base import PanelBase, fill_table, make_table, selected_id, translate, when


def human_size(size: int) -> str:
    """``1536`` -> ``1.5 KB``."""
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024 or unit == "MB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def read_and_attach(session: Any, contract_id: int, path: str) -> dict[str, Any]:
    """Read ``path`` and store it with the contract (runs in the background)."""
    from crm_core.modules.contracts import read_attachment_file

    data = read_attachment_file(path)  # a 2 GB file is refused by its size, not read into memory first
    return session.contracts.add_attachment(contract_id, Path(path).name, data, None)


def fetch_and_write(session: Any, attachment_id: int, path: str) -> str:
    """Write attachment ``attachment_id``'s content to ``path`` (runs in the background)."""
    from crm_core.atomic_files import write_bytes_atomic

    write_bytes_atomic(path, session.contracts.attachment_data(attachment_id))  # never a half-written file
    return path


def fetch_to_temp(session: Any, attachment_id: int, filename: str) -> str:
    """Write the attachment to a fresh temporary folder, for opening (runs in the background)."""
    folder = Path(tempfile.mkdtemp(prefix="crm-attachment-"))
    return fetch_and_write(session, attachment_id, str(folder / (Path(filename).name or "attachment")))


def open_with_system(path: str) -> None:
    """Open ``path`` with the program the system uses for its type."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def ask_file(parent: QWidget) -> str:
    """The file dialog of Add…: the chosen path, "" when cancelled."""
    path, _filter = QFileDialog.getOpenFileName(parent, translate("Panels", "Attach a file"))
    return path


def ask_save_path(parent: QWidget, suggested: str) -> str:
    """The file dialog of Save as…: the chosen path, "" when cancelled."""
    path, _filter = QFileDialog.getSaveFileName(parent, translate("Panels", "Save attachment as"), suggested)
    return path


class AttachmentsPanel(PanelBase):
    """Files of ONE contract.

    Args:
        session: a crm_core session (``contracts``).
        contract_id: the contract shown.
        lang: "zh_CN" or "en", for crm_core's messages.

    Attributes:
        choose_file: ``(parent) -> path`` ("" = cancelled); replace in tests.
        choose_save_path: ``(parent, suggested_name) -> path``; replace in tests.
        open_path: ``(path) -> None``, opens a file with its program; replace in tests.
        remove_box: the open "remove?" question, if any.
    """

    module = "contracts"

    def __init__(self, session: Any, contract_id: int, lang: str, parent: QWidget | None = None):
        super().__init__(session, contract_id, lang, parent)
        self.setObjectName("attachmentsPanel")
        self.choose_file = ask_file
        self.choose_save_path = ask_save_path
        self.open_path = open_with_system
        self.contract: dict[str, Any] | None = None
        self.files: list[dict[str, Any]] = []
        self.remove_box: QMessageBox | None = None
        self.table = make_table(self, [translate("Panels", "File"), translate("Panels", "Size"),
                                       translate("Panels", "Uploaded")], "attachmentTable")
        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)
        self.add_button = QPushButton(translate("Panels", "Add…"), self)
        self.add_button.setToolTip(translate("Panels", "Attach a file (at most 20 MB)"))
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.open_button = QPushButton(translate("Panels", "Open file"), self)
        self.open_button.setToolTip(translate("Panels", "Open a copy of the file with its program"))
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.table.itemDoubleClicked.connect(self._on_table_item_double_clicked)
        self.save_button = QPushButton(translate("Panels", "Save as…"), self)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.remove_button = QPushButton(translate("Panels", "Remove"), self)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel(translate("Panels", "<b>Attachments</b>"), self))
        buttons.addStretch(1)
        for button in (self.add_button, self.open_button, self.save_button, self.remove_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.view_only_label)
        layout.addWidget(self.message_label)
        self.update_actions()
        self.reload()

    # ----------------------------------------------------------- interface

    def reload(self, emit: bool = False) -> None:
        """Load the contract and its file list again."""
        self.set_busy(True)
        contracts, contract_id = self.session.contracts, self.record_id
        run_in_background(lambda: (contracts.get(contract_id), contracts.attachments(contract_id)),
                          done=lambda result: self._on_load_done(result, emit), failed=self._on_job_failed)

    def update_actions(self) -> None:
        """Add needs an active contract; Save as and Remove need a selected file."""
        active = bool(self.contract) and self.contract.get("is_active", True) and self.may_act
        chosen = selected_id(self.table) is not None
        self.add_button.setEnabled(active and not self.busy)
        self.save_button.setEnabled(chosen and not self.busy)
        self.open_button.setEnabled(chosen and not self.busy)
        self.remove_button.setEnabled(active and chosen and not self.busy)

    def add_file(self, path: str) -> None:
        """Read ``path`` in the background and attach it."""
        self.run(read_and_attach, self.session, self.record_id, path,
                 done=lambda att: self.show_message(translate("Panels", "Attached %1.")
                                                    .replace("%1", att["filename"]), error=False))

    def save_file(self, attachment_id: int, path: str) -> None:
        """Write the file ``attachment_id`` to ``path`` in the background."""
        self.run(fetch_and_write, self.session, attachment_id, path, reload=False,
                 done=lambda p: self.show_message(translate("Panels", "Saved to %1.").replace("%1", p), error=False))

    # --------------------------------------------------------------- slots

    def _on_load_done(self, result: tuple, emit: bool) -> None:
        if not shiboken6.isValid(self):
            return
        self.contract, self.files = result
        self.set_busy(False)
        fill_table(self.table, [[f["filename"], human_size(f["size"]), when(f.get("uploaded_at"))]
                                for f in self.files], [f["id"] for f in self.files])
        self.update_actions()
        self.loaded.emit()
        if emit:
            self.changed.emit(self.contract)

    def _on_table_item_selection_changed(self) -> None:
        self.update_actions()

    def _on_add_button_clicked(self) -> None:
        path = self.choose_file(self)
        if path:
            self.add_file(path)

    def _on_table_item_double_clicked(self, _item: Any) -> None:
        self._on_open_button_clicked()

    def _on_open_button_clicked(self) -> None:
        attachment_id = selected_id(self.table)
        name = next((f["filename"] for f in self.files if f["id"] == attachment_id), None)
        if name is not None and not self.busy:
            self.run(fetch_to_temp, self.session, attachment_id, name, reload=False, done=self.open_path)

    def _on_save_button_clicked(self) -> None:
        attachment_id = selected_id(self.table)
        name = next((f["filename"] for f in self.files if f["id"] == attachment_id), "")
        path = self.choose_save_path(self, name) if attachment_id is not None else ""
        if path:
            self.save_file(attachment_id, path)

    def _on_remove_button_clicked(self) -> None:
        attachment_id = selected_id(self.table)
        name = next((f["filename"] for f in self.files if f["id"] == attachment_id), None)
        if name is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, translate("Panels", "Remove attachment"),
                          translate("Panels", "Remove %1 from the contract? This cannot be undone.")
                          .replace("%1", name),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Yes).setText(translate("Panels", "&Remove"))
        box.button(QMessageBox.StandardButton.Cancel).setText(translate("Panels", "Cancel"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: self._on_remove_box_button_clicked(box, button, attachment_id))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.remove_box = box
        box.open()

    def _on_remove_box_button_clicked(self, box: QMessageBox, button: Any, attachment_id: int) -> None:
        if button is box.button(QMessageBox.StandardButton.Yes):
            self.run(self.session.contracts.remove_attachment, attachment_id, done=lambda _r: None)
