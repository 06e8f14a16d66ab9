"""SQL for list queries: ORDER BY with NULLs last and keyset conditions on both databases.

The plain request and result types live in :mod:`crm_core.lists` and are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_, false, literal_column, or_, true, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from crm_core.lists import OPS, Filter, ListQuery, Page

__all__ = ["OPS", "Filter", "KeysetPart", "ListQuery", "Page", "SortKey", "after_condition", "before_condition",
           "keyset_parts", "order_by"]

@dataclass(frozen=True)
class SortKey:
    """One column of the ORDER BY, NULLs always last whatever the direction."""

    column: Any
    descending: bool
    nullable: bool


@dataclass(frozen=True)
class KeysetPart:
    """One part of the rows after (or before) a cursor, read on its own: see :func:`keyset_parts`.

    ``keys``: its order, the same as the list's within the part (the first key's NULLs term
    dropped: the part holds only values or only NULLs).
    """

    condition: ColumnElement[bool]
    keys: list[SortKey]


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
    return _bounded(or_(*ors), keys, cursor, forwards=True) if ors else true()


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
    return _bounded(or_(*ors), keys, cursor, forwards=False) if ors else true()


def keyset_parts(keys: list[SortKey], cursor: tuple[Any, ...], *, forwards: bool) -> list[KeysetPart] | None:
    """The rows after (``forwards``) or before ``cursor`` as disjoint parts, each an index range read in order.

    None when one condition serves (:func:`after_condition` / :func:`before_condition`: the
    first key is not nullable). A nullable first key sorts its NULLs last in both directions,
    which the OR expansion states but from which neither planner starts an index range (a
    page deep in the list walked the NULLs-last index from the list's start: docs/performance.md).
    Split, each part is a range of migration 0014's NULLs-last index ``(col IS NULL, col [DESC],
    id [DESC])`` with its first column fixed: the values from the cursor on (``col`` compared to
    the cursor's value), then the NULLs (in the order of the later keys). Their union is exactly
    the rows the OR expansion selects; each part's first rows in its ``keys`` order, merged in
    the list's order, are the page (listing.ListingMixin._page_statement).

    Among the NULLs (a NULL cursor) SQLite ranges on the id too (``<expr>=? AND col=? AND id>?``);
    PostgreSQL starts at the NULLs' first entry and tests the id in the index (an index column
    is matched by one condition only, and ``col IS NULL`` goes to the first), or reads the rows
    from the cursor's id and sorts the NULLs among them, as its estimates say.
    """
    first = keys[0]
    if not first.nullable or len(keys) < 2:
        return None
    col, value = first.column, cursor[0]
    plain = [SortKey(col, first.descending, False), *keys[1:]]  # the order within a part
    later = (after_condition if forwards else before_condition)(keys[1:], cursor[1:])
    if value is None:  # among the NULLs: the later keys decide; every value lies before them
        nulls = KeysetPart(and_(_nulls_last_term(col, null=True), later), plain)
        return [nulls] if forwards else [nulls, KeysetPart(_nulls_last_term(col, null=False), plain)]
    upwards = forwards != first.descending  # the values sought are >= the cursor's
    values = KeysetPart(and_(_nulls_last_term(col, null=False), col >= value if upwards else col <= value,
                             or_(col > value if upwards else col < value, and_(col == value, later))), plain)
    return [values, KeysetPart(_nulls_last_term(col, null=True), plain)] if forwards else [values]


def _nulls_last_term(col: Any, *, null: bool) -> ColumnElement[bool]:
    """``col IS NULL`` (``null``) or not, written so that each planner fixes a NULLs-last index's first column.

    PostgreSQL matches ``col IS NULL`` and ``(col IS NULL) IS false`` to the index column
    ``(col IS NULL)`` (an equality); ``col IS NOT NULL`` it applies to ``col`` only, which does
    not position the scan. SQLite matches ``(col IS NULL) = 0/1`` to it, and ranges on ``col``
    (``col IS NULL`` an equality too) after it, in order.
    """
    term = col.is_(None).self_group()
    if null:
        return _PerDialect(col.is_(None), and_(term == literal_column("1"), col.is_(None)))
    return _PerDialect(term.is_(false()), term == literal_column("0"))


def _bounded(expansion: ColumnElement[bool], keys: list[SortKey], cursor: tuple[Any, ...], *,
             forwards: bool) -> ColumnElement[bool]:
    """``expansion`` and, when there is one, a bound on the first key that an index range can start from.

    Neither planner starts an index range from an OR: a page deep in a list would walk the
    sort order's index from its start, testing every row until the cursor (issue 9). The
    bound is implied by ``expansion`` (it selects nothing new) but is a plain range on the
    index's leading columns, so the scan starts at the cursor. ``forwards``: the rows
    sought lie after the cursor in ``keys`` order (NULLs, last, among them), else before it.
    """
    bound = _first_key_bound(keys[0], cursor[0], forwards=forwards) if len(keys) > 1 else None
    return expansion if bound is None else and_(bound, expansion)


def _first_key_bound(key: SortKey, value: Any, *, forwards: bool) -> ColumnElement[bool] | None:
    # A list's page on a nullable first key is read as parts (keyset_parts); the nullable bounds
    # below serve after_condition / before_condition called with one directly.
    col = key.column
    upwards = forwards != key.descending  # the rows sought have values >= the cursor's
    if value is None:
        # After a NULL: the expansion is already "col IS NULL AND ..." (an equality the index
        # serves). Before a NULL: every value and some NULLs, no single range of the index.
        return None
    if not key.nullable:
        return col >= value if upwards else col <= value
    if not forwards:
        # Before a value: no NULL (they sort last). PostgreSQL reads "IS NOT NULL" as
        # "(col IS NULL) = false" on migration 0014's NULLs-last indexes, which lead with it,
        # then ranges on col.
        return _PostgresqlOnly(and_(col.is_not(None), col >= value if upwards else col <= value))
    if upwards:
        # After a value, ascending: the values from it, then the NULLs; on the index
        # (col IS NULL, col, id) that is the range from (false, value). A row value compares
        # left to right and stops at the first unequal pair, so a NULL's (true, NULL) is in it.
        return _PostgresqlOnly(tuple_(col.is_(None), col) >= tuple_(false(), value))
    # After a value, descending: the index (col IS NULL, col DESC, id DESC) mixes directions,
    # which no row-value comparison states: the page walks the index from its start.
    return None


class _PostgresqlOnly(ColumnElement[bool]):
    """A redundant condition PostgreSQL can start an index range from; "1" (true) on SQLite.

    SQLite ranges over an expression index's later columns only by a skip-scan of its first,
    which it plans only with sqlite_stat1 (ANALYZE); without, a bound on a NULLs-last key
    makes it read every row up to the cursor through the plain column's index and sort them
    (worse than walking the NULLs-last index). It uses no row value on an expression either.
    """

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [("clause", InternalTraversal.dp_clauseelement)]

    def __init__(self, clause: ColumnElement[bool]) -> None:
        self.clause = clause



class _PerDialect(ColumnElement[bool]):
    """``default`` on PostgreSQL, ``sqlite`` on SQLite (the same rows, as each planner reads them)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition: no "= 1" added where the database has no boolean type
    _traverse_internals = [("default", InternalTraversal.dp_clauseelement),
                           ("sqlite", InternalTraversal.dp_clauseelement)]

    def __init__(self, default: ColumnElement[bool], sqlite: ColumnElement[bool]) -> None:
        self.default = default
        self.sqlite = sqlite


@compiles(_PerDialect)
def _compile_default(element: _PerDialect, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.default.self_group(), **kw)


@compiles(_PerDialect, "sqlite")
def _compile_sqlite(element: _PerDialect, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.sqlite.self_group(), **kw)


@compiles(_PostgresqlOnly)
def _compile_postgresql_only(element: _PostgresqlOnly, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clause, **kw)


@compiles(_PostgresqlOnly, "sqlite")
def _compile_sqlite_true(element: _PostgresqlOnly, compiler: Any, **kw: Any) -> str:
    return "1"
