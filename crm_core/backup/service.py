"""``session.backups``: manual and daily backups, verification and restore for administrators, each run recorded.

Every run lands in the ``backup_runs`` table and in the plain-text
``backups/backup.log`` of the data folder. A restore replaces the database,
its record of runs included, so the restore run is written after the restore,
into the restored database; the log keeps the whole story.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from crm_core.backup.files import KEEP_BACKUPS, Progress, default_dir, log_line
from crm_core.backup.operations import Credentials, make_backup, restore_backup, verify_backup
from crm_core.config import Profile
from crm_core.db.base import utcnow
from crm_core.errors import CrmError, FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.models import BackupRun
from crm_core.permissions import Action
from crm_core.services.context import Context

DAILY_INTERVAL = dt.timedelta(hours=24)
KINDS = ("backup", "verify", "restore", "auto")


def now() -> dt.datetime:
    """The clock of the daily-backup rule (tests replace it)."""
    return utcnow()


class BackupService:
    """Backups of the database this session is connected to; administrators only."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    # ------------------------------------------------------------ reading

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest runs, newest first: ``id, kind, started_at, finished_at, ok, path, size_bytes, message (Text), by_login``."""
        self.ctx.require("users", Action.ADMIN)
        with self.ctx.db.unit_of_work(write=False) as s:
            rows = s.scalars(select(BackupRun).order_by(BackupRun.started_at.desc(), BackupRun.id.desc())
                             .limit(limit)).all()
            return [_as_dict(r) for r in rows]

    def confirm_name(self) -> str:
        """What the user types to confirm a restore: the database name, or the database file's name."""
        profile, _ = self._target()
        return profile.sqlite_path.name if profile.backend == "sqlite" else profile.database

    def default_dir(self) -> Path:
        """Where backups go unless told otherwise: the data folder's ``backups``."""
        return default_dir()

    def daily_due(self) -> bool:
        """True when no backup (manual or automatic) succeeded in the last 24 hours."""
        self.ctx.require("users", Action.ADMIN)
        with self.ctx.db.unit_of_work(write=False) as s:
            last = s.scalar(select(BackupRun.finished_at).where(BackupRun.ok.is_(True),
                                                                 BackupRun.kind.in_(("backup", "auto")))
                            .order_by(BackupRun.finished_at.desc()).limit(1))
        return last is None or now() - last >= DAILY_INTERVAL

    # ------------------------------------------------------------ running

    def backup_now(self, dest_dir: Path | None = None, progress: Progress = None, *, keep: int = KEEP_BACKUPS,
                   verify: bool = False) -> dict[str, Any]:
        """Back up now into ``dest_dir`` (default: the data folder's backups); with ``verify``, then verify it.

        Returns the recorded run (with ``"report"``: the :class:`VerifyReport` when verified).
        """
        return self._backup("backup", "manual", dest_dir, progress, keep, verify)

    def run_daily_if_due(self, progress: Progress = None) -> dict[str, Any] | None:
        """The automatic daily backup: made (and recorded as ``auto``) only when :meth:`daily_due`."""
        if not self.daily_due():
            return None
        return self._backup("auto", "daily", None, progress, KEEP_BACKUPS, False)

    def verify(self, path: Path, progress: Progress = None) -> dict[str, Any]:
        """Verify a backup file (see :func:`crm_core.backup.verify_backup`); returns the run with its ``"report"``."""
        self.ctx.require("users", Action.ADMIN)
        started, path = utcnow(), Path(path)
        profile, credentials = self._target()
        try:
            found = verify_backup(profile, path, credentials, progress)
        except Exception as exc:
            self._record("verify", started, False, path, _failure(exc))
            raise
        run = self._record("verify", started, found.ok, path, found.message)
        return {**run, "report": found}

    def restore(self, path: Path, *, confirm: str, force: bool = False, progress: Progress = None) -> dict[str, Any]:
        """Replace the database with the backup ``path`` after a safety backup of its current state.

        Args:
            confirm: must equal :meth:`confirm_name` (the user types it).
            force: PostgreSQL: restore although other clients are connected.

        Everyone else should be signed out: their open windows show data that is
        no longer there. The signed-in user may have to sign in again when his
        account is not in the backup.

        Raises:
            ValidationError: the confirmation text is wrong (nothing was done).
            BackupError: refused or failed; the database is then unchanged.
        """
        self.ctx.require("users", Action.ADMIN)
        expected = self.confirm_name()
        if confirm.strip() != expected:
            raise ValidationError([FieldError("confirm", "mismatch", Text(
                f"确认：请输入数据库名称“{expected}”以确认恢复", f"Confirmation: type the database name "
                f"“{expected}” to confirm the restore"))])
        started, path = utcnow(), Path(path)
        profile, credentials = self._target()
        self.ctx.db.engine.dispose()  # this session's idle connections are not "other users", and must not hold the file
        try:
            safety = restore_backup(profile, path, credentials, force=force, safety_dir=default_dir(),
                                    progress=progress)
        except Exception as exc:
            self._record("restore", started, False, path, _failure(exc))
            raise
        self.ctx.db.engine.dispose()
        message = Text(f"已从 {path.name} 恢复；恢复前的状态已备份到 {safety}",
                       f"Restored from {path.name}; the state before the restore was backed up to {safety}")
        return {**self._record("restore", started, True, path, message), "safety_backup": safety}

    # ------------------------------------------------------------ helpers

    def _backup(self, kind: str, label: str, dest_dir: Path | None, progress: Progress, keep: int,
                verify: bool) -> dict[str, Any]:
        self.ctx.require("users", Action.ADMIN)
        started = utcnow()
        profile, credentials = self._target()
        made = None
        try:
            made, removed = make_backup(profile, Path(dest_dir) if dest_dir else default_dir(), keep=keep,
                                        credentials=credentials, label=label, progress=progress)
            found = verify_backup(profile, made, credentials) if verify else None
        except Exception as exc:
            self._record(kind, started, False, made, _failure(exc))
            raise
        message = Text(f"备份完成，保留最新的 {keep} 个（删除了 {len(removed)} 个较旧的）",
                       f"Backup made; the newest {keep} kept ({len(removed)} older removed)")
        if found is not None:
            message = Text(f"{message.zh}。{found.message.zh}", f"{message.en}. {found.message.en}")
        run = self._record(kind, started, found is None or found.ok, made, message)
        return {**run, "removed": removed, "report": found}

    def _target(self) -> tuple[Profile, Credentials]:
        """The database of this session as a profile plus its login, for the backup tools."""
        url = self.ctx.db.engine.url
        if url.get_backend_name() == "sqlite":
            return Profile(name="session", backend="sqlite", path=url.database), (None, None)
        query = {k: str(v) for k, v in url.query.items() if k not in {"sslmode", "application_name"}}
        profile = Profile(name="session", backend="postgresql", host=url.host or "localhost", port=url.port or 5432,
                          database=url.database or "crm", sslmode=str(url.query.get("sslmode", "prefer")),
                          auth="database", options=query)
        return profile, (url.username, url.password)

    def _record(self, kind: str, started: dt.datetime, ok: bool, path: Path | None, message: Text) -> dict[str, Any]:
        """Write the run into ``backup_runs`` and ``backup.log``.

        A database that cannot take it (an older schema at the command line, a
        server gone away) still gets the log line: the run itself is what matters.
        """
        by_login = self.ctx.actor.login
        log_line(kind, ok, path, message, by_login)
        size = path.stat().st_size if path is not None and path.is_file() else None
        row = BackupRun(kind=kind, started_at=started, finished_at=utcnow(), ok=ok,
                        path=str(path) if path is not None else None, size_bytes=size,
                        message={"zh": message.zh, "en": message.en}, by_login=by_login)
        try:
            with self.ctx.db.unit_of_work(write=True) as s:
                s.add(row)
                s.commit()
                return _as_dict(row)
        except SQLAlchemyError:
            return {**_as_dict(row), "id": None}


def _failure(exc: Exception) -> Text:
    if isinstance(exc, CrmError):
        return exc.message
    detail = str(exc) or type(exc).__name__
    return Text(f"未完成：{detail}", f"Not completed: {detail}")


def _as_dict(row: BackupRun) -> dict[str, Any]:
    message = row.message or {}
    return {"id": row.id, "kind": row.kind, "started_at": row.started_at, "finished_at": row.finished_at,
            "ok": row.ok, "path": row.path, "size_bytes": row.size_bytes,
            "message": Text(message.get("zh", ""), message.get("en", "")), "by_login": row.by_login}
