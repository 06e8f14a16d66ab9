"""Backups (备份) on both backends: backup → change → restore, verification under concurrent writes,
the record of runs, the daily rule and the refusals that protect the data."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from crm_core.backup import BackupError, service as backup_service
from crm_core.backup.files import read_manifest
from crm_core.backup.service import BackupService
from crm_core.config import data_dir
from crm_core.errors import PermissionDenied, ValidationError


@pytest.fixture
def backups(admin) -> BackupService:
    return BackupService(admin.services.context)


def names(session) -> list[str]:
    return sorted(row["name"] for row in session.customers.list().rows)


def test_restore_brings_back_the_data_as_at_the_backup(admin, backups, db, make_customer):
    kept = make_customer("北京星辰软件有限公司")
    run = backups.backup_now()
    assert run["ok"] and Path(run["path"]).is_file() and run["kind"] == "backup"
    admin.customers.update(kept["id"], {"name": "改名后的公司"}, version=kept["version"])
    make_customer("备份之后新建的公司")
    db.dispose()  # the fixture's own connections: nobody else uses the database

    done = backups.restore(run["path"], confirm=backups.confirm_name())

    assert names(admin) == ["北京星辰软件有限公司"]
    safety = done["safety_backup"]
    assert safety.is_file() and "before-restore" in safety.name
    before = read_manifest(safety)["tables"]["customers"]["rows"]
    assert before == 2  # the safety backup holds the state that was replaced
    latest = backups.runs()[0]
    assert (latest["kind"], latest["ok"], latest["path"]) == ("restore", True, run["path"])
    assert str(safety) in latest["message"].en
    log = (data_dir() / "backups" / "backup.log").read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[1:3] for line in log] == [["backup", "ok"], ["restore", "ok"]]


def test_restore_is_refused_without_the_right_confirmation(admin, backups, make_customer):
    run = backups.backup_now()
    make_customer("不应消失的公司")
    for wrong in ("", "crm", backups.confirm_name() + "x"):
        with pytest.raises(ValidationError) as info:
            backups.restore(run["path"], confirm=wrong)
        assert info.value.fields == {"confirm"} and backups.confirm_name() in info.value.message.en
    assert names(admin) == ["不应消失的公司"]
    assert [r["kind"] for r in backups.runs()] == ["backup"]


def test_only_administrators_make_backups(login):
    sales = BackupService(login("sales1").services.context)
    with pytest.raises(PermissionDenied):
        sales.backup_now()
    with pytest.raises(PermissionDenied):
        sales.runs()


def test_a_backup_newer_than_the_program_is_refused_before_anything_changes(admin, backups, backend, db,
                                                                            make_customer, tmp_path):
    if backend != "sqlite":
        pytest.skip("the revision inside a dump cannot be edited; the rule is the same code path")
    run = backups.backup_now()
    conn = sqlite3.connect(run["path"])
    conn.execute("UPDATE alembic_version SET version_num = 'ffff_future'")
    conn.commit()
    conn.close()
    make_customer("保留的公司")
    db.dispose()
    with pytest.raises(BackupError) as info:
        backups.restore(run["path"], confirm=backups.confirm_name())
    assert "newer than this program" in info.value.message.en and "unchanged" in info.value.message.en
    assert names(admin) == ["保留的公司"]
    assert backups.runs()[0]["kind"] == "restore" and not backups.runs()[0]["ok"]


def test_postgresql_restore_is_refused_while_others_are_connected(admin, backups, backend, make_customer, db):
    if backend != "postgresql":
        pytest.skip("SQLite has no server to ask who is connected")
    run = backups.backup_now()
    make_customer("后来的公司")
    with db.engine.connect() as other:  # another client, in the middle of its work
        other.execute(text("SELECT 1"))
        with pytest.raises(BackupError) as info:
            backups.restore(run["path"], confirm=backups.confirm_name())
        assert "other connection" in info.value.message.en and "个其他连接" in info.value.message.zh
    assert names(admin) == ["后来的公司"]
    db.dispose()
    backups.restore(run["path"], confirm=backups.confirm_name(), force=True)
    assert names(admin) == []


# ----------------------------------------------------------- during writes

class Writer(threading.Thread):
    """Keeps inserting rows from its own connection until told to stop."""

    def __init__(self, write_one):
        super().__init__(daemon=True)
        self.write_one, self.count, self.stop, self.error = write_one, 0, threading.Event(), None
        self.started_writing = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.write_one(self.count)
                self.count += 1
                if self.count >= 5:
                    self.started_writing.set()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
            self.started_writing.set()


def hold_until_more_writes(writer: Writer, more: int):
    """A progress callback that, at the backup's first report (its snapshot taken), waits for more writes."""
    def progress(done: int, total: int) -> None:
        if done == 0:
            target = writer.count + more
            while writer.count < target and writer.error is None:
                writer.stop.wait(0.01)
    return progress


