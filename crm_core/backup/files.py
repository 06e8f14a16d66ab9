"""What every backup shares: file names, generations, the manifest beside each file, the log line.

A backup is one file (``crm-manual-<time>.sqlite3`` or ``crm-<db>-manual-<time>.dump``)
plus a manifest ``<file>.json`` with the schema revision and, per table, the row
count and checksum of the data as backed up; a PostgreSQL dump may also have
``<file>.globals.sql`` (the server's roles). Names sort by time, so the newest
``keep`` generations are the last ones by name.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crm_core.atomic_files import write_text_atomic
from crm_core.config import data_dir
from crm_core.errors import CrmError
from crm_core.i18n import Text

KEEP_BACKUPS = 7
SIDECARS = ("-wal", "-shm", ".json", ".globals.sql")
Progress = Callable[[int, int], None] | None


class BackupError(CrmError):
    """A backup, verification or restore could not be done (missing tool, failed copy, mismatch)."""


def stamp() -> str:
    """Local time to the microsecond: names sort by it and two backups never share one."""
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def default_dir() -> Path:
    """The data folder's ``backups`` (where the embedded database's upgrade copies go too)."""
    return data_dir() / "backups"


def manifest_path(backup: Path) -> Path:
    return Path(str(backup) + ".json")


def globals_path(backup: Path) -> Path:
    return Path(str(backup) + ".globals.sql")


def write_manifest(backup: Path, manifest: dict[str, Any]) -> None:
    write_text_atomic(manifest_path(backup), json.dumps(manifest, ensure_ascii=False, indent=1))


def read_manifest(backup: Path) -> dict[str, Any] | None:
    """The manifest of a backup, or None (a backup made by an older program, or copied without it)."""
    path = manifest_path(backup)
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None


def remove_backup(path: Path) -> None:
    """Delete a backup file with its sidecars (a partial one after a failure or cancel, or an old one)."""
    path.unlink(missing_ok=True)
    for suffix in SIDECARS:
        Path(str(path) + suffix).unlink(missing_ok=True)


def prune(dest_dir: Path, pattern: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups matching ``pattern`` (their names sort by time)."""
    generations = sorted((p for p in dest_dir.glob(pattern) if not p.name.endswith(SIDECARS)),
                         key=lambda p: p.name, reverse=True)
    old = generations[keep:]
    for path in old:
        remove_backup(path)
    return old


def report(progress: Progress, done: int, total: int) -> None:
    """Report progress; the callback may raise to cancel (the caller cleans up)."""
    if progress is not None:
        progress(done, total)


def log_line(kind: str, ok: bool, path: Path | None, message: Text, by_login: str) -> None:
    """Append one line to ``backups/backup.log`` in the data folder.

    The database keeps the record too, but a restore replaces the database and
    its record with it; this plain-text log survives every restore.
    """
    folder = default_dir()
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    line = "\t".join([now, kind, "ok" if ok else "FAILED", by_login, str(path or "-"), message.en.replace("\n", " ")])
    with (folder / "backup.log").open("a", encoding="utf-8") as log:
        log.write(line + "\n")
