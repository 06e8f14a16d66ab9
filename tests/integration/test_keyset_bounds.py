"""Keyset conditions with their index bound select exactly the rows a full sort puts after / before the cursor.

crm_core.services.query adds to the OR expansion a redundant range on the first key (issue 9:
deep pages), on each database as its planner can use it; a nullable first key's rows are read
as parts (``keyset_parts``: the values, the NULLs), each in its own order. Whatever it adds must
select nothing new and drop nothing: checked here against a sort in Python, with NULLs (NULL
cursors too), ties, both directions and mixed directions, reading forwards (``after``) and
backwards (``before``).
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, delete, insert, select

from crm_core.services.query import SortKey, after_condition, before_condition, keyset_parts, order_by

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

_meta = MetaData()
PROBE = Table("keyset_probe", _meta,
              Column("id", Integer, primary_key=True, autoincrement=False),
              Column("k", Integer, nullable=True),
              Column("j", Integer, nullable=False))

# Few distinct values: many ties, many NULLs.
VALUES = st.one_of(st.none(), st.integers(0, 4))
ROWS = st.lists(st.tuples(VALUES, st.integers(0, 3)), min_size=1, max_size=30)
SORTS = st.sampled_from([("k",), ("j",), ("k", "j"), ("j", "k")])


@pytest.fixture
def probe(db):
    _meta.create_all(db.engine)
    yield db.engine
    _meta.drop_all(db.engine)


def _python_order(keys: list[tuple[str, bool]], row: dict) -> tuple:
    """The list's order: NULLs last in both directions, then the value in its direction."""
    out = []
    for name, desc in keys:
        v = row[name]
        out.append((1, 0) if v is None else (0, -v if desc else v))
    return tuple(out)


def _case(rows, sort, descs, backwards, pick, free):
    """The keys, the rows, the cursor and the ids a full sort puts after (before: nearest first) it."""
    names = [*sort, "id"]
    directions = list(descs[:len(sort)]) + [descs[2]]
    keys = [SortKey(PROBE.c[n], d, n == "k") for n, d in zip(names, directions)]
    data = [{"id": i + 1, "k": k, "j": j} for i, (k, j) in enumerate(rows)]
    if free is None:  # the app's cursors are a row's keys
        chosen = data[pick % len(data)]
        cursor = tuple(chosen[n] for n in names)
    else:  # any values at all (j is never NULL)
        values = dict(zip(("k", "j"), free))
        values["j"] = values["j"] if values["j"] is not None else 2
        cursor = (*(values[n] for n in sort), (pick % 31) + 1)
    order = functools.partial(_python_order, list(zip(names, directions)))
    ranked = sorted(data, key=order)
    at = order(dict(zip(names, cursor)))
    if backwards:
        expected = [r["id"] for r in reversed(ranked) if order(r) < at]
    else:
        expected = [r["id"] for r in ranked if order(r) > at]
    # As listing.py binds it: a parameter per non-NULL value, a NULL written into the statement.
    bound = tuple(None if v is None else bindparam(f"cursor_{i}", type_=k.column.type)
                  for i, (k, v) in enumerate(zip(keys, cursor)))
    params = {f"cursor_{i}": v for i, v in enumerate(cursor) if v is not None}
    return keys, data, bound, params, expected


CASES = given(rows=ROWS, sort=SORTS, descs=st.tuples(st.booleans(), st.booleans(), st.booleans()),
              backwards=st.booleans(), pick=st.integers(0, 29), free=st.one_of(st.none(), st.tuples(VALUES, VALUES)))


@SETTINGS
@CASES
@example(rows=[(None, 0), (1, 0), (1, 1), (None, 1), (2, 0)], sort=("k",), descs=(True, False, True),
         backwards=False, pick=1, free=None)
@example(rows=[(None, 0), (1, 0), (1, 1), (None, 1), (2, 0)], sort=("k",), descs=(False, False, False),
         backwards=True, pick=2, free=None)
def test_a_page_after_or_before_a_cursor_holds_exactly_the_rows_a_full_sort_puts_there(
        probe, rows, sort, descs, backwards, pick, free):
    keys, data, bound, params, expected = _case(rows, sort, descs, backwards, pick, free)
    cond = (before_condition if backwards else after_condition)(keys, bound)
    stmt = select(PROBE.c.id).where(cond).order_by(*order_by(keys, reverse=backwards))
    with probe.begin() as conn:
        conn.execute(delete(PROBE))
        conn.execute(insert(PROBE), data)
        got = conn.execute(stmt, params).scalars().all()
    assert got == expected


@SETTINGS
@CASES
@example(rows=[(None, 0), (1, 0), (1, 1), (None, 1), (2, 0), (None, 2)], sort=("k",), descs=(True, False, True),
         backwards=False, pick=1, free=None)  # after a value, descending: its values, then the NULLs
@example(rows=[(None, 0), (1, 0), (1, 1), (None, 1), (2, 0), (None, 2)], sort=("k",), descs=(False, False, False),
         backwards=True, pick=3, free=None)  # before a NULL: the NULLs before it, then every value
@example(rows=[(None, 0), (1, 0), (1, 1), (None, 1), (2, 0), (None, 2)], sort=("k",), descs=(True, False, True),
         backwards=True, pick=3, free=None)  # the same, descending
@example(rows=[(None, 0), (1, 0), (1, 1), (None, 1), (2, 0), (None, 2)], sort=("k", "j"), descs=(True, True, False),
         backwards=False, pick=0, free=None)  # after a NULL, ties on j
@example(rows=[(1, 0), (1, 1), (1, 2)], sort=("k",), descs=(True, False, True),
         backwards=False, pick=1, free=None)  # ties on k, no NULL at all
def test_the_parts_of_a_nullable_first_keys_rows_read_in_their_order_are_exactly_the_list(
        probe, rows, sort, descs, backwards, pick, free):
    """query.keyset_parts: each part read in its own order (as its index serves it), the parts one after
    another, are exactly the rows after / before the cursor in the list's order; at most two parts."""
    keys, data, bound, params, expected = _case(rows, sort, descs, backwards, pick, free)
    parts = keyset_parts(keys, bound, forwards=not backwards)
    if not keys[0].nullable:
        assert parts is None
        return
    assert 1 <= len(parts) <= 2
    got: list[int] = []
    with probe.begin() as conn:
        conn.execute(delete(PROBE))
        conn.execute(insert(PROBE), data)
        for part in parts:
            stmt = select(PROBE.c.id).where(part.condition).order_by(*order_by(part.keys, reverse=backwards))
            got += conn.execute(stmt, params).scalars().all()
    assert got == expected
