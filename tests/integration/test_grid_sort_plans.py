"""Every sort the customers grid offers reads its first page from an index, as admin and as a salesperson.

The grid offers only the module's ``grid_sorts`` (crm_core.modules.customers); these plans are
why (issue 9, item 4). Taken with EXPLAIN after ANALYZE on 3,000 customers; the figures at
200,000 are in docs/performance.md ("Sorts the grid offers").
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from crm_core import ListQuery
from crm_core.modules import customers as customers_module
from tests.integration.test_list_one_trip import _page_plan, office  # noqa: F401 - a fixture

# The index each offered sort walks: (admin, salesperson with many customers).
SQLITE = {
    "code": ("sqlite_autoindex_customers_1", "sqlite_autoindex_customers_1"),
    "name": ("ix_customers_name", "ix_customers_owner_id_name_id"),
    "status": ("ix_customers_status_id", "ix_customers_status_id"),
    "created_at": ("ix_customers_created_at", "ix_customers_owner_id_created_at_id"),
}
POSTGRESQL = {
    "code": ("uq_customers_code", "uq_customers_code"),
    "name": ("ix_customers_name", "ix_customers_owner_id_name_id"),
    "status": ("ix_customers_status_id", "ix_customers_status_id"),
    "created_at": ("ix_customers_created_at", "ix_customers_owner_id_created_at_id"),
}


@pytest.fixture
def spread(office, admin):
    """The 3,000 customers created a second apart (one INSERT gave them one time: all ties)."""
    with admin.db.engine.begin() as conn:
        if admin.db.backend == "postgresql":
            conn.execute(text("UPDATE customers SET created_at = created_at - id * interval '1 second'"))
        else:
            conn.execute(text("UPDATE customers SET created_at = datetime(created_at, '-' || id || ' seconds')"))
        conn.execute(text("ANALYZE"))
    return office


def test_the_grid_offers_exactly_the_sorts_checked_here():
    assert set(customers_module.SPEC.grid_sorts) == set(SQLITE) | {"id"}


@pytest.mark.parametrize("who", ["admin", "salesperson"])
@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("column", sorted(SQLITE))
def test_an_offered_sort_reads_its_first_page_from_an_index(admin, spread, monkeypatch, backend, column, desc, who):
    monkeypatch.setattr(customers_module, "OWNER_BOUND", 100)  # sales1's 1,000 customers are "many"
    session = admin if who == "admin" else spread
    indexes = (SQLITE if backend == "sqlite" else POSTGRESQL)[column]
    # A salesperson's rows are a third of these: the planner may as well walk the column's own index
    # and skip the others' rows (at 200,000 it takes his: docs/performance.md). Either is in order.
    wanted = indexes if who == "salesperson" else indexes[:1]
    plan = _page_plan(session, ListQuery(sort=(("-" if desc else "") + column,)))
    own = plan
    if who == "salesperson":  # his own rows' part (the shared ones are few: read, then sorted)
        own = plan.split("UNION ALL")[0] if backend == "sqlite" else plan.split("Append", 1)[1].split("->  Limit")[1]
    assert any(index in own for index in wanted), own
    if backend == "sqlite":
        assert "TEMP B-TREE" not in own
    else:
        assert "Seq Scan on customers" not in own
        # At most an incremental sort of the ties (by id) in rows the index gives in order.
        sorts = [line.strip().lstrip("-> ") for line in own.splitlines()]
        sorts = [s for s in sorts if s.startswith(("Sort  (", "Incremental Sort"))]
        assert all(s.startswith("Incremental Sort") for s in sorts), own
        assert own.count("Presorted Key") == len(sorts)


@pytest.mark.parametrize("column", ["level", "industry", "owner_id", "email"])
def test_a_sort_the_grid_does_not_offer_would_sort_every_row(admin, office, backend, column):  # noqa: F811
    """Why they are left out: no index gives these in order (NULLs last both ways)."""
    plan = _page_plan(admin, ListQuery(sort=(column,)))
    if backend == "sqlite":
        assert "TEMP B-TREE" in plan
    else:
        assert "Sort" in plan
