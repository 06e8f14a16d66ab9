"""A locked, busy, restarting or vanished database is a domain error, retried where safe (issue 11, item 16)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event, text

from crm_core import DatabaseBusy, DatabaseUnavailable
from crm_core.retry import call_retrying
from crm_core.session import connect
from tests.conftest import PASSWORD


def _raise_sqlstate(admin, state: str, *, write: bool) -> None:
    with admin.db.unit_of_work(write=write) as s:
        s.execute(text(f"DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '{state}'; END $$"))


@pytest.mark.parametrize("state, words", [("40001", "serialization"), ("40P01", "deadlock"),
                                          ("55P03", "locked")])
def test_postgresql_serialization_failures_deadlocks_and_lock_timeouts_are_busy(admin, backend, state, words):
    if backend != "postgresql":
        pytest.skip("PostgreSQL SQLSTATEs")

    with pytest.raises(DatabaseBusy) as err:
        _raise_sqlstate(admin, state, write=True)

    assert err.value.retry_safe  # the server rolled the transaction back: nothing was committed
    assert words in err.value.message.en and "数据库正忙" in err.value.message.zh
    assert "What you typed is kept" in err.value.message.en


def test_a_connection_killed_by_a_server_restart_is_unavailable_and_the_next_call_reconnects(admin, backend):
    if backend != "postgresql":
        pytest.skip("a server connection")
    with pytest.raises(DatabaseUnavailable) as err:
        with admin.db.unit_of_work(write=False) as s:
            s.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))  # what a restart does to us

    assert err.value.retry_safe and not isinstance(err.value, DatabaseBusy)
    assert "unavailable" in err.value.message.en
    assert admin.customers.count() == 0  # a fresh connection, no error


def test_every_pooled_connection_dropped_meanwhile_is_replaced_without_an_error(admin, make_customer, profile,
                                                                               backend, pg_server):
    if backend != "postgresql":
        pytest.skip("a server connection")
    make_customer()
    with pg_server["admin"].connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": profile.database})

    assert admin.customers.count() == 1


def test_a_connection_lost_during_commit_is_not_safe_to_retry(admin, profile, backend, pg_server):
    if backend != "postgresql":
        pytest.skip("a server connection")
    with pytest.raises(DatabaseUnavailable) as err:
        with admin.db.unit_of_work(write=True) as s:
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar()
            s.execute(text("CREATE TEMP TABLE t (x int)"))

            @event.listens_for(s, "before_commit")
            def _kill(_session):
                with pg_server["admin"].connect() as conn:
                    conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

            s.commit()

    assert err.value.retry_safe is False  # COMMIT was on its way: the outcome is unknown


@pytest.fixture
def quick_sqlite_lock(profile, backend, monkeypatch):
    """A session whose SQLite waits 50 ms for a lock, and a raw connection holding the write lock."""
    if backend != "sqlite":
        pytest.skip("SQLite's file lock")
    import crm_core.db.engine as engine

    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 50)
    session = connect(profile, "admin", PASSWORD, upgrade=False)
    raw = sqlite3.connect(profile.path, isolation_level=None)
    raw.execute("BEGIN IMMEDIATE")  # another program writing
    yield session, raw
    raw.close()
    session.close()


def test_a_locked_sqlite_database_is_busy_not_a_crash(admin, quick_sqlite_lock):
    session, _raw = quick_sqlite_lock

    with pytest.raises(DatabaseBusy) as err:
        session.customers.create({"name": "锁住的公司"})

    assert err.value.retry_safe
    assert "another program is writing" in err.value.message.en


def test_a_write_refused_by_a_lock_is_retried_and_done_once(admin, quick_sqlite_lock):
    session, raw = quick_sqlite_lock
    retries = []

    def on_retry(attempt, exc):
        retries.append((attempt, type(exc).__name__))
        raw.rollback()  # the other program finishes its write

    created = call_retrying(session.customers.create, {"name": "重试的公司"}, delays=(0.0, 0.0), on_retry=on_retry)

    assert retries == [(1, "DatabaseBusy")]
    assert [r["id"] for r in admin.customers.list().rows] == [created["id"]]


def test_the_retry_gives_up_with_the_number_of_attempts(admin, quick_sqlite_lock):
    session, _raw = quick_sqlite_lock

    with pytest.raises(DatabaseBusy) as err:
        call_retrying(session.customers.create, {"name": "锁住的公司"}, delays=(0.0, 0.0))

    assert err.value.attempts == 3


def test_a_call_that_committed_part_of_its_work_is_not_repeated(admin):
    calls = []

    def two_units():
        calls.append(1)
        admin.customers.create({"name": f"第{len(calls)}家公司"})
        raise DatabaseBusy(admin.customers.spec.label)  # the second unit of work met a lock

    with pytest.raises(DatabaseBusy):
        call_retrying(two_units, delays=(0.0, 0.0))

    assert len(calls) == 1 and admin.customers.count() == 1


def test_an_embedded_database_whose_folder_is_gone_is_unavailable(tmp_path):
    from crm_core.db.engine import Database, make_engine

    db = Database(make_engine(f"sqlite:///{tmp_path / 'unplugged-usb-disk' / 'crm.sqlite3'}"))

    with pytest.raises(DatabaseUnavailable) as err:
        with db.unit_of_work(write=False) as s:
            s.execute(text("SELECT 1"))

    assert err.value.retry_safe and "unavailable" in err.value.message.en
    db.dispose()
