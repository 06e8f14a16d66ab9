"""Running work again after an environment fault, only when that cannot do it twice.

:func:`call_retrying` re-runs a call that failed with :class:`DatabaseBusy` or
:class:`DatabaseUnavailable` when the error says nothing was committed
(``retry_safe``) and no other unit of work of the same call committed before it
(a call that already saved part of its work is not repeated). Reads are always
safe; a write is retried after a lock, a serialization failure or a deadlock, or
a connection lost before COMMIT. No SQLAlchemy here: the desktop client imports
this before the database layer is loaded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from crm_core.errors import DatabaseUnavailable

T = TypeVar("T")
DELAYS = (0.2, 0.5, 1.0, 2.0, 4.0)  # about 8 s: long enough for a server restart or a lock holder to finish
_local = threading.local()


def note_commit() -> None:
    """Count a committed unit of work on this thread (called by the database layer)."""
    _local.commits = commits() + 1


def commits() -> int:
    """Units of work committed on this thread so far."""
    return getattr(_local, "commits", 0)


def call_retrying(fn: Callable[..., T], *args: Any, delays: tuple[float, ...] | None = None,
                  wait: Callable[[float], bool] | None = None,
                  on_retry: Callable[[int, DatabaseUnavailable], None] | None = None, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, run again after a database fault while that is safe.

    Args:
        delays: pause before each further attempt (their number is the number of retries);
            :data:`DELAYS` by default.
        wait: pauses for the given seconds; returns True to stop (the user cancelled).
        on_retry: told ``(attempt, error)`` before each pause.

    Raises:
        DatabaseUnavailable / DatabaseBusy: the last fault, with ``attempts`` set.
    """
    delays = DELAYS if delays is None else delays
    pause = wait or (lambda seconds: threading.Event().wait(seconds))
    attempt = 0
    while True:
        attempt += 1
        before = commits()
        try:
            return fn(*args, **kwargs)
        except DatabaseUnavailable as exc:
            exc.attempts = attempt
            if attempt > len(delays) or not exc.retry_safe or commits() != before:
                raise
            if on_retry is not None:
                on_retry(attempt, exc)
            if pause(delays[attempt - 1]):
                raise
