"""Backup, verify and restore for either backend: what ``crm-admin`` and :class:`BackupService` call."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from crm_core.backup import postgres, sqlite
from crm_core.backup.files import KEEP_BACKUPS, BackupError, Progress, prune, report
from crm_core.config import Profile
from crm_core.db import migrate
from crm_core.db.engine import make_engine
from crm_core.errors import SchemaMismatch
from crm_core.i18n import Text

Credentials = tuple[str | None, str | None]
NO_CREDENTIALS: Credentials = (None, None)


@dataclass(frozen=True)
class VerifyReport:
    """What a verification found.

    Attributes:
        ok: integrity "ok" and every table's row count and checksum as recorded at backup time.
        compared: False for a backup without a manifest (then only integrity and readability were checked).
        tables: ``{name: {"rows": n, "checksum": hex}}`` of the backup's data.
        mismatches: one readable line per table that differs.
    """

    path: Path
    ok: bool
    integrity: str
    revision: str | None
    compared: bool
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.tables.values())

    @property
    def message(self) -> Text:
        n, rows = len(self.tables), self.rows
        if not self.ok:
            problems = "; ".join(self.mismatches) or self.integrity
            return Text(f"校验失败：{problems}", f"Verification failed: {problems}")
        if not self.compared:
            return Text(f"备份可读且完整（{n} 个表，{rows} 行）；没有记录清单，未比较校验和。",
                        f"The backup is readable and sound ({n} tables, {rows} rows); it has no manifest, "
                        f"so no checksums were compared.")
        return Text(f"校验通过：{n} 个表、{rows} 行，行数与校验和均与备份时一致。",
                    f"Verified: {n} tables, {rows} rows; counts and checksums equal those at backup time.")


def backup_pattern(profile: Profile, label: str) -> str:
    """The file names of one series of generations (manual, daily, before-restore)."""
    if profile.backend == "sqlite":
        return f"crm-{label}-*.sqlite3"
    return f"crm-{profile.database}-{label}-*.dump"


def make_backup(profile: Profile, dest_dir: Path, *, keep: int = KEEP_BACKUPS,
                credentials: Credentials = NO_CREDENTIALS, label: str = "manual",
                progress: Progress = None) -> tuple[Path, list[Path]]:
    """Back up the profile's database into ``dest_dir``; returns (the new file, the old ones removed)."""
    if profile.backend == "sqlite":
        made = sqlite.backup(profile.sqlite_path, dest_dir, label, progress)
    else:
        made = postgres.backup(profile, credentials, dest_dir, label, progress)
    return made, prune(dest_dir, backup_pattern(profile, label), keep)


def verify_backup(profile: Profile, path: Path, credentials: Credentials = NO_CREDENTIALS,
                  progress: Progress = None) -> VerifyReport:
    """Check a backup: SQLite by reading the file itself, PostgreSQL by restoring it into a scratch database.

    Either way the row counts and checksums are compared with those recorded
    when the backup was made (its manifest).
    """
    path = Path(path)
    if path.suffix == ".dump" and profile.backend != "postgresql" or path.suffix == ".sqlite3" and profile.backend != "sqlite":
        raise BackupError(Text("这个备份文件不属于当前类型的数据库。", "This backup file is not of this kind of database."))
    found = sqlite.verify(path) if profile.backend == "sqlite" else postgres.verify(profile, credentials, path, progress)
    ok = found["integrity"] == "ok" and not found["mismatches"]
    return VerifyReport(path=path, ok=ok, integrity=found["integrity"], revision=found["revision"],
                        compared=found["manifest"], tables=found["tables"], mismatches=found["mismatches"])


def restore_backup(profile: Profile, path: Path, credentials: Credentials = NO_CREDENTIALS, *,
                   force: bool = False, safety_dir: Path, progress: Progress = None) -> Path:
    """Replace the database with a backup, after a safety backup of its current state.

    Refused before anything changes when the backup's schema is newer than this
    program (or unknown), when a PostgreSQL dump is not at this program's
    revision, or (unless ``force``) while other clients are connected to the
    server. An older embedded database is upgraded after the restore, as it
    would be on the next start. Returns the safety backup.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(Text(f"备份文件不存在：{path}", f"The backup file does not exist: {path}"))
    steps = 4
    report(progress, 0, steps)
    revision = sqlite.revision_of(path) if profile.backend == "sqlite" else postgres.dump_revision(profile, path)
    _check_restorable(profile, revision)
    if profile.backend == "postgresql" and not force:
        _refuse_if_others_connected(profile, credentials)
    report(progress, 1, steps)
    safety, _ = make_backup(profile, safety_dir, credentials=credentials, label="before-restore")
    report(progress, 2, steps)  # the last point at which a cancel leaves the database as it was
    if profile.backend == "sqlite":
        integrity = sqlite.restore(path, profile.sqlite_path)
        if integrity != "ok":
            raise BackupError(Text(f"恢复后的数据库未通过完整性检查：{integrity}。恢复前的备份：{safety}",
                                   f"The restored database failed its integrity check: {integrity}. "
                                   f"The state before the restore is in {safety}"))
    else:
        postgres.restore(profile, credentials, path)
    _open_check(profile, credentials, upgrade=profile.backend == "sqlite")
    return safety


def _check_restorable(profile: Profile, revision: str | None) -> None:
    head = migrate.head_revision()
    if revision is None:
        raise BackupError(Text("这个备份中没有 CRM 数据库（找不到版本号）。",
                               "This backup holds no CRM database (it has no schema revision)."))
    if revision not in migrate.known_revisions():
        raise BackupError(Text(f"这个备份（版本 {revision}）比本程序新，请先升级 CRM 客户端。数据库未改变。",
                               f"This backup (revision {revision}) is newer than this program; update the CRM "
                               f"client first. The database is unchanged."))
    if profile.backend == "postgresql" and revision != head:
        raise BackupError(Text(
            f"这个备份的版本（{revision}）与本程序（{head}）不同，不能在此恢复。请用制作该备份的程序版本恢复后再运行 "
            f"crm-admin db upgrade。数据库未改变。",
            f"This backup's revision ({revision}) differs from this program's ({head}) and cannot be restored here. "
            f"Restore it with the program version that made it, then run crm-admin db upgrade. "
            f"The database is unchanged."))


def _refuse_if_others_connected(profile: Profile, credentials: Credentials) -> None:
    engine = make_engine(profile.url(*credentials))
    try:
        with engine.connect() as conn:
            others = postgres.other_connections(conn)
    finally:
        engine.dispose()
    if others:
        raise BackupError(Text(
            f"还有 {others} 个其他连接正在使用数据库 {profile.database}。请先让其他用户退出 CRM（或在确认后强制恢复）。数据库未改变。",
            f"{others} other connection(s) are using the database {profile.database}. Ask the other users to "
            f"sign out of the CRM first (or force the restore). The database is unchanged."))


def _open_check(profile: Profile, credentials: Credentials, *, upgrade: bool) -> None:
    """The restored database must be one this program opens; an older embedded one is upgraded."""
    engine = make_engine(profile.url(*credentials))
    try:
        if upgrade and migrate.current_revision(engine) != migrate.head_revision():
            migrate.upgrade(engine)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        migrate.check(engine)
    except SchemaMismatch as exc:
        raise BackupError(Text(f"已恢复，但本程序无法打开恢复后的数据库：{exc.message.zh}",
                               f"Restored, but this program cannot open the restored database: {exc.message.en}")) from None
    finally:
        engine.dispose()
