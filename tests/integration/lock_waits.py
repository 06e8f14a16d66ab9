"""Two clients, the first held inside its write transaction until the second waits for it (or is done).

For the races whose outcome depends on who waits for whom: the first call runs in a thread named
"first" and stops at a hook (:meth:`Held.hold`) with its locks taken; the second call then runs in its own
thread; the first is let go once the second waits for one of the first's locks (PostgreSQL: the server
says so, ``pg_blocking_pids``; SQLite: the second's ``BEGIN IMMEDIATE`` found the write lock taken, the
database's "writer waiting" flag) or has finished without waiting. No sleeps: the waits are on events
and on the server's view of its locks; lock_timeout makes a regression fail instead of hanging.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

WAIT = 60  # seconds any step may take at most before the test fails (never reached when it works)


def no_endless_lock_waits(*sessions: Any) -> None:
    """PostgreSQL: a wait on a lock fails after 20 s (DatabaseBusy) instead of hanging the suite."""
    for session in sessions:
        if session.db.backend == "postgresql":
            event.listen(session.db.engine, "begin",
                         lambda conn: conn.exec_driver_sql("SET LOCAL lock_timeout = '20s'"))


class Held:
    """The first call, held at :meth:`hold` (call it from a monkeypatched hook) until :meth:`release`."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.released = threading.Event()
        self.pid: int | None = None  # the first's PostgreSQL backend

    def hold(self, s: Session) -> None:
        """Stop here when in the first call's thread, the first time (later calls and other threads pass)."""
        if threading.current_thread().name != "first" or self.reached.is_set():
            return
        if s.get_bind().dialect.name == "postgresql":
            self.pid = s.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        self.reached.set()
        assert self.released.wait(WAIT), "never released"

    def release(self) -> None:
        self.released.set()


def _call(name: str, call: Callable[[], Any], results: dict[str, Any], done: threading.Event) -> threading.Thread:
    def run() -> None:
        try:
            results[name] = call()
        except Exception as exc:  # noqa: BLE001 - the test looks at what each client got
            results[name] = exc
        finally:
            done.set()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def _waits_for(observer: Any, held: Held, writer_flag_before: Any, second_done: threading.Event) -> bool:
    """True once the second call waits for the first (False: it finished first)."""
    engine = observer.db.engine
    for _ in range(WAIT * 50):
        if second_done.is_set():
            return False
        if observer.db.backend == "postgresql":
            with engine.connect() as conn:
                if conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"),
                                {"pid": held.pid}).scalar():
                    return True
        elif observer.db.writer_waiting() != writer_flag_before:
            return True
        second_done.wait(0.02)  # (an event wait: returns at once when the second call ends)
    raise AssertionError("the second call neither waited nor finished")


def first_holds_then_second(held: Held, first: Callable[[], Any], second: Callable[[], Any],
                            observer: Any) -> tuple[Any, Any, bool]:
    """Run ``first`` until it reaches ``held``, then ``second``; let the first go once the second waits for it
    or is done. Returns (first's result or error, second's, whether the second waited for the first).
    ``observer``: a signed-in session of the same database (its connection looks at the locks)."""
    results: dict[str, Any] = {}
    first_done, second_done = threading.Event(), threading.Event()
    one = _call("first", first, results, first_done)
    try:
        if not held.reached.wait(WAIT):
            first_done.wait(WAIT)
            raise AssertionError(f"the first call never reached its hold: {results.get('first')!r}")
        flag = observer.db.writer_waiting()
        two = _call("second", second, results, second_done)
        waited = _waits_for(observer, held, flag, second_done)
    finally:
        held.release()
    one.join(WAIT)
    two.join(WAIT)
    assert not one.is_alive() and not two.is_alive()
    return results["first"], results["second"], waited
