"""SQLite: a long writer (the importer) leaves the write lock free between its chunks only when another
client waits for it; the waiting client says so through the database's "writer waiting" flag."""

from __future__ import annotations

import os
import threading
import time

import pytest

from crm_core.importing import writer
from crm_core.session import open_database
from tests.integration.test_import_helpers import CUSTOMER_HEADERS, customer_row, write_csv


def _mark_changes(db, before, timeout: float = 20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if db.writer_waiting() != before:
            return db.writer_waiting()
        time.sleep(0.02)
    return before


def test_a_writer_that_finds_the_lock_taken_marks_the_flag_and_then_gets_its_turn(backend, profile):
    if backend != "sqlite":
        pytest.skip("SQLite's one write lock")
    holder, waiter = open_database(profile, upgrade=False), open_database(profile, upgrade=False)
    try:
        with holder.unit_of_work(write=True) as s:  # nobody holds the lock: no mark
            s.connection()
        before = holder.writer_waiting()
        assert before is None
        got_in = threading.Event()

        def save() -> None:
            with waiter.unit_of_work(write=True) as s:
                s.connection()
                got_in.set()

        with holder.unit_of_work(write=True) as s:
            s.connection()
            thread = threading.Thread(target=save)
            thread.start()
            mark = _mark_changes(holder, before)
            assert mark is not None and mark != before  # the waiting writer said so
            assert not got_in.is_set()
        thread.join(timeout=30)
        assert got_in.is_set()  # and then waited as usual, getting the lock once it was free
        assert os.path.exists(profile.path + ".writer-waiting")
    finally:
        holder.dispose()
        waiter.dispose()


def test_postgresql_has_no_flag(backend, db):
    if backend != "postgresql":
        pytest.skip("PostgreSQL writers wait on rows, not on a database lock")
    assert db.writer_waiting() is None


def test_the_import_pauses_between_chunks_only_when_someone_waits(backend, admin, profile, tmp_path, monkeypatch):
    if backend != "sqlite":
        pytest.skip("SQLite's one write lock (PostgreSQL's importer never pauses)")
    path = write_csv(tmp_path / "c.csv", [CUSTOMER_HEADERS] + [customer_row(i) for i in range(8)])
    mapping = admin.imports.auto_mapping("customers", CUSTOMER_HEADERS)
    pauses: list[float] = []
    monkeypatch.setattr(writer.time, "sleep", pauses.append)
    result = admin.imports.run("customers", path, mapping, chunk_rows=2)  # 4 chunks, nobody waiting
    assert result.created == 8 and pauses == []

    real, calls = writer._create_chunk, {"n": 0}

    def a_client_waits_during_the_second_chunk(*args, **kwargs):
        calls["n"] += 1
        real(*args, **kwargs)
        if calls["n"] == 2:  # as the engine does when BEGIN IMMEDIATE finds the lock taken
            flag = profile.path + ".writer-waiting"
            open(flag, "a").close()
            os.utime(flag, ns=(time.time_ns(), time.time_ns() + 10**9))

    monkeypatch.setattr(writer, "_create_chunk", a_client_waits_during_the_second_chunk)
    rows = [CUSTOMER_HEADERS] + [customer_row(i) for i in range(100, 108)]
    result = admin.imports.run("customers", write_csv(tmp_path / "d.csv", rows), mapping, chunk_rows=2)
    assert result.created == 8 and pauses == [writer.SQLITE_GAP_SECONDS]  # after that chunk only
