"""SQL for list queries: ORDER BY with NULLs last and keyset conditions on both databases.

The plain request and result types live in :mod:`crm_core.lists` and are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true

from crm_core.lists import OPS, Filter, ListQuery, Page

__all__ = ["OPS", "Filter", "ListQuery", "Page", "SortKey", "after_condition", "before_condition", "order_by"]

@dataclass(frozen=True)
class SortKey:
    """One column of the ORDER BY, NULLs always last whatever the direction."""

    column: Any
    descending: bool
    nullable: bool


def order_by(keys: list[SortKey], *, reverse: bool = False) -> list[Any]:
    """ORDER BY clauses for ``keys`` that mean the same on SQLite and PostgreSQL.

    ``reverse`` gives the exact opposite order (NULLs first), to read a list from its end.
    """
    clauses: list[Any] = []
    for k in keys:
        if k.nullable:
            nulls = k.column.is_(None)
            clauses.append(nulls.desc() if reverse else nulls)  # false (not null) first
        clauses.append(k.column.desc() if k.descending != reverse else k.column.asc())
    return clauses


def after_condition(keys: list[SortKey], cursor: tuple[Any, ...]) -> ColumnElement[bool]:
    """WHERE clause for rows strictly after ``cursor`` in ``keys`` order.

    Lexicographic: (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ... with NULLs
    sorting after every value. Written out rather than as a row-value
    comparison because NULLs and mixed directions defeat the latter.
    """
    ors: list[ColumnElement[bool]] = []
    equal_so_far: list[ColumnElement[bool]] = []
    for key, value in zip(keys, cursor, strict=True):
        col = key.column
        if value is None:
            # Everything after a NULL is NULL too: only later keys can be greater.
            greater = false()
            equal = col.is_(None)
        else:
            greater = (col < value) if key.descending else (col > value)
            if key.nullable:
                greater = or_(greater, col.is_(None))
            equal = col == value
        ors.append(and_(*equal_so_far, greater) if equal_so_far else greater)
        equal_so_far.append(equal)
    return or_(*ors) if ors else true()


def before_condition(keys: list[SortKey], cursor: tuple[Any, ...]) -> ColumnElement[bool]:
    """WHERE clause for rows strictly before ``cursor`` in ``keys`` order (the mirror of :func:`after_condition`)."""
    ors: list[ColumnElement[bool]] = []
    equal_so_far: list[ColumnElement[bool]] = []
    for key, value in zip(keys, cursor, strict=True):
        col = key.column
        if value is None:
            # Every value sorts before NULL.
            less = col.is_not(None) if key.nullable else true()
            equal = col.is_(None)
        else:
            less = (col > value) if key.descending else (col < value)
            equal = col == value
        ors.append(and_(*equal_so_far, less) if equal_so_far else less)
        equal_so_far.append(equal)
    return or_(*ors) if ors else true()
