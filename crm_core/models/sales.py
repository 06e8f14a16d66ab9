"""Follow-ups (跟进记录), customer needs (客户需求) and sales opportunities (销售机会)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db.base import Base, Deactivatable, Tracked


class FollowUp(Tracked, Deactivatable, Base):
    __tablename__ = "followups"
    __table_args__ = (Index("ix_followups_user_id_next_due_on", "user_id", "next_due_on"),
                      Index("ix_followups_at_id", "at", "id"))

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime]
    method: Mapped[str | None] = mapped_column(String(40))
    content: Mapped[str] = mapped_column(Text)
    next_step: Mapped[str | None] = mapped_column(String(500))
    next_due_on: Mapped[dt.date | None]
    next_done: Mapped[bool] = mapped_column(default=False)


class Need(Tracked, Deactivatable, Base):
    __tablename__ = "needs"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    need_type: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10), default="medium")
    solution: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(20), default="open")


class Opportunity(Tracked, Deactivatable, Base):
    __tablename__ = "opportunities"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    stage: Mapped[str] = mapped_column(String(20), default="lead")
    amount: Mapped[Decimal | None]
    expected_on: Mapped[dt.date | None]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notes: Mapped[str | None] = mapped_column(Text)
