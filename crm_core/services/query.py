"""List queries: filters, sorting and keyset paging, described as plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true

OPS = frozenset({"eq", "ne", "in", "gte", "lte", "between", "contains", "is_null"})


@dataclass(frozen=True)
class Filter:
    """One condition on one field.

    ``op`` is one of eq, ne, in, gte, lte, between (value is a (low, high)
    pair; either may be None), contains (text), is_null (value True/False).
    """

    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class ListQuery:
    """What a grid asks for.

    Attributes:
        filters: conditions, all of which must hold. A dict ``{field: value}``
            is accepted by services as a shorthand for "eq" filters.
        search: fuzzy text (at least 2 characters).
        sort: field names, "-" in front for descending; id is always the tie-breaker.
        after: the ``next_cursor`` of the previous page, None for the first page.
        limit: rows per page (1..500).
        include_inactive: also list deactivated records.
    """

    filters: tuple[Filter, ...] = ()
    search: str | None = None
    sort: tuple[str, ...] = ()
    after: tuple[Any, ...] | None = None
    limit: int = 50
    include_inactive: bool = True


@dataclass
class Page:
    """One page of plain records, and the cursor for the next one (None at the end)."""

    rows: list[dict[str, Any]]
    next_cursor: tuple[Any, ...] | None
    total: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SortKey:
    """One column of the ORDER BY, NULLs always last whatever the direction."""

    column: Any
    descending: bool
    nullable: bool


def order_by(keys: list[SortKey]) -> list[Any]:
    """ORDER BY clauses for ``keys`` that mean the same on SQLite and PostgreSQL."""
    clauses: list[Any] = []
    for k in keys:
        if k.nullable:
            clauses.append(k.column.is_(None))  # false (not null) first
        clauses.append(k.column.desc() if k.descending else k.column.asc())
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
