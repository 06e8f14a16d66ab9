"""Row locks that several services take on the same rows, in one order (parents first, in id order).

PostgreSQL only: on SQLite a write transaction holds the database's write lock from BEGIN
(``BEGIN IMMEDIATE``), which already serialises every writer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

PART = 1000


def lock_rows(s: Session, model: Any, ids: Iterable[Any], *, scope: ColumnElement[bool] | None = None,
              key_share: bool = True) -> dict[int, bool] | None:
    """Lock these rows of ``model`` in id order (``FOR NO KEY UPDATE``, or ``FOR UPDATE`` without
    ``key_share``), a thousand per statement, within ``scope``; returns id -> ``is_active`` of the rows locked
    (True for a table without the column), or None on SQLite (nothing to lock: the write lock serialises).

    In id order so that two transactions locking overlapping sets never wait for each other in a circle. A
    row already locked by this transaction is locked again at no cost.
    """
    if s.get_bind().dialect.name != "postgresql":
        return None
    wanted = sorted({i for i in ids if isinstance(i, int) and not isinstance(i, bool)})
    active = getattr(model, "is_active", None)
    out: dict[int, bool] = {}
    for i in range(0, len(wanted), PART):
        stmt = (select(model.id, active if active is not None else true())
                .where(model.id.in_(wanted[i:i + PART]), scope if scope is not None else true())
                .order_by(model.id).with_for_update(key_share=key_share))
        out.update((rid, bool(is_active)) for rid, is_active in s.execute(stmt))
    return out


def as_id(value: Any) -> int | None:
    """A reference as a caller may give it (an int, or digits as text) as an id; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def id_order(record_id: Any) -> tuple[int, Any]:
    """Sort key: ids ascending (anything else, which the services refuse as not found, after them)."""
    return (0, record_id) if as_id(record_id) == record_id else (1, str(record_id))
