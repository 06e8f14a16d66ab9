"""``crm-admin`` run in-process: ``crm_core.cli.main([...])`` with the test database.

Tests that take ``profile`` run on SQLite and PostgreSQL. Tests named
``test_sqlite_*`` are SQLite-only on purpose (an embedded file created from
nothing, the online-backup API) and use their own file under ``tmp_path``;
``test_backup_on_each_backend`` runs pg_dump against the PostgreSQL test server.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from crm_core import connect
from crm_core.cli import main
from crm_core.config import Profile
from crm_core.db import migrate

HEAD = migrate.head_revision()


def url_of(profile: Profile) -> str:
    if profile.backend == "sqlite":
        return f"sqlite:///{profile.sqlite_path}"
    return f"postgresql://{profile.db_user}@{profile.host}:{profile.port}/{profile.database}?sslmode=disable"


@pytest.fixture
def run(capsys, monkeypatch):
    """``run(*argv, stdin=None) -> (exit status, stdout, stderr)``."""
    def _run(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        status = main(list(argv))
        out, err = capsys.readouterr()
        return status, out, err
    return _run


@pytest.fixture
def on_test_db(profile, monkeypatch) -> Profile:
    """Point crm-admin at the test database the way an administrator would: CRM_DATABASE_URL."""
    monkeypatch.setenv("CRM_DATABASE_URL", url_of(profile))
    return profile


# ------------------------------------------------------------------------ db

def test_sqlite_db_upgrade_on_an_empty_file_then_db_current_prints_the_head(run, tmp_path, monkeypatch):
    path = tmp_path / "office" / "crm.sqlite3"
    path.parent.mkdir()
    path.touch()  # an empty file, as a careless copy or a first start leaves it
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{path}")
    status, out, err = run("--lang", "en", "db", "upgrade")
    assert status == 0, err
    assert f"(empty) → {HEAD}" in out
    status, out, _ = run("db", "current", "--lang", "en")
    assert status == 0 and out.strip() == f"{HEAD} (head)"
    status, out, _ = run("db", "upgrade", "--lang", "en")
    assert status == 0 and "up to date" in out


def test_sqlite_db_current_without_a_file_creates_nothing(run, tmp_path):
    path = tmp_path / "missing.sqlite3"
    status, out, _ = run("--url", f"sqlite:///{path}", "--lang", "en", "db", "current")
    assert status == 0 and "no database file" in out
    assert not path.exists()


def test_db_current_on_each_backend(run, on_test_db):
    status, out, _ = run("db", "current", "--lang", "en")
    assert status == 0 and out.strip() == f"{HEAD} (head)"


# --------------------------------------------------------------- create-admin

def test_create_admin_reads_the_password_from_stdin(run, on_test_db):
    status, out, err = run("create-admin", "--login", "boss", "--name", "王建国", "--phone", "13800000000",
                           "--password-stdin", "--lang", "zh_CN", stdin="Secret123\n")
    assert status == 0, err
    assert "boss" in out and "王建国" in out
    with connect(on_test_db, "boss", "Secret123", upgrade=False) as session:
        assert session.actor.role == "admin"
    status, out, err = run("create-admin", "--login", "boss2", "--name", "李四", "--phone", "13800000001",
                           "--password-stdin", "--lang", "en", stdin="Secret123\n")
    assert status == 1 and "already has users" in err and "Traceback" not in err


def test_create_admin_explains_a_bad_password_and_never_takes_one_as_an_argument(run, on_test_db):
    status, _, err = run("create-admin", "--login", "boss", "--name", "王建国", "--phone", "13800000000",
                         "--password-stdin", "--lang", "en", stdin="short\n")
    assert status == 1 and "Password: at least 8 characters" in err
    status, _, err = run("create-admin", "--login", "boss", "--name", "王建国", "--phone", "13800000000",
                         "--password", "Secret123")
    assert status == 2 and "unrecognized arguments" in err
    # no terminal and no --password-stdin: told what to do instead of hanging on a prompt
    status, _, err = run("create-admin", "--login", "boss", "--name", "王建国", "--phone", "13800000000",
                         "--lang", "en", stdin="")
    assert status == 1 and "--password-stdin" in err


# ------------------------------------------------------------------ demo-data

def test_demo_data_fills_the_database_and_prints_the_logins(run, on_test_db):
    status, out, err = run("demo-data", "--customers", "6", "--lang", "en")
    assert status == 0, err
    assert "customers" in out and "Logins by role" in out and "demo1234" in out
    sales_line = next(line for line in out.splitlines() if line.strip().startswith("Sales"))
    login = sales_line.split()[1].rstrip(",")
    with connect(on_test_db, login, "demo1234", upgrade=False) as sales:
        assert sales.actor.role == "sales"
    status, _, err = run("demo-data", "--customers", "6", "--lang", "en")
    assert status == 1 and "already has 6 customers" in err
    # What `python3 dev.py run` does on every start after the first: nothing, and say how to sign in.
    status, out, err = run("demo-data", "--if-empty", "--lang", "en")
    assert status == 0, err
    assert "already has data" in out and "Logins by role" in out
    with connect(on_test_db, "admin", "demo1234", upgrade=False) as admin:
        assert admin.customers.count() == 6


def test_demo_data_takes_its_password_from_stdin(run, on_test_db):
    status, out, err = run("demo-data", "--customers", "2", "--password-stdin", "--lang", "en", stdin="Other12345\n")
    assert status == 0, err
    assert "Other12345" not in out  # a password that came in privately is not echoed
    with connect(on_test_db, "admin", "Other12345", upgrade=False) as admin:
        assert admin.customers.count() == 2


def test_sqlite_demo_data_creates_the_database_when_needed(run, tmp_path):
    path = tmp_path / "new" / "demo.sqlite3"
    status, _, err = run("--url", f"sqlite:///{path}", "demo-data", "--customers", "2")
    assert status == 0, err
    with connect(Profile(backend="sqlite", path=str(path)), "admin", "demo1234") as admin:
        assert admin.customers.count() == 2


# --------------------------------------------------------------------- backup

def _integrity(path: Path) -> str:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_sqlite_backup_is_a_sound_copy_and_old_generations_are_pruned(run, tmp_path, monkeypatch):
    path = tmp_path / "crm.sqlite3"
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{path}")
    assert run("demo-data", "--customers", "3")[0] == 0
    dest = tmp_path / "backups"
    made = []
    for _ in range(9):
        status, out, err = run("backup", "--dest", str(dest), "--lang", "en")
        assert status == 0, err
        made.append(Path(out.split("Backup written: ")[1].split(" (")[0]))
    kept = sorted(dest.glob("crm-manual-*.sqlite3"))
    assert len(kept) == 7 and kept == sorted(made[-7:])
    for backup in kept:
        assert _integrity(backup) == "ok"
    conn = sqlite3.connect(str(kept[-1]))
    try:
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 3
    finally:
        conn.close()


def test_sqlite_backup_goes_to_the_data_folder_by_default(run, tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    assert run("db", "upgrade")[0] == 0
    status, _, err = run("backup")
    assert status == 0, err
    backups = list((tmp_path / "data" / "backups").glob("crm-manual-*.sqlite3"))  # CRM_DATA_DIR of conftest
    assert len(backups) == 1 and _integrity(backups[0]) == "ok"


def test_sqlite_backup_of_a_missing_file_is_a_clear_error(run, tmp_path):
    status, _, err = run("--url", f"sqlite:///{tmp_path / 'nothing.sqlite3'}", "--lang", "en", "backup")
    assert status == 1 and "does not exist" in err and "Traceback" not in err


def test_backup_on_each_backend(run, on_test_db, tmp_path, backend):
    if backend == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    dest = tmp_path / "dumps"
    suffix = ".sqlite3" if backend == "sqlite" else ".dump"
    status, out, err = run("backup", "--dest", str(dest), "--keep", "2", "--lang", "en")
    assert status == 0, err
    first = list(dest.glob(f"*{suffix}"))
    assert len(first) == 1 and Path(str(first[0]) + ".json").is_file()  # the manifest beside it
    if backend == "postgresql":  # the test server's login is a superuser: the roles are saved too
        assert Path(str(first[0]) + ".globals.sql").read_text().count("CREATE ROLE") >= 1
    for _ in range(2):
        assert run("backup", "--dest", str(dest), "--keep", "2")[0] == 0
    kept = sorted(dest.glob(f"*{suffix}"))
    assert len(kept) == 2 and first[0] not in kept
    assert sorted(p.name for p in dest.iterdir() if p.name.endswith(".json")) == [p.name + ".json" for p in kept]


def test_postgresql_backup_without_pg_dump_says_what_to_install(run, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    # pg_dump is looked for before the server is contacted, so no server is needed here
    status, _, err = run("--url", "postgresql://nobody@127.0.0.1:1/crm", "backup", "--lang", "en")
    assert status == 1 and "pg_dump was not found" in err and "Traceback" not in err


# ----------------------------------------------------------------- users, errors

def test_users_list_shows_every_account(run, on_test_db):
    assert run("demo-data", "--customers", "1")[0] == 0
    status, out, _ = run("users", "list", "--lang", "zh_CN")
    assert status == 0
    assert "admin" in out and "系统管理员" in out and "工程师" in out and "共 16 个用户" in out


def test_a_wrong_profile_is_a_clear_error(run, monkeypatch):
    monkeypatch.setenv("CRM_PROFILE", "nosuch")
    status, out, err = run("db", "current", "--lang", "en")
    assert status == 1 and out == ""
    assert err.strip() == "Error: There is no connection profile 'nosuch'"
    status, _, err = run("--profile", "nosuch", "db", "current", "--lang", "zh_CN")
    assert status == 1 and err.startswith("错误：没有名为“nosuch”的连接配置")


def test_the_language_follows_lang(run, monkeypatch):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("CRM_PROFILE", "nosuch")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert run("db", "current")[2].startswith("错误：")
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert run("db", "current")[2].startswith("Error: ")


def test_an_unreachable_server_or_a_bad_url_is_a_clear_error(run):
    status, _, err = run("--url", "postgresql://nobody@127.0.0.1:1/crm", "--lang", "en", "db", "current")
    assert status == 1 and "Cannot reach the database" in err and "Traceback" not in err
    status, _, err = run("--url", "mysql://localhost/crm", "--lang", "en", "users", "list")
    assert status == 1 and "sqlite:// or postgresql://" in err
