"""Business codes like C20261122001: unique across clients, never reused."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crm_core.models import CodeSequence


def office_today() -> dt.date:
    """Today's date in the workstation's local time zone (codes carry the office's date)."""
    return dt.datetime.now().astimezone().date()


def next_code(s: Session, prefix: str, day: dt.date | None = None, *, width: int = 3) -> str:
    """Reserve the next code ``<prefix><YYYYMMDD><NNN>`` in the current transaction.

    The counter row is created if missing and incremented with UPDATE ...
    RETURNING, which takes the row's write lock (PostgreSQL) or the database
    write lock (SQLite, where write units begin IMMEDIATE): two clients can
    never get the same number. The counter never goes back, so a deleted
    record's code is never handed out again. Past 999 a day the number simply
    gets wider (C202611221000).
    """
    day = day or office_today()
    key = f"{prefix}{day:%Y%m%d}"
    insert = (postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert)(CodeSequence)
    s.execute(insert.values(key=key, last_value=0).on_conflict_do_nothing(index_elements=["key"]))
    value = s.scalar(update(CodeSequence).where(CodeSequence.key == key)
                     .values(last_value=CodeSequence.last_value + 1).returning(CodeSequence.last_value))
    return f"{key}{value:0{width}d}"


def reserve_codes(s: Session, prefix: str, counts: dict[dt.date, int], *, width: int = 3) -> dict[dt.date, list[str]]:
    """Reserve blocks of consecutive codes, ``counts[day]`` of each day, in one statement (bulk writes).

    Same rules as :func:`next_code`: the counters only go up (an upsert that
    adds the block size, under the row lock), so no client ever gets a code
    handed out here.
    """
    wanted = {f"{prefix}{day:%Y%m%d}": (day, n) for day, n in sorted(counts.items()) if n > 0}
    if not wanted:
        return {}
    dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(CodeSequence).values([{"key": k, "last_value": n} for k, (_, n) in wanted.items()])
    stmt = stmt.on_conflict_do_update(index_elements=["key"],
                                      set_={"last_value": CodeSequence.last_value + stmt.excluded.last_value})
    out = {}
    for key, last in s.execute(stmt.returning(CodeSequence.key, CodeSequence.last_value)):
        day, n = wanted[key]
        out[day] = [f"{key}{value:0{width}d}" for value in range(last - n + 1, last + 1)]
    return out
