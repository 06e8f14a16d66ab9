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
    retrying = Signal(int)  # the database was busy or unavailable; attempt number, about to try again
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
        if op.cancel_requested:  # cancelled while queued (the window closed): never started
            op.finished.emit()
            return
        from crm_core.retry import call_retrying  # pure Python; the database layer is loaded by then

        kwargs = {"progress": Progress(op)} if self._wants_progress else {}
        try:
            # A busy or vanished database is retried while nothing can be done twice; Cancel
            # (or closing the window) ends the pause at once.
            result = call_retrying(self._fn, *self._args, wait=op._cancel.wait,
                                   on_retry=lambda attempt, _exc: op.retrying.emit(attempt), **kwargs)
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
    op.finished.connect(lambda: _on_operation_finished(op))
    _thread_pool().start(_Job(op, fn, args, progress is not None))
    return op


_running: set[Operation] = set()
_when_idle: list[Callable[[], None]] = []


def _on_operation_finished(op: Operation) -> None:
    _running.discard(op)
    if not _running:
        _run_idle_callbacks()


def _run_idle_callbacks() -> None:
    callbacks, _when_idle[:] = list(_when_idle), []
    for callback in callbacks:
        callback()


def cancel_all() -> None:
    """Ask every running operation to stop (at its next check) and drop the queued ones."""
    for op in list(_running):
        op.cancel()


def when_idle(callback: Callable[[], None]) -> None:
    """Call ``callback`` on the GUI thread once no background work runs (now, if none does).

    Closing a window disposes its database engine this way: never under a job that
    still uses it, and without blocking the GUI thread until the job ends.
    """
    _when_idle.append(callback)
    if not _running:
        _run_idle_callbacks()


def shutdown(msecs: int = 10_000) -> bool:
    """At program end (the event loop is over): cancel everything, wait up to ``msecs``.

    Returns:
        True when all work ended; the ``when_idle`` callbacks have then run. False leaves
        them unrun: an engine is not disposed under a job that is still inside it.
    """
    cancel_all()
    if not _thread_pool().waitForDone(msecs):
        return False
    _running.clear()
    _run_idle_callbacks()
    return True


def wait_for_all(msecs: int = 30_000) -> bool:
    """Block until background work is done (tests)."""
    return _thread_pool().waitForDone(msecs)
