"""Settings → Backups (administrators): the record of runs, Back up now, Verify, Restore….

Everything runs in the background with a progress bar; crm_core checks the
right (administrators only), the confirmation text and, before a restore,
takes a safety backup of the current state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QProgressBar, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from crm_desktop.background import run_in_background
from crm_desktop.errors import present_error
from crm_desktop.forms.record_form import ERROR_STYLE

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

PATH_ROLE = Qt.ItemDataRole.UserRole


def choose_backup_file(parent: QWidget, start_dir: str) -> str | None:
    """The backup file to restore, picked by the user (tests replace this function)."""
    path, _ = QFileDialog.getOpenFileName(parent, translate("Backups", "Choose the backup to restore"), start_dir,
                                          translate("Backups", "CRM backups (*.sqlite3 *.dump)"))
    return path or None


def ask_confirmation(parent: QWidget, name: str, path: str) -> str | None:
    """What the user typed to confirm the restore, or None when he cancelled (tests replace this function)."""
    dialog = RestoreConfirmDialog(name, path, parent)
    return dialog.typed() if dialog.exec() == QDialog.DialogCode.Accepted else None


def load_backup_state(session: Any) -> tuple[list[dict[str, Any]], str, str]:
    """The latest runs, the name that confirms a restore, and the default backup folder."""
    service = session.backups
    return service.runs(), service.confirm_name(), str(service.default_dir())


class RestoreConfirmDialog(QDialog):
    """Says what a restore does and asks for the database name, typed, as the confirmation."""

    def __init__(self, name: str, path: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("restoreConfirmDialog")
        self.setWindowTitle(translate("Backups", "Restore a backup"))
        lines = (translate("Backups", "The whole database will be replaced by the backup %1.").replace("%1", path),
                 translate("Backups", "A safety backup of the current state is taken first. "
                                      "Everyone else should sign out of the CRM before you go on."),
                 translate("Backups", "Type the database name %1 to confirm:").replace("%1", f"“{name}”"))
        self.explanation = QLabel("\n\n".join(lines), self)
        self.explanation.setWordWrap(True)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("confirmNameEdit")
        buttons = QDialogButtonBox(self)
        buttons.addButton(translate("Backups", "Restore"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setText(translate("Backups", "Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.name_edit)
        layout.addWidget(buttons)

    def typed(self) -> str:
        return self.name_edit.text()


class BackupTab(QWidget):
    """The administrator's backups of the database this client is connected to.

    Signals:
        restored(): the database was replaced; every open view is out of date.
    """

    restored = Signal()
    COLUMNS = ("time", "kind", "result", "file", "size", "by")

    def __init__(self, session: Any, lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("backupTab")
        self.session, self.lang = session, lang
        self.busy = False
        self.confirm_name, self.default_dir = "", ""
        self.runs_table = QTableWidget(0, len(self.COLUMNS), self)
        self.runs_table.setObjectName("backupRunsTable")
        self.runs_table.setHorizontalHeaderLabels([
            translate("Backups", "Time"), translate("Backups", "Kind"), translate("Backups", "Result"),
            translate("Backups", "File"), translate("Backups", "Size"), translate("Backups", "By")])
        self.runs_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.runs_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.runs_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.runs_table.verticalHeader().hide()  # as every other list: no row numbers
        self.runs_table.setWordWrap(False)
        header = self.runs_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.backup_button = self._button("backupNowButton", translate("Backups", "Back up now"))
        self.verify_button = self._button("verifyButton", translate("Backups", "Verify"))
        self.restore_button = self._button("restoreButton", translate("Backups", "Restore…"))
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("backupProgress")
        self.progress_bar.hide()
        self.status_label = QLabel(self)
        self.status_label.setObjectName("backupStatus")
        self.status_label.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.backup_button, self.verify_button, self.restore_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        # With database logins nobody's own login may dump the whole database (row-level
        # security, hidden columns): the server's scheduled job makes the backups.
        self.server_managed = session.profile.backend == "postgresql" and session.profile.auth == "database"
        if self.server_managed:
            note = QLabel(translate("Backups", "On this server the backups are made by the server's scheduled "
                                               "job (crm-admin backup --verify, run by the server administrator); "
                                               "the runs it recorded are listed here."), self)
            note.setObjectName("serverManagedNote")
            note.setWordWrap(True)
            layout.addWidget(note)
            for button in (self.backup_button, self.verify_button, self.restore_button):
                button.hide()
        layout.addLayout(buttons)
        layout.addWidget(self.runs_table, 1)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status_label)
        self.backup_button.clicked.connect(self._on_backup_button_clicked)
        self.verify_button.clicked.connect(self._on_verify_button_clicked)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.runs_table.itemSelectionChanged.connect(self._on_runs_table_selection_changed)
        self.reload()

    # ----------------------------------------------------------- interface

    def reload(self) -> None:
        """Load the record of runs in the background."""
        self._start(load_backup_state, self.session, done=self._on_loaded, progress=False)

    def selected_path(self) -> str | None:
        """The backup file of the selected run (None when the run left no file)."""
        items = self.runs_table.selectedItems()
        return self.runs_table.item(items[0].row(), 3).data(PATH_ROLE) if items else None

    def backup_now(self) -> None:
        self._start(self.session.backups.backup_now, None, done=self._on_backed_up)

    def verify(self, path: str) -> None:
        self._start(self.session.backups.verify, path, done=self._on_run_done)

    def restore(self) -> None:
        """Choose a file, explain and ask for the typed confirmation, then restore in the background."""
        path = choose_backup_file(self, self.default_dir)
        if not path:
            return
        typed = ask_confirmation(self, self.confirm_name, path)
        if typed is None:
            return
        self._status(translate("Backups", "Restoring… (a safety backup is taken first)"))
        self._start(_restore, self.session, path, typed, done=self._on_restored)

    # -------------------------------------------------------------- helpers

    def _button(self, name: str, label: str) -> QPushButton:
        button = QPushButton(label, self)
        button.setObjectName(name)
        return button

    def _start(self, fn: Any, *args: Any, done: Any, progress: bool = True) -> None:
        if self.busy:
            return
        self._set_busy(True, progress)
        run_in_background(fn, *args, done=lambda result: self._finish(done, result), failed=self._on_failed,
                          progress=self._on_progress if progress else None)

    def _finish(self, done: Any, result: Any) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        done(result)

    def _set_busy(self, busy: bool, progress: bool = False) -> None:
        self.busy = busy
        self.progress_bar.setVisible(busy and progress)
        self.progress_bar.setRange(0, 0)  # busy until the first report
        self.backup_button.setEnabled(not busy)
        self.restore_button.setEnabled(not busy)
        self.verify_button.setEnabled(not busy and self.selected_path() is not None)

    def _status(self, text: str, error: bool = False) -> None:
        self.status_label.setStyleSheet(ERROR_STYLE if error else "")
        self.status_label.setText(text)

    def _show_runs(self, runs: list[dict[str, Any]]) -> None:
        kinds = {"backup": translate("Backups", "Backup"), "auto": translate("Backups", "Daily backup"),
                 "verify": translate("Backups", "Verification"), "restore": translate("Backups", "Restore")}
        self.runs_table.setRowCount(len(runs))
        for row, run in enumerate(runs):
            path = run["path"]
            cells = (run["started_at"].astimezone().strftime("%Y-%m-%d %H:%M"), kinds.get(run["kind"], run["kind"]),
                     translate("Backups", "OK") if run["ok"] else translate("Backups", "Failed"),
                     Path(path).name if path else "", _size(run["size_bytes"]), run["by_login"])
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setToolTip(run["message"](self.lang))
                self.runs_table.setItem(row, column, item)
            self.runs_table.item(row, 3).setData(PATH_ROLE, path if run["kind"] in ("backup", "auto") else None)
        self._set_busy(self.busy)

    # ---------------------------------------------------------------- slots

    def _on_backup_button_clicked(self) -> None:
        self.backup_now()

    def _on_verify_button_clicked(self) -> None:
        path = self.selected_path()
        if path:
            self.verify(path)

    def _on_restore_button_clicked(self) -> None:
        self.restore()

    def _on_runs_table_selection_changed(self) -> None:
        self._set_busy(self.busy)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)

    def _on_loaded(self, state: tuple[list[dict[str, Any]], str, str]) -> None:
        runs, self.confirm_name, self.default_dir = state
        self._show_runs(runs)

    def _on_backed_up(self, run: dict[str, Any]) -> None:
        self._on_run_done(run)

    def _on_run_done(self, run: dict[str, Any]) -> None:
        report = run.get("report")
        self._status((report.message if report is not None and run["kind"] == "verify" else run["message"])(self.lang),
                     error=not run["ok"])
        self.reload()

    def _on_restored(self, run: dict[str, Any]) -> None:
        self._status(run["message"](self.lang) + "\n" + translate(
            "Backups", "Open windows show the data as it was before; sign in again if your account changed."))
        self.restored.emit()
        self.reload()

    def _on_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        from crm_core.errors import ValidationError

        self._set_busy(False)
        if isinstance(exc, ValidationError):
            self._status(exc.text(self.lang), error=True)
        else:
            present_error(self, exc, self.lang)
        self.reload()


def _restore(session: Any, path: str, confirm: str, progress: Any = None) -> dict[str, Any]:
    return session.backups.restore(path, confirm=confirm, progress=progress)


def _size(size: int | None) -> str:
    if size is None:
        return ""
    return f"{size / 1048576:.1f} MB" if size >= 1048576 else f"{max(size // 1024, 1)} KB"
