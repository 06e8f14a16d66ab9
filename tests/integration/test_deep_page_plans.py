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


NULL_DEPTH = 50  # a cursor among the NULLs (every tenth row: 300, the salesperson 100), which sort last both ways


def _parts(plan: str, backend: str) -> list[str]:
    """The parts of the rows after / before the cursor a page reads apart (query.keyset_parts), each
    its own plan; one part (before a value) is the page's own plan."""
    if backend == "sqlite":  # CO-ROUTINE anon_n ... SCAN anon_n, one per part of the UNION ALL
        return [body for _, body in re.findall(r"CO-ROUTINE (anon_\d+)\n(.*?)\nSCAN \1", plan, re.S)] or [plan]
    if "Append" not in plan:
        return [plan]
    return plan.split("Append", 1)[1].split("->  Limit")[1:]


@pytest.mark.parametrize("stats", ["analyzed", "unanalyzed"])
@pytest.mark.parametrize("who", ["admin", "salesperson"])
@pytest.mark.parametrize("cursor", ["value", "null"])
@pytest.mark.parametrize("direction", ["after", "before"])
@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize(("module", "column"), sorted(NULLS_LAST))
def test_a_deep_page_of_a_nulls_last_sort_starts_at_the_cursor(admin, module_rows, monkeypatch, backend, module,
                                                               column, desc, direction, cursor, who, stats):
    """The values and the NULLs read apart (query.keyset_parts), each from migration 0014's NULLs-last
    index ``(col IS NULL, col [DESC], id [DESC])`` with its first column fixed: the values from the
    cursor's value on, the NULLs (after a NULL cursor: from its id on SQLite, from their first on
    PostgreSQL), each in order, then merged.

    Before: the OR expansion (and on PostgreSQL a row value after a value ascending, ``IS NOT NULL
    AND`` a range on the index's second column before one) walked the index from the list's start.
    SQLite plans the same with the tables ANALYZEd (as module_rows leaves them) and without
    sqlite_stat1 (as the app runs: it runs no ANALYZE).
    """
    monkeypatch.setattr(customers_module, "OWNER_BOUND", 100)  # sales1's 1,000 customers are "many"
    if stats != "analyzed":
        if backend != "sqlite":
            pytest.skip("SQLite's statistics")
        with admin.db.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM sqlite_stat1")
        for s in (admin, module_rows):  # connections read the statistics when they open
            s.db.engine.dispose()
    session = admin if who == "admin" else module_rows
    service = getattr(session, module)
    table = service.spec.model.__tablename__
    sort = ("-" if desc else "") + column
    if cursor == "value":
        q = _deep_query(session, module, sort, direction)
        assert q.after is None or q.after[0] is not None
        assert q.before is None or q.before[0] is not None
    else:  # NULL_DEPTH rows from the end: among the NULLs
        at = service.list(ListQuery(sort=(sort,), before=(), offset=NULL_DEPTH - 1, limit=1)).prev_cursor
        assert at[0] is None
        q = ListQuery(sort=(sort,), limit=20, **{direction: at})
    parts = _parts(_module_page_plan(session, module, q), backend)
    upwards = (direction == "after") != desc
    # after a value: its values and the NULLs; before one: values only; after a NULL: NULLs only; before: both
    want = {("after", "value"): ["values", "nulls"], ("before", "value"): ["values"],
            ("after", "null"): ["nulls"], ("before", "null"): ["nulls", "values"]}[(direction, cursor)]
    assert len(parts) == len(want), parts
    for part in parts:
        if backend == "sqlite":
            search = next((line for line in part.splitlines() if line.startswith(f"SEARCH {table} USING")), "")
            assert "TEMP B-TREE" not in part, part
            values_range = f"<expr>=? AND {column}{'>' if upwards else '<'}?)"
            if cursor == "value" and values_range in search:
                want.remove("values")
            elif cursor == "null" and direction == "before" and search.endswith("(<expr>=?)"):
                want.remove("values")  # all of them, from the end
            elif f"(<expr>=? AND {column}=?" in search:
                assert cursor == "value" or f"AND id{'>' if upwards else '<'}?)" in search, part
                want.remove("nulls")
            assert f"INDEX ix_{table}_{column}_" in search and "nulls_last_id" in search, part
        else:
            lines = part.splitlines()
            scan = next((i for i, line in enumerate(lines) if f"using ix_{table}_{column}_" in line
                         and "nulls_last_id on" in line), None)
            cond = lines[scan + 1] if scan is not None and scan + 1 < len(lines) else ""
            if re.search(rf"\({column} IS NULL\)+ = false", cond):
                assert cursor == "null" or re.search(rf"\b{column} {'>=' if upwards else '<='} ", cond), part
                want.remove("values")
            elif re.search(rf"\({column} IS NULL\)+ = true", cond):
                want.remove("nulls")
            elif cursor == "null" and f"using pk_{table} on" in part:
                # Among the NULLs PostgreSQL may rather read the rows from the cursor's id and sort
                # the NULLs among them (no index position within the NULLs: docs/performance.md).
                assert re.search(rf"Index Cond: \(id {'>' if upwards else '<'} \d+\)", part), part
                assert re.search(rf"Filter: \(\(?{column} IS NULL", part), part
                want.remove("nulls")
                continue
            assert "Sort" not in part, part
    assert want == [], parts
