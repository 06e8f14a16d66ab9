"""The one error presenter of the client (Tryton habit): each crm_core error → one kind of dialog.

Errors split in two (qutebrowser habit):

* known errors, :class:`crm_core.errors.CrmError` and its subclasses, are the
  environment's or the user's fault; the user is told, in his language, with a
  warning / critical / information box;
* anything else is a bug: a crash dialog with the traceback, and a crash log
  file under :func:`log_dir` so it can be sent to the developers.

crm_core is imported lazily (it pulls in SQLAlchemy): the login window must
appear before it is loaded.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import platform
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

APP_NAME = "crm-desktop"
log = logging.getLogger(__name__)



def log_dir() -> Path:
    """Folder of log and crash files: ``CRM_LOG_DIR`` or the platformdirs user log dir."""
    if os.environ.get("CRM_LOG_DIR"):
        return Path(os.environ["CRM_LOG_DIR"])
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, APP_NAME))


def _icon_for(exc: BaseException) -> QMessageBox.Icon | None:
    """The box icon for a known error, None for a bug. Checked most specific first."""
    from crm_core import errors as e

    table: list[tuple[type, QMessageBox.Icon]] = [
        (e.ValidationError, QMessageBox.Icon.Warning),
        (e.AuthenticationFailed, QMessageBox.Icon.Warning),
        (e.PermissionDenied, QMessageBox.Icon.Warning),
        (e.ConcurrencyConflict, QMessageBox.Icon.Warning),
        (e.InUse, QMessageBox.Icon.Warning),
        (e.NotFound, QMessageBox.Icon.Information),
        (e.RecordInactive, QMessageBox.Icon.Information),
        (e.SavedWithWarning, QMessageBox.Icon.Warning),
        (e.DatabaseBusy, QMessageBox.Icon.Warning),
        (e.DatabaseUnavailable, QMessageBox.Icon.Critical),
        (e.SchemaMismatch, QMessageBox.Icon.Critical),
        (e.ConfigurationError, QMessageBox.Icon.Critical),
        (e.CrmError, QMessageBox.Icon.Warning),
    ]
    for cls, icon in table:
        if isinstance(exc, cls):
            return icon
    return None


def _title_for(exc: BaseException) -> str:
    from crm_core import errors as e

    titles = [
        (e.ValidationError, translate("Errors", "Please check your input")),
        (e.AuthenticationFailed, translate("Errors", "Sign-in failed")),
        (e.PermissionDenied, translate("Errors", "Not allowed")),
        (e.ConcurrencyConflict, translate("Errors", "Changed by someone else")),
        (e.InUse, translate("Errors", "Still in use")),
        (e.NotFound, translate("Errors", "Not found")),
        (e.RecordInactive, translate("Errors", "Record deactivated")),
        (e.SavedWithWarning, translate("Errors", "Saved, with a warning")),
        (e.DatabaseBusy, translate("Errors", "Database busy")),
        (e.DatabaseUnavailable, translate("Errors", "Database unavailable")),
        (e.SchemaMismatch, translate("Errors", "Database version mismatch")),
        (e.ConfigurationError, translate("Errors", "Configuration error")),
    ]
    return next((title for cls, title in titles if isinstance(exc, cls)), translate("Errors", "CRM Desktop"))


def present_error(parent: QWidget | None, exc: BaseException, lang: str) -> QMessageBox:
    """Show ``exc`` to the user, non-blocking (``open()``), and return the box.

    Args:
        parent: window the box belongs to (may be None).
        exc: the error; a non-:class:`CrmError` is treated as a bug.
        lang: "zh_CN" or "en", for crm_core's bilingual messages.

    Returns:
        The message box, already open; it deletes itself when closed.
    """
    icon = _icon_for(exc)
    if icon is None:
        return show_crash_dialog(parent, exc)
    from crm_core.errors import ValidationError

    box = QMessageBox(icon, _title_for(exc), "", QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    if isinstance(exc, ValidationError):
        box.setText(translate("Errors", "Please correct the following:"))
        box.setInformativeText("\n".join(f"• {err.message(lang)}" for err in exc.errors))
    else:
        box.setText(exc.message(lang))  # type: ignore[attr-defined]
    attempts = getattr(exc, "attempts", 1)
    if attempts > 1:  # the environment's fault, already retried: say so, it is not a bug
        box.setInformativeText(translate("Errors", "Tried %1 times automatically.")
                               .replace("%1", str(attempts)))
    _open(box)
    return box


def write_crash_log(exc: BaseException) -> Path | None:
    """Write the traceback of a bug to a new file under :func:`log_dir`; None if that fails.

    Written synchronously on purpose: after a bug the program may not live long
    enough for a background write, and the file is small.
    """
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    header = (f"CRM Desktop crash {dt.datetime.now().isoformat(timespec='seconds')}\n"
              f"Python {platform.python_version()} on {platform.platform()}\n\n")
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{dt.datetime.now():%Y%m%d-%H%M%S-%f}.log"
        path.write_text(header + text, encoding="utf-8")
    except OSError:
        log.exception("could not write the crash log")
        return None
    log.error("unexpected error, crash log %s\n%s", path, text)
    return path


def show_crash_dialog(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """The dialog for a bug: what happened, where the log is, the traceback under "details"."""
    path = write_crash_log(exc)
    box = QMessageBox(QMessageBox.Icon.Critical, translate("Errors", "Unexpected error"),
                      translate("Errors", "Something went wrong inside CRM Desktop. What you typed is still "
                                          "there; you can keep working, but please tell your administrator."),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("crashDialog")
    box.setInformativeText(translate("Errors", "A report was saved to:\n%1").replace("%1", str(path)) if path
                           else translate("Errors", "The report could not be saved."))
    box.setDetailedText("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    _open(box)
    return box


def _open(box: QMessageBox) -> None:
    from PySide6.QtCore import Qt

    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


def install_excepthook(lang: str) -> None:
    """Route uncaught exceptions on the GUI thread to :func:`present_error` instead of dying.

    KeyboardInterrupt keeps Python's default behaviour.
    """
    def _hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        try:
            present_error(QApplication.activeWindow(), exc, lang)
        except Exception:  # noqa: BLE001 - the presenter itself failed: at least print both
            sys.__excepthook__(exc_type, exc, tb)
            traceback.print_exc()

    sys.excepthook = _hook


def setup_logging() -> None:
    """Log warnings and errors to ``crm-desktop.log`` under :func:`log_dir` (and stderr)."""
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(folder / "crm-desktop.log", encoding="utf-8", delay=True))
    except OSError:
        pass
    logging.basicConfig(level=logging.WARNING, handlers=handlers,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