def test_postgresql_backup_taken_while_another_session_writes_verifies(admin, backups, backend, login):
    if backend != "postgresql":
        pytest.skip("the scratch-database verification is PostgreSQL's")
    other = login("sales1")
    writer = Writer(lambda i: other.customers.create({"name": f"并发写入公司{i:04d}"}))
    writer.start()
    assert writer.started_writing.wait(60)
    try:
        run = backups.backup_now(verify=True, progress=hold_until_more_writes(writer, 6))
    finally:
        writer.stop.set()
        writer.join(60)
    assert writer.error is None
    report = run["report"]
    assert report.ok and report.compared and report.integrity == "ok", report.mismatches
    in_backup = report.tables["customers"]["rows"]
    assert 5 <= in_backup and in_backup + 5 <= writer.count == admin.customers.count()
    assert report.tables == read_manifest(Path(run["path"]))["tables"]  # scratch copy == source snapshot


def test_sqlite_backup_taken_during_writes_passes_integrity_check(admin, backups, backend, profile):
    if backend != "sqlite":
        pytest.skip("the SQLite backup API")
    conn = sqlite3.connect(str(profile.sqlite_path), timeout=30, check_same_thread=False)

    def write_one(i: int) -> None:
        conn.execute("INSERT INTO code_sequences (key, last_value) VALUES (?, ?)", (f"W{i:06d}", i))
        conn.commit()

    writer = Writer(write_one)
    writer.start()
    assert writer.started_writing.wait(60)
    try:
        run = backups.backup_now(verify=True, progress=hold_until_more_writes(writer, 5))
    finally:
        writer.stop.set()
        writer.join(60)
        conn.close()
    assert writer.error is None
    report = run["report"]
    assert report.ok and report.integrity == "ok" and report.compared
    assert 5 <= report.tables["code_sequences"]["rows"] <= writer.count


def test_verify_finds_a_backup_that_no_longer_matches_its_manifest(backups, backend, make_customer):
    make_customer("校验用公司")
    run = backups.backup_now()
    path = Path(run["path"])
    manifest = path.with_name(path.name + ".json")
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"rows": 1', '"rows": 2', 1), encoding="utf-8")
    checked = backups.verify(path)
    assert not checked["ok"] and "rows expected" in checked["report"].message.en
    assert backups.runs()[0]["kind"] == "verify" and not backups.runs()[0]["ok"]


# -------------------------------------------------------------- daily rule

def test_the_daily_backup_runs_once_a_day(backups, monkeypatch):
    assert backups.daily_due()  # never backed up
    first = backups.run_daily_if_due()
    assert first["kind"] == "auto" and first["ok"] and "daily" in Path(first["path"]).name
    assert not backups.daily_due() and backups.run_daily_if_due() is None
    later = first["finished_at"] + dt.timedelta(hours=23)
    monkeypatch.setattr(backup_service, "now", lambda: later)
    assert not backups.daily_due()
    monkeypatch.setattr(backup_service, "now", lambda: later + dt.timedelta(hours=1, minutes=1))
    assert backups.daily_due()
    assert backups.run_daily_if_due()["kind"] == "auto"
    assert [r["kind"] for r in backups.runs()] == ["auto", "auto"]


def test_a_manual_backup_counts_for_the_day_and_a_failed_one_does_not(backups, backend, monkeypatch):
    def broken(*args, **kwargs):
        raise BackupError(backup_service.Text("磁盘已满", "The disk is full"))

    monkeypatch.setattr(backup_service, "make_backup", broken)
    with pytest.raises(BackupError):
        backups.backup_now()
    failed = backups.runs()[0]
    assert (failed["kind"], failed["ok"], failed["message"].en) == ("backup", False, "The disk is full")
    assert backups.daily_due()
    monkeypatch.undo()
    backups.backup_now()
    assert not backups.daily_due()
