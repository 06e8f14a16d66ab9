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


def lock_parents(s: Session, child: Any, parent_column: Any, parent: Any, record_ids: Iterable[Any], *,
                 given: Iterable[Any] = (), scope: ColumnElement[bool] | None = None, key_share: bool = True,
                 movable: bool = True) -> None:
    """Lock the parents of these ``child`` records (``parent_column``: the child's reference to ``parent``),
    and the parents ``given`` (the ones a write moves them to), in id order, before the records themselves
    (see ``WriteGuardsMixin._lock_before_records``). PostgreSQL only, as :func:`lock_rows`.

    ``movable``: another transaction may move a child to another parent while this one waits for the lock (a
    customer merge, or its undo, moves the contacts of one customer to the other). The parents are read
    before they are locked, so they are read again once locked, until no new parent turns up (one more
    SELECT when nothing moved), so that each record's parent is locked before the record.

    A parent found by that re-read may come before one already locked (a merge kept the customer with the
    lower id): locking it now, after the higher one, would wait out of id order, in a circle with a writer
    that holds the lower one and waits for the higher one (another contact's save moving its contact from
    the kept customer to the merged one, a bulk update of contacts on both: they took the locks in id order
    while the merge held them). The locks are therefore taken inside a savepoint: on such a find they are
    let go (rolling back to the savepoint releases the row locks taken after it) and all the parents are
    taken again, in id order. Locks the transaction held before the call are kept (locking a row it already
    holds changes nothing).
    """
    if s.get_bind().dialect.name != "postgresql":
        return
    ids = sorted({i for i in record_ids if as_id(i) == i})
    fixed = {as_id(g) for g in given} - {None}

    def parents_now() -> set[int]:
        out = set(fixed)
        for i in range(0, len(ids), PART):
            out.update(s.scalars(select(parent_column).where(child.id.in_(ids[i:i + PART]))))
        out.discard(None)
        return out

    if not movable:
        lock_rows(s, parent, parents_now(), scope=scope, key_share=key_share)
        return
    point = s.begin_nested()
    try:
        locked: set[int] = set()
        while True:
            wanted = parents_now()
            new = wanted - locked
            if not new:
                break
            if locked and min(new) < max(locked):  # out of id order: let go of them all and take them again
                point.rollback()
                point = s.begin_nested()
                locked, new = set(), wanted
            lock_rows(s, parent, new, scope=scope, key_share=key_share)
            locked |= new
    except BaseException:
        if point.is_active:
            point.rollback()
        raise
    point.commit()
