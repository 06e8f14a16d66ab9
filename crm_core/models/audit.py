"""Operation log (操作日志) and the privacy erasure log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db.base import Base, utcnow


class AuditEntry(Base):
    """Who did what to which record, when, with the values before and after.

    Sensitive values (phones, ID numbers) are stored masked: the log must not
    become a second copy of what masking and erasure protect.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_module_record_id", "module", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_login: Mapped[str | None] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(30))
    module: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int | None]
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    flagged: Mapped[bool] = mapped_column(default=False)


class ErasureLogEntry(Base):
    """A privacy erasure: what was blanked, for whom, by whom and why. Holds no personal data."""

    __tablename__ = "erasure_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    module: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int]
    fields: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(500))
