"""Contacts (客户联系人) of a customer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db.base import Base, Deactivatable, Tracked


class Contact(Tracked, Deactivatable, Base):
    __tablename__ = "contacts"
    # the grid's name sort, for every reader (migration 0014)
    __table_args__ = (Index("ix_contacts_name_id", "name", "id"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    position: Mapped[str | None] = mapped_column(String(50))
    birth_date: Mapped[dt.date | None]
    id_number: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="employed")
    erased_at: Mapped[dt.datetime | None]
