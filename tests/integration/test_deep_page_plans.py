"""A page deep in a sorted list starts its index scan at the cursor, not at the list's start (issue 9).

The keyset condition is an OR (services.query.after_condition), which no planner starts an
index range from; the redundant bound query.py adds is what these plans show in the index's
range: PostgreSQL's "Index Cond", SQLite's SEARCH (col>?). Without it the page walked the
index from its start and tested every row up to the cursor: page k cost k pages.

The cursor is 700 rows from the end for ``after`` and 700 from the start for ``before`` (of
3,000 rows: module_rows), so either plan walked over 2,000 rows to reach it.
"""

from __future__ import annotations

import re

import pytest

from crm_core import ListQuery
from crm_core.modules import customers as customers_module
from tests.integration.test_query_plans import _module_page_plan, module_rows  # noqa: F401 - a fixture

DEPTH = 700

# (module, sort field) -> the index a page walks (admin, salesperson with many customers)
PLAIN = {
    ("customers", "name"): ("ix_customers_name", "ix_customers_owner_id_name_id"),
    ("contacts", "name"): ("ix_contacts_name_id", "ix_contacts_name_id"),
    ("contracts", "amount"): ("ix_contracts_amount_id", "ix_contracts_amount_id"),
    ("payments", "received_on"): ("ix_payments_received_on_id", "ix_payments_received_on_id"),
}
NULLS_LAST = {("contracts", "signed_on"), ("licenses", "valid_until")}


def _deep_query(session, module: str, sort: str, direction: str) -> ListQuery:
    service = getattr(session, module)
    if direction == "after":  # DEPTH rows from the end
        cursor = service.list(ListQuery(sort=(sort,), before=(), offset=DEPTH - 1, limit=1)).prev_cursor
        return ListQuery(sort=(sort,), after=cursor, limit=20)
    cursor = service.list(ListQuery(sort=(sort,), offset=DEPTH - 1, limit=1)).next_cursor
    return ListQuery(sort=(sort,), before=cursor, limit=20)


def _index_cond(plan: str, index: str) -> str:
    """PostgreSQL: the Index Cond of the (plain, ordered) scan of ``index``, '' if it is not scanned so."""
    lines = plan.splitlines()
    for i, line in enumerate(lines[:-1]):
        if f"using {index} on" in line and lines[i + 1].strip().startswith("Index Cond:"):
            return lines[i + 1].strip()
    return ""


def _sqlite_search(plan: str, index: str) -> str:
    return next((line for line in plan.splitlines() if "SEARCH" in line and f"INDEX {index} (" in line), "")


@pytest.mark.parametrize("who", ["admin", "salesperson"])
@pytest.mark.parametrize("direction", ["after", "before"])
@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize(("module", "column"), sorted(PLAIN))
def test_a_deep_page_starts_its_index_range_at_the_cursor(admin, module_rows, monkeypatch, backend,
                                                          module, column, desc, direction, who):
    monkeypatch.setattr(customers_module, "OWNER_BOUND", 100)  # sales1's 1,000 customers are "many"
    session = admin if who == "admin" else module_rows
    index = PLAIN[(module, column)][who == "salesperson"]
    plan = _module_page_plan(session, module, _deep_query(session, module, ("-" if desc else "") + column, direction))
    if module == "customers" and who == "salesperson":  # his own rows' part (the shared ones are few)
        plan = plan.split("UNION ALL")[0] if backend == "sqlite" else plan.split("Append", 1)[1].split("->  Limit")[1]
    upwards = (direction == "after") != desc
    if backend == "sqlite":
        search = _sqlite_search(plan, index)
        assert f"{column}{'>' if upwards else '<'}?" in search, plan
        assert "TEMP B-TREE" not in plan.split("UNION ALL")[0], plan
    else:
        # e.g. "Index Cond: ((name)::text >= '客户2289'::text)", "(received_on <= '2025-07-19'::date)"
        bound = re.compile(rf"\b{column}\)?(::text)? {'>=' if upwards else '<='} ")
        assert bound.search(_index_cond(plan, index)), plan


@pytest.mark.parametrize("who", ["admin", "salesperson"])
@pytest.mark.parametrize(("desc", "direction"), [(False, "after"), (False, "before"), (True, "before")],
                         ids=["asc-after", "asc-before", "desc-before"])
@pytest.mark.parametrize(("module", "column"), sorted(NULLS_LAST))
def test_a_deep_page_of_a_nulls_last_sort_starts_at_the_cursor_on_postgresql(admin, module_rows, monkeypatch,
                                                                             backend, module, column, desc,
                                                                             direction, who):
    """The NULLs-last index (col IS NULL, col, id): a row value after the cursor, IS NOT NULL and a range before it.

    Not after a value in descending order: that index mixes directions, which no row value
    states (the page walks the index from its start, as before; docs/performance.md).
    """
    if backend == "sqlite":
        pytest.skip("SQLite is given no bound on a NULLs-last key (query._PostgresqlOnly): see the next test")
    monkeypatch.setattr(customers_module, "OWNER_BOUND", 100)
    session = admin if who == "admin" else module_rows
    table = getattr(session, module).spec.model.__tablename__
    index = f"ix_{table}_{column}_{'desc_' if desc else ''}nulls_last_id"
    plan = _module_page_plan(session, module, _deep_query(session, module, ("-" if desc else "") + column, direction))
    cond = _index_cond(plan, index)
    if direction == "after":
        assert f"ROW(({column} IS NULL), {column}) >= ROW(false," in cond, plan
    else:
        assert f"({column} IS NOT NULL) AND ({column} {'>=' if desc else '<='}" in cond, plan
    assert "Sort  (" not in plan, plan


@pytest.mark.parametrize("direction", ["after", "before"])
@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize(("module", "column"), sorted(NULLS_LAST))
def test_a_deep_page_of_a_nulls_last_sort_still_walks_its_index_in_order_on_sqlite(admin, module_rows, backend,
                                                                                  module, column, desc, direction):
    """Kept as it was: a range on col would have SQLite read every row to the cursor and sort them
    unless sqlite_stat1 lets it skip-scan the index's first column (query._PostgresqlOnly)."""
    if backend != "sqlite":
        pytest.skip("SQLite's plan")
    table = getattr(admin, module).spec.model.__tablename__
    plan = _module_page_plan(admin, module, _deep_query(admin, module, ("-" if desc else "") + column, direction))
    assert f"INDEX ix_{table}_{column}_{'desc_' if desc else ''}nulls_last_id" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
