"""Import batches (批量导入): which file created which records, so an import can be undone as one unit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db.base import Base, utcnow


class ImportBatch(Base):
    """One import: its module, file, size, who ran it and whether it was undone.

    An import writes in chunks of short transactions; while it runs its batch is
    ``state`` "running" (with the writing process's host, pid and last heartbeat),
    then "done". A batch left "running" by a killed process is rolled back on the next
    sign-in (:func:`crm_core.importing.batches.recover_interrupted`), then "failed".
    """

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    module: Mapped[str] = mapped_column(String(40), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    # done: the records it created; while running: its module's records written so far, updates included (the
    # importer's progress, counted by each chunk's transaction: what the check of the next rows counts on)
    rows: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    undone_at: Mapped[dt.datetime | None]
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(12), default="done", server_default="done", index=True)
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None]
    heartbeat_at: Mapped[dt.datetime | None]
    updated: Mapped[int] = mapped_column(default=0, server_default="0")  # existing records the import changed


class ImportBatchRecord(Base):
    """A record an import created, with its version right after the import.

    Undo compares the version: a record someone edited since is not silently deleted.
    """

    __tablename__ = "import_batch_records"
    __table_args__ = (Index("ix_import_batch_records_batch_id", "batch_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"))
    record_id: Mapped[int]
    version: Mapped[int]
    module: Mapped[str | None] = mapped_column(String(40))  # None: the batch's module; else its companion's
    action: Mapped[str] = mapped_column(String(10), default="create", server_default="create")  # or "update"
    before: Mapped[dict | None] = mapped_column(JSON)  # an update's previous values, for undo
