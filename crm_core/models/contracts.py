"""Contracts (合同), their attachments and payments (回款)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from crm_core.db.base import Base, Deactivatable, Tracked, utcnow


class Contract(Tracked, Deactivatable, Base):
    __tablename__ = "contracts"
    # the grid's sorts (migration 0014; the signing date's two NULLs-last indexes are raw SQL there)
    __table_args__ = (Index("ix_contracts_amount_id", "amount", "id"),)

    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    signed_on: Mapped[dt.date | None]
    ends_on: Mapped[dt.date | None]
    payment_due_on: Mapped[dt.date | None]
    amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    party_a: Mapped[str | None] = mapped_column(String(200))
    party_b: Mapped[str | None] = mapped_column(String(200))
    delivery_status: Mapped[str] = mapped_column(String(20), default="pending")
    delivered_on: Mapped[dt.date | None]
    notes: Mapped[str | None] = mapped_column(Text)


class ContractAttachment(Base):
    """A file (scanned contract, PDF) stored in the central database."""

    __tablename__ = "contract_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Deferred: listing attachments must not pull megabytes of file content.
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Payment(Tracked, Deactivatable, Base):
    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_received_on_id", "received_on", "id"),
                      Index("ix_payments_amount_id", "amount", "id"))

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    # Copied from the contract so that row scope (and RLS later) needs no join.
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    received_on: Mapped[dt.date]
    amount: Mapped[Decimal]
    method: Mapped[str | None] = mapped_column(String(40))
    handler: Mapped[str | None] = mapped_column(String(50))
    account: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(String(500))
