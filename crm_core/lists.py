"""What a grid asks a service for, and what it gets back: plain values, no database imports.

The client imports these without loading SQLAlchemy (start-up time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
        before: read backwards: the ``limit`` rows just before this cursor (a page's
            ``prev_cursor``), still returned in the list's order; ``()`` means the
            last page, read from the end without walking the list. Ignores ``after``.
        offset: skip this many rows first (after ``after``, or before ``before`` when reading
            backwards): how a grid reaches the middle of a long list without a cursor there.
        fields: only these fields in each row (the grid's columns), besides the system
            fields (id, version ...); None: every field.
    """

    filters: tuple[Filter, ...] = ()
    search: str | None = None
    sort: tuple[str, ...] = ()
    after: tuple[Any, ...] | None = None
    limit: int = 50
    include_inactive: bool = True
    before: tuple[Any, ...] | None = None
    offset: int = 0
    fields: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Count:
    """How many records match a query: exact, or an estimate to be shown as one.

    ``exact`` False means ``value`` is an approximation (rounded to two
    significant figures): show it as such ("约 18 万条" / "about 180,000") and
    ask ``service.count(query)`` for the exact figure when the user wants it.
    """

    value: int
    exact: bool = True


@dataclass
class Page:
    """One page of plain records, and the cursor for the next one (None at the end)."""

    rows: list[dict[str, Any]]
    next_cursor: tuple[Any, ...] | None
    total: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # The cursor for the page before this one (``ListQuery.before``); None at the start of the list.
    prev_cursor: tuple[Any, ...] | None = None
