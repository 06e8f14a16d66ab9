"""A salesperson's pages: own and shared customers, merged in any order (issue 9, item 4)."""

from __future__ import annotations

import pytest

from crm_core import Filter, ListQuery
from crm_core.modules import customers as customers_module
from tests.integration.test_query_plans import main_query_plan


@pytest.fixture
def mixed(login, make_customer):
    """sales1 owns 7 customers, 5 of another owner are shared with him, 6 he never sees."""
    sales1, sales2 = login("sales1"), login("sales2")
    me, other = sales1.actor.user_id, sales2.actor.user_id
    admin_ids = {"own": [], "shared": [], "hidden": []}
    for i in range(18):
        owner = me if i % 3 == 0 or i == 1 else other
        c = make_customer(f"客户{(i * 7) % 18:02d}", owner_id=owner, level=("A", "B", None)[i % 3])
        admin_ids["own" if owner == me else "shared" if i % 3 == 1 else "hidden"].append(c["id"])
    return sales1, admin_ids


def _pages(service, query: ListQuery) -> list[dict]:
    rows, after = [], None
    while True:
        page = service.list(ListQuery(query.filters, query.search, query.sort, after, query.limit))
        rows.extend(page.rows)
        if page.next_cursor is None:
            return rows
        after = page.next_cursor


@pytest.fixture(params=["few", "many"])
def owner_size(request, monkeypatch):
    """Run as a salesperson with few customers and shares (read, then sorted) and with many (sort index walked)."""
    if request.param == "many":
        monkeypatch.setattr(customers_module, "OWNER_BOUND", 0)
        monkeypatch.setattr(customers_module, "SHARE_BOUND", 0)
    return request.param


@pytest.mark.parametrize("sort", [(), ("name",), ("-name",), ("level", "-name"), ("-created_at",), ("code",)])
def test_own_and_shared_customers_page_once_each_in_order(admin, mixed, sort, owner_size):
    sales1, ids = mixed
    for cid in ids["shared"]:
        admin.customers.share(cid, sales1.actor.user_id)
    visible = set(ids["own"]) | set(ids["shared"])
    expected = [r["id"] for r in admin.customers.list(ListQuery(sort=sort, limit=500)).rows if r["id"] in visible]

    got = [r["id"] for r in _pages(sales1.customers, ListQuery(sort=sort, limit=4))]

    assert got == expected


def test_a_filter_applies_to_both_own_and_shared(admin, mixed, owner_size):
    sales1, ids = mixed
    for cid in ids["shared"]:
        admin.customers.share(cid, sales1.actor.user_id)
    query = ListQuery(filters=(Filter("level", "eq", "A"),), limit=500)
    visible = set(ids["own"]) | set(ids["shared"])
    expected = {r["id"] for r in admin.customers.list(query).rows if r["id"] in visible}

    assert {r["id"] for r in sales1.customers.list(query).rows} == expected
    assert sales1.customers.count(ListQuery(filters=query.filters)) == len(expected)


def test_each_part_of_a_salespersons_page_uses_its_index(admin, mixed, backend):
    sales1, ids = mixed
    admin.customers.share(ids["shared"][0], sales1.actor.user_id)
    for sort in ((), ("-id",)):
        text = main_query_plan(sales1, ListQuery(sort=sort))
        # (owner_id, id), or another index that starts with owner_id (0011: name, created_at)
        assert "ix_customers_owner_id_" in text
        assert "ix_customer_shares_user_id_customer_id" in text
        if backend == "sqlite":
            assert "MULTI-INDEX OR" not in text
        else:
            assert "BitmapOr" not in text


def test_pages_of_one_shape_share_a_kept_statement_and_still_get_their_own_rows(admin, mixed, owner_size):
    sales1, ids = mixed
    for cid in ids["shared"]:
        admin.customers.share(cid, sales1.actor.user_id)
    visible = set(ids["own"]) | set(ids["shared"])

    def expected(query: ListQuery) -> list[int]:
        return [r["id"] for r in admin.customers.list(ListQuery(query.filters, sort=query.sort, limit=500)).rows
                if r["id"] in visible]

    service = sales1.customers
    for level in ("A", "B"):  # the same filter shape, another value
        query = ListQuery(filters=(Filter("level", "eq", level),), sort=("name",), limit=2)
        got = [r["id"] for r in _pages(service, query)]  # first page, then pages after cursors
        assert got == expected(query)
    plain = ListQuery(sort=("name",), limit=3)
    got = [r["id"] for r in _pages(service, plain)]
    assert got == expected(plain)
    assert set(got) & set(ids["shared"])  # a record shared with him is among his pages
    five = [r["id"] for r in service.list(ListQuery(sort=("name",), limit=5)).rows]
    assert five == expected(plain)[:5]  # the page size is a value of the kept statement too
    # first page / after a cursor, with and without the level filter: four shapes, four statements
    assert len(service._page_statements) == 4
