"""Backups (备份): online copies of the database, several generations kept.

SQLite: the online backup API (never a file copy) with ``PRAGMA
integrity_check`` on the copy. PostgreSQL: ``pg_dump -Fc``, read back with
``pg_restore --list``. Used by ``crm-admin backup``; the client's manual and
daily backups will use the same functions.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from crm_core.config import Profile
from crm_core.db import migrate
from crm_core.errors import CrmError, DatabaseUnavailable
from crm_core.i18n import Text

KEEP_BACKUPS = 7


class BackupError(CrmError):
    """The backup could not be made (missing pg_dump, a failed copy)."""


def make_backup(profile: Profile, dest_dir: Path, *, keep: int = KEEP_BACKUPS,
                credentials: tuple[str | None, str | None] = (None, None)) -> tuple[Path, list[Path]]:
    """Back up the profile's database into ``dest_dir``; returns (the new file, the old ones removed)."""
    if profile.backend == "sqlite":
        made, pattern = backup_sqlite(profile, dest_dir), "crm-manual-*.sqlite3"
    else:
        made, pattern = backup_postgresql(profile, dest_dir, credentials), f"crm-{profile.database}-*.dump"
    return made, prune(dest_dir, pattern, keep)


def backup_sqlite(profile: Profile, dest_dir: Path) -> Path:
    """Online copy of the embedded database (backup API), integrity-checked."""
    source = profile.sqlite_path
    if not source.is_file():
        raise DatabaseUnavailable(Text(f"数据库文件不存在：{source}", f"The database file does not exist: {source}"))
    try:
        # The online backup API copies a consistent state while clients keep working;
        # backup_sqlite runs PRAGMA integrity_check on the copy.
        return migrate.backup_sqlite(source, dest_dir, "manual")
    except (sqlite3.Error, RuntimeError, OSError) as exc:
        raise BackupError(Text(f"备份失败：{exc}", f"The backup failed: {exc}")) from None


def backup_postgresql(profile: Profile, dest_dir: Path, credentials: tuple[str | None, str | None]) -> Path:
    """``pg_dump -Fc`` of the server database, read back with ``pg_restore --list``."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError(Text("找不到 pg_dump。请安装 PostgreSQL 客户端工具（与服务器版本相同或更新）并加入 PATH。",
                            "pg_dump was not found. Install the PostgreSQL client tools (same version as the "
                            "server or newer) and put them on PATH."))
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / f"crm-{profile.database}-{dt.datetime.now():%Y%m%d-%H%M%S-%f}.dump"
    url = profile.url(*credentials)
    env = {**os.environ, "PGSSLMODE": profile.sslmode, "PGAPPNAME": "crm-admin backup"}
    if url.password:
        env["PGPASSWORD"] = url.password  # the environment, not the argument list, which others can read
    cmd = [pg_dump, "--format=custom", "--no-password", "--host", profile.host, "--port", str(profile.port),
           "--dbname", profile.database, "--file", str(dest)] + (["--username", url.username] if url.username else [])
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        dest.unlink(missing_ok=True)
        raise BackupError(Text(f"pg_dump 失败（退出码 {done.returncode}）：{done.stderr.strip()}",
                            f"pg_dump failed (exit status {done.returncode}): {done.stderr.strip()}"))
    pg_restore = shutil.which("pg_restore")
    if pg_restore is not None:  # reading the archive's table of contents proves it is complete
        check = subprocess.run([pg_restore, "--list", str(dest)], capture_output=True, text=True)
        if check.returncode != 0:
            dest.unlink(missing_ok=True)
            raise BackupError(Text(f"备份文件无法读取：{check.stderr.strip()}",
                                f"The backup cannot be read back: {check.stderr.strip()}"))
    return dest


def prune(dest_dir: Path, pattern: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups matching ``pattern`` (their names sort by time)."""
    generations = sorted(dest_dir.glob(pattern), key=lambda p: p.name, reverse=True)
    old = generations[keep:]
    for path in old:
        path.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    return old
