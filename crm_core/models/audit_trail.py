"""The database's own audit trail (审计轨迹): one row per inserted, changed or deleted business row.

Written only by the trigger function of :mod:`crm_core.pgsecurity.audit_trail`
(PostgreSQL with per-user logins), as the table owner: no user role may
insert, change or delete it. ``actor`` is the PostgreSQL ``session_user``, so the
trail names who really made a change whatever the client claims. On SQLite the
table exists but stays empty (the app's ``audit_log`` is the record there).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Index, Integer, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db.base import Base

JSON_DOC = JSON().with_variant(JSONB(), "postgresql")


class AuditTrailEntry(Base):
    """One row change: ``op`` is INSERT, UPDATE or DELETE; ``before``/``after`` are the whole
    rows as JSON with sensitive values masked and derived secrets left out."""

    __tablename__ = "audit_trail"
    __table_args__ = (Index("ix_audit_trail_table_row", "table_name", "row_id"),
                      Index("ix_audit_trail_at", "at"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    actor: Mapped[str] = mapped_column(String(63))
    table_name: Mapped[str] = mapped_column(String(63))
    row_id: Mapped[int | None] = mapped_column(BigInteger)
    op: Mapped[str] = mapped_column(String(8))
    before: Mapped[dict | None] = mapped_column(JSON_DOC)
    after: Mapped[dict | None] = mapped_column(JSON_DOC)
