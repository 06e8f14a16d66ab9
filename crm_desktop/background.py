"""The one way the client does slow work: off the GUI thread, result back on it.

Every database call and every file write goes through :func:`run_in_background`
(Anki's ``QueryOp`` idea). The function runs on a worker thread; ``done`` or
``failed`` is then called on the GUI thread. Long work takes a
:class:`Progress` to report progress and to notice a cancel request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class Cancelled(Exception):
    """Raised inside background work when the user pressed Cancel."""


class Progress:
    """Handed to long work: report ``(done, total)`` and check for Cancel."""

    def __init__(self, operation: "Operation"):
        self._operation = operation

    def report(self, done: int, total: int) -> None:
        """Report progress; raises :class:`Cancelled` once the user cancelled."""
        self.check()
        self._operation.progressed.emit(done, total)

    # crm_core's long work takes ``progress(done, total)``: the object itself can be handed over.
    __call__ = report

    @property
    def cancelled(self) -> bool:
        """True once the user asked to stop."""
        return self._operation.cancel_requested

    def check(self) -> None:
        """Raise :class:`Cancelled` once the user asked to stop."""
        if self._operation.cancel_requested:
            raise Cancelled()


class Operation(QObject):
    """One piece of background work; lives on the GUI thread, so its signals arrive there."""

    succeeded = Signal(object)
    errored = Signal(object)  # the exception
    progressed = Signal(int, int)
    finished = Signal()  # after succeeded or errored, or when cancelled

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._cancel = threading.Event()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report or check."""
        self._cancel.set()


class _Job(QRunnable):
    def __init__(self, operation: Operation, fn: Callable[..., Any], args: tuple, wants_progress: bool):
        super().__init__()
        self.setAutoDelete(True)
        self._operation, self._fn, self._args, self._wants_progress = operation, fn, args, wants_progress

    def run(self) -> None:
        op = self._operation
        try:
            if self._wants_progress:
                result = self._fn(*self._args, progress=Progress(op))
            else:
                result = self._fn(*self._args)
        except Cancelled:
            pass
        except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread's error presenter
            op.errored.emit(exc)
        else:
            if not op.cancel_requested:
                op.succeeded.emit(result)
        op.finished.emit()


_pool: QThreadPool | None = None


def _thread_pool() -> QThreadPool:
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        # Two workers: a long export does not hold up the grid's next page.
        _pool.setMaxThreadCount(2)
    return _pool


def run_in_background(fn: Callable[..., Any], *args: Any, done: Callable[[Any], None] | None = None,
                      failed: Callable[[BaseException], None] | None = None,
                      progress: Callable[[int, int], None] | None = None,
                      finished: Callable[[], None] | None = None,
                      parent: QObject | None = None) -> Operation:
    """Run ``fn(*args)`` on a worker thread; ``done(result)`` / ``failed(exc)`` run on the GUI thread.

    With ``progress`` given, ``fn`` is called with a keyword ``progress=``
    (:class:`Progress`) and the callback receives ``(done, total)``.
    ``finished()`` runs last in every case (success, error, cancel). Pass
    callbacks here rather than connecting to the returned operation: the work
    starts at once and may be over before a later ``connect``.
    """
    op = Operation(parent)
    if done is not None:
        op.succeeded.connect(done)
    if failed is not None:
        op.errored.connect(failed)
    if progress is not None:
        op.progressed.connect(progress)
    if finished is not None:
        op.finished.connect(finished)
    # Keep the Python wrapper alive until the work is over (no parent may hold it).
    _running.add(op)
    op.finished.connect(lambda: _running.discard(op))
    _thread_pool().start(_Job(op, fn, args, progress is not None))
    return op


_running: set[Operation] = set()


def wait_for_all(msecs: int = 30_000) -> bool:
    """Block until background work is done (shutdown and tests)."""
    return _thread_pool().waitForDone(msecs)
