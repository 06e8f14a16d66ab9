"""Engines and units of work for both backends.

SQLite (embedded): WAL journal, foreign keys on, a busy timeout, and write
transactions opened with ``BEGIN IMMEDIATE`` so two processes that both want to
write queue up instead of failing with "database is locked" half-way. A write
transaction that finds the lock taken says so in a file beside the database
(``<database>.writer-waiting``, its modified time touched) before it waits:
a long writer (the importer, writing chunk after chunk) leaves the lock free
between chunks only when somebody waits (:meth:`Database.writer_waiting`).
PostgreSQL: plain READ COMMITTED; writers serialise on row locks.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from crm_core import retry
from crm_core.db.faults import translate_fault

SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITER_WAITING_SUFFIX = ".writer-waiting"


_PENDING, _COMMITTED = "after_commit_pending", "after_commit_committed"


def after_commit(session: Session, work: Any) -> None:
    """Run ``work()`` once ``session``'s transaction has committed and its unit of work has ended.

    For what must not happen before the commit nor after a rollback (ending a
    disabled login's sessions: :mod:`crm_core.services.logins`). ``work`` uses
    a connection of its own; its exceptions reach the caller of the unit of work.
    """
    if _PENDING not in session.info:
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_rollback", _rolled_back)
    session.info.setdefault(_PENDING, []).append(work)


def _committed(session: Session) -> None:
    session.info.setdefault(_COMMITTED, []).extend(session.info.pop(_PENDING, ()))
    session.info[_PENDING] = []


def _rolled_back(session: Session) -> None:
    session.info[_PENDING] = []


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` with the settings this application relies on."""
    url_obj = url if isinstance(url, URL) else _parse(url)
    if url_obj.get_backend_name() == "sqlite":
        engine = create_engine(
            url_obj,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "isolation_level": None,
                          "check_same_thread": False},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    # No JIT: it compiles any statement the planner costs high, which a search's row-by-row
    # test over a whole table is (a count with a 25 ms budget took 750 ms, compiling, at
    # 200,000 customers; the compile cannot be interrupted). Short statements only here.
    connect_args = {"options": "-c jit=off", **kwargs.pop("connect_args", {})}
    return create_engine(url_obj, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _parse(url: str) -> URL:
    from sqlalchemy.engine import make_url

    return make_url(url)


def writer_waiting_flag(url: URL) -> str | None:
    """The file a waiting SQLite writer touches (beside the database file); None for an in-memory database."""
    name = url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return os.path.abspath(name) + WRITER_WAITING_SUFFIX


def _note_writer_waiting(flag: str) -> None:
    """Touch the flag (its modified time is the signal); a folder we may not write in only loses the signal."""
    try:
        with open(flag, "a"):
            pass
        os.utime(flag)
    except OSError:
        pass


def _busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY or "locked" in str(exc)


def _configure_sqlite(engine: Engine) -> None:
    flag = writer_waiting_flag(engine.url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if dbapi_conn.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # The driver runs in autocommit mode (isolation_level=None) so that we
        # choose how each transaction starts.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode == "IMMEDIATE" and flag is not None:
            # First without waiting: if another writer holds the lock, say so (the flag) and then wait as usual.
            raw = conn.connection.driver_connection
            raw.execute("PRAGMA busy_timeout = 0")
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise
                _note_writer_waiting(flag)
            finally:
                raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        conn.exec_driver_sql(f"BEGIN {mode}")


def _denied_by_the_server(exc: DBAPIError) -> bool:
    """True for PostgreSQL's "permission denied" (SQLSTATE 42501) and row-level-security refusals."""
    return getattr(exc.orig, "sqlstate", None) == "42501"


def _on_before_commit(session: Session) -> None:
    session.info["commit_started"] = True  # from here on a lost connection leaves the outcome unknown


def _on_after_commit(session: Session) -> None:
    session.info["commit_started"] = False
    retry.note_commit()


class Database:
    """One database: its engine and a factory of units of work."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.backend = engine.dialect.name  # "sqlite" | "postgresql"
        self._waiting_flag = writer_waiting_flag(engine.url) if self.backend == "sqlite" else None
        self._sessions = sessionmaker(engine, expire_on_commit=False, autoflush=True)
        if self.backend == "postgresql":
            # Database logins may not read every column; whole-entity selects load around them.
            from crm_core.services.masked import install

            install(self._sessions)
        event.listen(self._sessions, "before_commit", _on_before_commit)
        event.listen(self._sessions, "after_commit", _on_after_commit)

    @contextmanager
    def unit_of_work(self, *, write: bool) -> Iterator[Session]:
        """A transaction: commit explicitly with ``session.commit()``; leaving rolls back.

        Args:
            write: the work will write. On SQLite it then takes the write lock
                at BEGIN, so it waits for other writers instead of failing later.
        """
        session = self._sessions()
        try:
            if self.backend == "sqlite":
                session.connection(execution_options={"sqlite_begin": "IMMEDIATE" if write else "DEFERRED"})
            yield session
        except DBAPIError as exc:
            fault = translate_fault(exc, commit_started=session.info.get("commit_started", False))
            if fault is not None:
                raise fault from exc
            if _denied_by_the_server(exc):
                # Database logins: the server refused what the role may not do (a column it may
                # not read, a table it may not write). The services check first; this is the
                # message for what slips past them, instead of a crash dialog.
                from crm_core.errors import PermissionDenied
                from crm_core.i18n import Text

                raise PermissionDenied(Text("数据库拒绝了此操作：您的角色无权访问其中的数据。",
                                            "The database refused this: your role may not access some of "
                                            "that data.")) from exc
            raise
        finally:
            session.rollback()
            session.close()
        # Only once the transaction has committed and the session is closed (never after a rollback).
        for work in session.info.pop(_COMMITTED, ()):
            work()

    def writer_waiting(self) -> int | None:
        """SQLite: a mark that changes whenever a write transaction had to wait for the lock (the flag's
        modified time, ns); None when no writer has waited yet, or on PostgreSQL (writers wait on rows there)."""
        if self._waiting_flag is None:
            return None
        try:
            return os.stat(self._waiting_flag).st_mtime_ns
        except OSError:
            return None

    def dispose(self) -> None:
        self.engine.dispose()
