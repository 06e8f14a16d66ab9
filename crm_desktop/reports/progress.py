"""Long report work with a progress dialog and a Cancel button that really stops it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from crm_desktop.background import Operation, Progress, run_in_background

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

SHOW_AFTER_MS = 300  # quick work finishes without a dialog flashing up


def run_with_progress(parent: QWidget, label: str, fn: Callable[..., Any], *args: Any,
                      done: Callable[[Any], None], failed: Callable[[BaseException], None],
                      finished: Callable[[], None] | None = None) -> tuple[Operation, QProgressDialog]:
    """Run ``fn(*args, progress=...)`` in the background behind a window-modal progress dialog.

    Cancel asks the operation to stop; the work raises at its next progress
    report and cleans up after itself (crm_core removes a partial file), and
    neither ``done`` nor ``failed`` is called. ``finished`` runs last in every case.

    Returns:
        The operation and its dialog (tests press Cancel on the dialog).
    """
    dialog = QProgressDialog(label, translate("Reports", "Cancel"), 0, 0, parent)
    dialog.setObjectName("reportProgress")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def _on_progressed(step: int, total: int) -> None:
        if total > 0 and not dialog.wasCanceled():
            dialog.setMaximum(total)
            dialog.setValue(min(step, total))

    def _on_finished() -> None:
        dialog.reset()
        dialog.deleteLater()
        if finished is not None:
            finished()

    def _work(*work_args: Any, progress: Progress) -> Any:
        # crm_core takes a plain ``progress(done, total)`` callable; ``report`` raises once cancelled.
        return fn(*work_args, progress=progress.report)

    operation = run_in_background(_work, *args, done=done, failed=failed, progress=_on_progressed,
                                  finished=_on_finished, parent=None)
    dialog.canceled.connect(operation.cancel)  # the dialog shows itself after SHOW_AFTER_MS
    return operation, dialog
