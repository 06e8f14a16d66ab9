"""Set-based row writing: id blocks and the fastest insert each backend offers.

PostgreSQL gets ``COPY ... FROM STDIN`` through psycopg, SQLite a plain
``executemany`` on the driver connection (both measured in
``docs``/PERFORMANCE: 5-30x an ORM unit of work). Values go through each
column type's own bind processing first, so what lands in the table is what
the ORM would have written (UTC timestamps, integer cents on SQLite, JSON).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session


def reserve_ids(s: Session, table: Table, n: int) -> list[int]:
    """``n`` new primary keys for ``table``, never handed out to anyone else.

    PostgreSQL: values drawn from the table's sequence (unique across clients).
    SQLite: the caller holds the write lock (write units begin IMMEDIATE), so
    the ids after the highest ever used are free; inserting them moves
    ``sqlite_sequence`` on, as an ordinary insert would.
    """
    if n <= 0:
        return []
    if s.get_bind().dialect.name == "postgresql":
        seq = s.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')").bindparams(t=table.name))
        return list(s.scalars(text("SELECT nextval(:seq) FROM generate_series(1, :n)").bindparams(seq=seq, n=n)))
    seq = s.scalar(text("SELECT seq FROM sqlite_sequence WHERE name = :t").bindparams(t=table.name)) or 0
    top = s.scalar(select(func.max(table.c.id))) or 0
    start = max(int(seq), int(top)) + 1
    return list(range(start, start + n))


def insert_rows(s: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` in the caller's transaction."""
    if not rows:
        return
    conn = s.connection()
    dialect = conn.dialect
    procs = [(i, p) for i, c in enumerate(columns) if (p := table.c[c].type.bind_processor(dialect)) is not None]
    if procs:
        # None goes through too: a JSON column stores Python None as JSON null, as the ORM does.
        out = []
        for r in rows:
            r = list(r)
            for i, p in procs:
                r[i] = p(r[i])
            out.append(r)
        rows = out
    raw = conn.connection.driver_connection
    names = ", ".join(f'"{c}"' for c in columns)
    if dialect.name == "postgresql":
        from crm_core.services.masked import database_auth

        if not database_auth(s):
            with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as cp:
                for r in rows:
                    cp.write_row([_pg_value(v) for v in r])
            return
        # A CRM user's own login is under row-level security, which COPY does not support:
        # a pipelined executemany of INSERTs, each row checked by the policies.
        marks = ", ".join("%s" for _ in columns)
        with raw.cursor() as cur:
            cur.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
                            [[_pg_value(v) for v in r] for r in rows])
        return
    marks = ", ".join("?" for _ in columns)
    raw.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)


def _pg_value(v: Any) -> Any:
    # JSON columns arrive as dicts (or psycopg's Json wrapper): COPY's text format wants the JSON text.
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    obj = getattr(v, "obj", None)
    if obj is not None and type(v).__name__ in ("Json", "Jsonb"):
        return json.dumps(obj, ensure_ascii=False)
    return v


def update_rows(s: Session, table: Table, key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """``UPDATE table SET columns = ... WHERE key = ...`` for many rows, one statement (executemany).

    Each row is ``(key value, *column values)``.
    """
    if not rows:
        return
    from sqlalchemy import bindparam

    stmt = table.update().where(table.c[key] == bindparam("_k")).values(
        {c: bindparam(f"_{c}", type_=table.c[c].type) for c in columns})
    s.execute(stmt, [{"_k": r[0], **{f"_{c}": v for c, v in zip(columns, r[1:], strict=True)}} for r in rows])
