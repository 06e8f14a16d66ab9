"""Counts that never hold a list up: exact when cheap, otherwise an honest estimate.

:func:`quick_count` runs the exact ``count(*)`` under a time budget (PostgreSQL
``statement_timeout`` inside a savepoint; SQLite a progress handler that
interrupts it). When the budget runs out it estimates instead: it counts the
matches inside a few short ranges of ids spread over the table, read through
the primary key, and scales them to the whole id range. The estimate is
returned as such (``Count.exact`` False), rounded to two significant figures.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from crm_core.lists import Count

BUDGET_MS = 25
SAMPLE_RANGES = 100
SAMPLE_SPAN = 50  # ids per range: 5,000 ids sampled in all (many short ranges: records entered in runs, e.g. one owner's import, are not sampled as a block)


def quick_count(s: Session, model: Any, filtered: Select, *, budget_ms: int | None = None) -> Count:
    """The number of rows ``filtered`` (a ``SELECT count(*) … WHERE …``) finds, exact if it fits the budget.

    Args:
        s: the caller's unit of work.
        model: the listed model (its ``id`` is sampled).
        filtered: the count statement with every condition of the list (scope, filters, search).
        budget_ms: how long the exact count may take (default ``BUDGET_MS``).
    """
    exact = _within_budget(s, filtered, max(1, budget_ms or BUDGET_MS))
    if exact is not None:
        return Count(exact, True)
    return Count(_estimate(s, model, filtered), False)


def _within_budget(s: Session, stmt: Select, budget_ms: int) -> int | None:
    if s.get_bind().dialect.name == "postgresql":
        previous = s.scalar(text("SELECT current_setting('statement_timeout')"))
        savepoint = s.begin_nested()
        try:
            s.execute(text("SELECT set_config('statement_timeout', :v, true)"), {"v": f"{budget_ms}ms"})
            value = int(s.scalar(stmt) or 0)
            s.execute(text("SELECT set_config('statement_timeout', :v, true)"), {"v": previous})
            savepoint.commit()
            return value
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != "57014":  # query_canceled: the budget ran out
                raise
            savepoint.rollback()  # also restores statement_timeout
            return None
    raw = s.connection().connection.driver_connection
    deadline = time.monotonic() + budget_ms / 1000
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        return int(s.scalar(stmt) or 0)
    except OperationalError as exc:
        if not isinstance(exc.orig, sqlite3.OperationalError) or "interrupt" not in str(exc.orig):
            raise
        return None
    finally:
        raw.set_progress_handler(None, 0)


def _estimate(s: Session, model: Any, filtered: Select) -> int:
    # Two subqueries: SQLite reads min() or max() from the end of the key only when it is
    # the query's one aggregate; min() and max() together scanned the whole table.
    low, high = s.execute(select(select(func.min(model.id)).scalar_subquery(),
                                 select(func.max(model.id)).scalar_subquery())).one()
    if low is None:
        return 0
    span = high - low + 1
    step = max(span // SAMPLE_RANGES, SAMPLE_SPAN)
    params: dict[str, int] = {}
    sampled = 0
    for k, start in enumerate(range(low, high + 1, step)):
        end = min(start + SAMPLE_SPAN - 1, high)
        params[f"sample_lo_{k}"], params[f"sample_hi_{k}"] = start, end
        sampled += end - start + 1
    found = int(s.scalar(filtered.where(_sample_ranges(model, len(params) // 2)), params) or 0)
    return _round(found * span / sampled)


_RANGES: dict[tuple[Any, int], ColumnElement[bool]] = {}


def _sample_ranges(model: Any, n: int) -> ColumnElement[bool]:
    """``id BETWEEN :sample_lo_k AND :sample_hi_k OR ...``, built once (a hundred terms cost milliseconds to build)."""
    key = (model, n)
    if key not in _RANGES:
        _RANGES[key] = or_(*(model.id.between(bindparam(f"sample_lo_{k}"), bindparam(f"sample_hi_{k}"))
                             for k in range(n)))
    return _RANGES[key]


def _round(value: float) -> int:
    """Two significant figures: an estimate should not look more precise than it is."""
    n = round(value)
    if n < 100:
        return n
    digits = len(str(n)) - 2
    return round(n, -digits)
