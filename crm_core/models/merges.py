"""Customer merges (合并客户): which customer was merged into which, and what moved, so it can be undone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db.base import Base, utcnow


class CustomerMerge(Base):
    """One merge: ``merged_id``'s records moved to ``kept_id``; ``moved`` lists them per table (for undo).

    The merged customer stays, deactivated, as a redirect to the kept one.
    """

    __tablename__ = "customer_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    moved: Mapped[dict]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undone_at: Mapped[dt.datetime | None]
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
