"""Customers (客户信息), their status history and sharing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db.base import Base, Deactivatable, Tracked, utcnow


class Customer(Tracked, Deactivatable, Base):
    """A customer company; every business record hangs off its code."""

    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_owner_id_id", "owner_id", "id"),
        # A salesperson's pages by name / newest first, read from his own rows (0011).
        Index("ix_customers_owner_id_name_id", "owner_id", "name", "id"),
        Index("ix_customers_owner_id_created_at_id", "owner_id", "created_at", "id"),
        Index("ix_customers_name", "name"),
        Index("ix_customers_created_at", "created_at"),
        # Each grid filter with id: a filtered page is read in order from the index (0006).
        Index("ix_customers_status_id", "status", "id"),
        Index("ix_customers_level_id", "level", "id"),
        Index("ix_customers_industry_id", "industry", "id"),
        Index("ix_customers_source_id", "source", "id"),
        Index("ix_customers_updated_at", "updated_at"),
        Index("ix_customers_phone", "phone"),  # duplicate check as you type (0010)
        Index("ix_customers_credit_code", "credit_code"),
        Index("ix_customers_name_key", "name_key"),  # the importer's duplicate look-up by name (0013)
    )

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str | None] = mapped_column(String(40))
    customer_type: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="prospect")
    level: Mapped[str | None] = mapped_column(String(1))
    industry: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str | None] = mapped_column(String(40))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    # Denormalised, lower-cased text of code, name, phone, e-mail and contact
    # names; the trigram indexes (pg_trgm / FTS5) are built over it.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The name without case, width, spaces and punctuation (search_index.name_key), written with the
    # search text by every path; the importer looks up the customers a file's names duplicate by it.
    # Deferred: never part of a loaded customer (only the importer's look-up reads it). Text, not
    # String(400): a declared length raises SQLite's row-size estimate, and its planner then served a
    # salesperson's page from another owner index (test_query_plans). At most 400 characters.
    name_key: Mapped[str | None] = mapped_column(Text, deferred=True)


# pg_trgm GIN index behind fuzzy search on PostgreSQL; SQLite uses an FTS5
# trigram table instead (created by the migration, outside the ORM).
Index("ix_customers_search_text_trgm", Customer.search_text, postgresql_using="gin",
      postgresql_ops={"search_text": "gin_trgm_ops"}).ddl_if(dialect="postgresql")


class CustomerStatusChange(Base):
    """客户状态变更记录: written automatically on every status change."""

    __tablename__ = "customer_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    contract_number: Mapped[str | None] = mapped_column(String(40))
    # The evidence of a move to 成交客户: while it is referenced here the contract cannot be deleted.
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    note: Mapped[str | None] = mapped_column(String(500))


class CustomerShare(Base):
    """A customer shared by an admin or manager with a user who does not own it."""

    __tablename__ = "customer_shares"
    __table_args__ = (UniqueConstraint("customer_id", "user_id"),
                      # a salesperson's shared customers, read from the index alone
                      Index("ix_customer_shares_user_id_customer_id", "user_id", "customer_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    shared_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CustomerSearchGram(Base):
    """Two-character index entries: search terms of two characters (no trigram index serves them).

    Every pair of adjacent characters of the customer's name and e-mail, its
    contacts' names and the phone digits, with the ``kind`` of field it came
    from (see :mod:`crm_core.services.search_index`), so a search leaves out
    what the searching role may not read.
    """

    __tablename__ = "customer_search_grams"
    __table_args__ = (
        # Refreshing one customer and the ON DELETE CASCADE find its rows through this. On PostgreSQL
        # two triggers take the foreign key's place (revision 0012; migrate.include_object).
        Index("ix_customer_search_grams_customer_id", "customer_id"),
    )

    gram: Mapped[str] = mapped_column(String(2), primary_key=True)
    kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)


class CodeSequence(Base):
    """Per-prefix-and-day counter behind codes like C20261122001; never goes back."""

    __tablename__ = "code_sequences"

    key: Mapped[str] = mapped_column(String(30), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)
