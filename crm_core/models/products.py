"""Products (产品) built for customers and their licenses (产品授权)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db.base import Base, Deactivatable, Tracked, utcnow


class Product(Tracked, Deactivatable, Base):
    """A customised build of a base software version for one customer."""

    __tablename__ = "products"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    # Not "version": that name is the optimistic-lock counter of every record.
    product_version: Mapped[str | None] = mapped_column(String(40))
    customization_notes: Mapped[str | None] = mapped_column(Text)
    backup_path: Mapped[str | None] = mapped_column(String(500))
    manual_path: Mapped[str | None] = mapped_column(String(500))
    license_code: Mapped[str | None] = mapped_column(String(60))


class License(Tracked, Deactivatable, Base):
    __tablename__ = "licenses"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    serial: Mapped[str] = mapped_column(String(60), unique=True)
    seats: Mapped[int]
    valid_from: Mapped[dt.date]
    valid_until: Mapped[dt.date | None] = mapped_column(index=True)
    is_trial: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(String(500))


class LicensedMachine(Base):
    """A computer that uses one seat of a license while active."""

    __tablename__ = "licensed_machines"
    __table_args__ = (UniqueConstraint("license_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    license_id: Mapped[int] = mapped_column(ForeignKey("licenses.id", ondelete="CASCADE"), index=True)
    machine_name: Mapped[str] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(128))
    is_active: Mapped[bool] = mapped_column(default=True)
    activated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    released_at: Mapped[dt.datetime | None]
