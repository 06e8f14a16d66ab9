"""``crm-admin backup --verify``, ``verify``, ``restore`` and ``backup-runs`` on both backends."""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_cli import on_test_db, run  # noqa: F401 - fixtures


def backup_file(out: str) -> Path:
    return Path(out.split("Backup written: ")[1].split(" (")[0])


def test_backup_verify_restore_and_the_list_of_runs(run, on_test_db, admin, db, make_customer):
    make_customer("命令行备份的公司")
    status, out, err = run("backup", "--verify", "--lang", "en")
    assert status == 0, err
    assert "Verified:" in out and "counts and checksums equal" in out
    made = backup_file(out)
    status, out, _ = run("verify", str(made), "--lang", "en")
    assert status == 0 and "Verified:" in out
    make_customer("备份之后的公司")
    db.dispose()
    admin.close()  # other clients sign out before a restore
    name = on_test_db.sqlite_path.name if on_test_db.backend == "sqlite" else on_test_db.database

    status, out, err = run("restore", str(made), "--lang", "en")
    assert status == 1 and "will be replaced" in out and "--yes-i-know" in err
    status, _, err = run("restore", str(made), "--yes-i-know", "--lang", "en", stdin="wrong\n")
    assert status == 1 and f"type the database name “{name}”" in err
    status, out, err = run("restore", str(made), "--yes-i-know", "--lang", "en", stdin=f"{name}\n")
    assert status == 0, err
    assert "Restored from" in out and "before-restore" in out

    status, out, _ = run("backup-runs", "--lang", "en")
    lines = out.splitlines()
    assert status == 0 and lines[0].split()[:3] == ["Time", "Kind", "Result"]
    assert [line.split()[2:4] for line in lines[1:]] == [["restore", "ok"]]
    status, out, _ = run("restore", str(made), "--yes-i-know", "--confirm", name, "--lang", "zh_CN")
    assert status == 0 and "已从" in out


def test_verify_of_a_damaged_file_fails_with_a_clear_message(run, on_test_db, tmp_path, backend):
    bad = tmp_path / ("bad.sqlite3" if backend == "sqlite" else "bad.dump")
    bad.write_bytes(b"this is not a backup" * 100)
    status, out, err = run("verify", str(bad), "--lang", "en")
    assert status == 1 and "Traceback" not in err
    assert "not a readable SQLite backup" in err if backend == "sqlite" else "failed" in err
