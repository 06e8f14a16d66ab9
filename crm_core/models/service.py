"""Customer feedback tickets (客户反馈), submitters (反馈人员), log and notification outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db.base import Base, Deactivatable, Tracked, utcnow


class Submitter(Tracked, Deactivatable, Base):
    """A store or person who reports problems for a customer."""

    __tablename__ = "submitters"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    store: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(200))


class Ticket(Tracked, Deactivatable, Base):
    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_status_severity", "status", "severity"),)

    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    submitter_id: Mapped[int | None] = mapped_column(ForeignKey("submitters.id"), index=True)
    feedback_type: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    severity: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="open")
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    city: Mapped[str | None] = mapped_column(String(50))
    store: Mapped[str | None] = mapped_column(String(100))
    result: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[int | None]
    resolved_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]


class TicketLogEntry(Base):
    """处理过程: one processing step written by whoever worked on the ticket."""

    __tablename__ = "ticket_log_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20), default="note")
    content: Mapped[str] = mapped_column(Text)


class Notification(Base):
    """Outbox of messages to send (e-mail to a ticket's submitter on resolution).

    Queued in the same transaction as the change that causes it; a sender
    delivers it and records the result here (and on the ticket's log).
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A deleted ticket takes its notices with it: nothing is mailed about a ticket that is gone.
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20), default="email")
    recipient: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    claimed_at: Mapped[dt.datetime | None]  # when a sender took it (a sender that died is retried later)
