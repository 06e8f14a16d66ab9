"""The record of backup, verification and restore runs (备份记录): what ran, when, by whom, with what result."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db.base import Base


class BackupRun(Base):
    """One run. ``by_login`` is plain text, not a user id: a restore may bring back a database
    in which the account that ran it does not exist. ``message`` is ``{"zh": ..., "en": ...}``."""

    __tablename__ = "backup_runs"
    __table_args__ = (Index("ix_backup_runs_started_at", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # backup | verify | restore | auto
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime]
    ok: Mapped[bool]
    path: Mapped[str | None] = mapped_column(String(1024))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    message: Mapped[dict] = mapped_column(JSON)
    by_login: Mapped[str] = mapped_column(String(64))
