"""The file choosers of import and export, as module-level functions.

Kept apart (and called through this module) so tests can replace them with
``monkeypatch.setattr(file_dialogs, "choose_open_path", ...)``: a native file
dialog cannot be driven offscreen.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

#: Suffix and file-dialog filter per export / report format.
FORMAT_FILTERS = {
    "xlsx": ("xlsx", "Excel (*.xlsx)"),
    "csv": ("csv", "CSV (*.csv)"),
    "pdf": ("pdf", "PDF (*.pdf)"),
}


def documents_folder() -> Path:
    """Where save dialogs start: the user's documents folder (home if there is none)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder else Path.home()


def choose_open_path(parent: QWidget | None, title: str) -> str | None:
    """Ask for a spreadsheet to import; None when the user cancelled."""
    name_filter = translate("Transfer", "Spreadsheets (*.xlsx *.csv);;All files (*)")
    path, _chosen = QFileDialog.getOpenFileName(parent, title, str(documents_folder()), name_filter)
    return path or None


def choose_save_path(parent: QWidget | None, title: str, suggested_name: str, fmt: str) -> str | None:
    """Ask where to save a file of format ``fmt`` ("xlsx", "csv", "pdf"); None when cancelled.

    The suffix is added when the user typed a name without it.
    """
    suffix, name_filter = FORMAT_FILTERS[fmt]
    start = documents_folder() / suggested_name
    path, _chosen = QFileDialog.getSaveFileName(parent, title, str(start), name_filter)
    if not path:
        return None
    if not path.lower().endswith(f".{suffix}"):
        path = f"{path}.{suffix}"
    return path


def open_folder(folder: Path) -> None:
    """Show ``folder`` in the system's file manager."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
