"""A progress bar with a Cancel button for one background job at a time (wizard pages).

Wraps :func:`crm_desktop.background.run_in_background`: the job gets the
``progress=`` callback, the bar follows its ``(done, total)`` reports, and Cancel
asks the job to stop at its next report (crm_core then rolls back and removes
partial files). Exactly one of ``done``, ``failed`` or ``cancelled`` is called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from crm_desktop.background import Operation, Progress, run_in_background

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate


class TaskStrip(QWidget):
    """Progress bar + Cancel, visible only while its job runs.

    Signals:
        running_changed(bool): a job started (True) or ended in any way (False).
    """

    running_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        """An idle (hidden) strip."""
        super().__init__(parent)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("taskProgress")
        self.bar.setRange(0, 0)  # busy until the first report says how much there is
        self.cancel_button = QPushButton(translate("Transfer", "Cancel"), self)
        self.cancel_button.setObjectName("taskCancelButton")
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel_button)
        self._operation: Operation | None = None
        self._outcome = False  # done or failed arrived for the current job
        self.hide()

    @property
    def running(self) -> bool:
        """True while a job is on its way."""
        return self._operation is not None

    def start(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None],
              failed: Callable[[BaseException], None], cancelled: Callable[[], None]) -> None:
        """Run ``fn(*args, progress=...)`` in the background and show its progress."""
        self._outcome = False
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.show()

        def _done(result: Any) -> None:
            self._outcome = True
            done(result)

        def _failed(exc: BaseException) -> None:
            self._outcome = True
            failed(exc)

        # A Cancel pressed after the job's last report cannot stop it any more, and the
        # background helper then drops the result: keep it here so a finished import is
        # never reported as cancelled.
        results: list[Any] = []

        def _call(*call_args: Any, progress: Progress) -> Any:
            # crm_core calls ``progress(done, total)``; Progress.report raises Cancelled on Cancel.
            results.append(fn(*call_args, progress=progress.report))
            return results[-1]

        def _finished() -> None:
            self._operation = None
            self.hide()
            self.running_changed.emit(False)
            if self._outcome:
                return
            if results:
                done(results[-1])
            else:  # neither result nor error: the job noticed the Cancel
                cancelled()

        self._operation = run_in_background(_call, *args, done=_done, failed=_failed,
                                            progress=self._on_progress, finished=_finished)
        self.running_changed.emit(True)

    def cancel(self) -> None:
        """Ask the running job to stop (it stops at its next progress report)."""
        if self._operation is not None:
            self._operation.cancel()
            self.cancel_button.setEnabled(False)  # once is enough; the job needs a moment

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
