"""The embedded database: online backup, verification and restore, all through the SQLite backup API.

Never a file copy: copying a live WAL database file can catch it half-written.
The backup API copies a consistent state while other connections keep writing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path
from typing import Any

from crm_core.backup.files import BackupError, Progress, read_manifest, remove_backup, report, stamp, write_manifest
from crm_core.errors import DatabaseUnavailable
from crm_core.i18n import Text
from crm_core.private_files import private_dir, private_file

BUSY_TIMEOUT_S = 30


def backup(source: Path, dest_dir: Path, label: str, progress: Progress = None) -> Path:
    """Online copy of ``source`` into ``dest_dir``, integrity-checked, with its manifest.

    Raises:
        DatabaseUnavailable: there is no database file.
        BackupError: the copy failed or is damaged (nothing is left behind).
    """
    if not source.is_file():
        raise DatabaseUnavailable(Text(f"数据库文件不存在：{source}", f"The database file does not exist: {source}"))
    dest = private_file(private_dir(dest_dir) / f"crm-{label}-{stamp()}.sqlite3")  # SQLite fills the empty file
    try:
        report(progress, 0, 2)
        _copy(_open(source), _open(dest), single_file=True)
        report(progress, 1, 2)
        check = inspect(dest)
        if check["integrity"] != "ok":
            raise BackupError(Text(f"备份副本未通过完整性检查：{check['integrity']}",
                                   f"The backup copy failed its integrity check: {check['integrity']}"))
        write_manifest(dest, {"backend": "sqlite", "source": str(source), "revision": check["revision"],
                              "created_at": dt.datetime.now(dt.timezone.utc).isoformat(), "tables": check["tables"]})
        report(progress, 2, 2)
    except sqlite3.Error as exc:
        remove_backup(dest)
        raise BackupError(Text(f"备份失败：{exc}", f"The backup failed: {exc}")) from None
    except BaseException:
        remove_backup(dest)
        raise
    return dest


def verify(path: Path) -> dict[str, Any]:
    """Integrity check, row counts and checksums of a backup file, compared with its manifest.

    Returns ``{"integrity", "revision", "tables", "mismatches", "manifest"}``.
    """
    if not path.is_file():
        raise BackupError(Text(f"备份文件不存在：{path}", f"The backup file does not exist: {path}"))
    try:
        check = inspect(path)
    except sqlite3.DatabaseError as exc:
        raise BackupError(Text(f"这不是可读的 SQLite 备份：{exc}", f"This is not a readable SQLite backup: {exc}")) from None
    manifest = read_manifest(path)
    mismatches = compare(manifest["tables"], check["tables"]) if manifest else []
    return {**check, "mismatches": mismatches, "manifest": manifest is not None}


def revision_of(path: Path) -> str | None:
    """The schema revision stored in a backup file (None when it has none)."""
    conn = _open(path, read_only=True)
    try:
        return _revision(conn)
    except sqlite3.DatabaseError as exc:
        raise BackupError(Text(f"这不是可读的 SQLite 备份：{exc}", f"This is not a readable SQLite backup: {exc}")) from None
    finally:
        conn.close()


def restore(backup_file: Path, live: Path) -> str:
    """Replace the live database's content with the backup's, page by page, through the backup API.

    The copy runs inside the live database's own locking, so connections that
    stay open see either the old or the new database, never a torn file.
    Returns the live database's integrity-check result.
    """
    _copy(_open(backup_file, read_only=True), _open(live))
    return inspect(live, checksums=False)["integrity"]


def inspect(path: Path, *, checksums: bool = True) -> dict[str, Any]:
    """``{"integrity", "revision", "tables": {name: {"rows", "checksum"}}}`` of a database file."""
    conn = _open(path, read_only=True)
    try:
        conn.execute("BEGIN")  # one read snapshot for every table
        integrity = "\n".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
        tables = table_checksums(conn) if checksums else {}
        return {"integrity": integrity, "revision": _revision(conn), "tables": tables}
    finally:
        conn.close()


def table_checksums(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Per table: the row count and a sha256 over its rows in primary-key order.

    Values go in through ``repr`` of the row tuple, which tells 1 from '1' from
    1.0 and b'1', so a changed type is a changed checksum.
    """
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
    result = {}
    for name in names:
        digest, rows = hashlib.sha256(), 0
        for row in conn.execute(f'SELECT * FROM "{name}" ORDER BY {_order_by(conn, name)}'):
            digest.update(repr(tuple(row)).encode("utf-8"))
            rows += 1
        result[name] = {"rows": rows, "checksum": digest.hexdigest()}
    return result


def compare(expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]]) -> list[str]:
    """Tables whose presence, row count or checksum differ, as readable lines."""
    lines = []
    for name in sorted(set(expected) | set(actual)):
        want, got = expected.get(name), actual.get(name)
        if want is None or got is None:
            lines.append(f"{name}: {'missing in the copy' if got is None else 'not in the source'}")
        elif want["rows"] != got["rows"]:
            lines.append(f"{name}: {want['rows']} rows expected, {got['rows']} found")
        elif want["checksum"] != got["checksum"]:
            lines.append(f"{name}: same row count, different content")
    return lines


# ------------------------------------------------------------------ helpers

def _open(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    else:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)
    conn.isolation_level = None  # we open transactions ourselves
    return conn


def _copy(src: sqlite3.Connection, dst: sqlite3.Connection, *, single_file: bool = False) -> None:
    """All pages in one step: the source's read snapshot holds for the whole copy,
    so writers elsewhere neither restart it nor make it inconsistent.

    ``single_file``: the copy leaves WAL mode, so a backup is one self-contained
    file that can be read (even read-only) without ``-wal``/``-shm`` files appearing.
    """
    try:
        src.backup(dst, pages=-1)
        if single_file:
            dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        dst.close()
        src.close()


def _order_by(conn: sqlite3.Connection, table: str) -> str:
    pk = sorted((r[5], r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")') if r[5] > 0)
    if pk:
        return ", ".join(f'"{name}"' for _, name in pk)
    without_rowid = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    if "WITHOUT ROWID" in (without_rowid or "").upper():
        return "1"
    return "rowid"


def _revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table: not a CRM database (or an empty one)
        return None
    return row[0] if row else None
