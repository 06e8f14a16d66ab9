"""Reading a list from its end (ListQuery.before): the same rows as walking forward, in the same order."""

from __future__ import annotations

import pytest

from crm_core import ListQuery
from crm_core.modules import customers as customers_module
from tests.integration.test_query_plans import module_rows  # noqa: F401 - a fixture


def _forward(service, sort, limit):
    rows, after = [], None
    while True:
        page = service.list(ListQuery(sort=sort, after=after, limit=limit))
        rows += [r["id"] for r in page.rows]
        if page.next_cursor is None:
            return rows
        after = page.next_cursor


@pytest.mark.parametrize("sort", [(), ("name",), ("-level",), ("level", "-name")])
def test_pages_read_backwards_from_the_end_match_the_forward_walk(admin, make_customer, sort):
    for i in range(23):
        # levels with NULLs (sorted last either way) and repeated values, so the id tie-breaker counts
        make_customer(f"客户{(i * 7) % 23:02d}", level=(None, "A", "B", "C")[i % 4])
    forward = _forward(admin.customers, sort, 5)
    assert len(forward) == 23

    backward, before = [], ()
    pages = 0
    while before is not None:
        page = admin.customers.list(ListQuery(sort=sort, before=before, limit=5))
        backward = [r["id"] for r in page.rows] + backward
        before = page.prev_cursor
        pages += 1
    assert backward == forward and pages == 5

    last = admin.customers.list(ListQuery(sort=sort, before=(), limit=5))
    assert last.next_cursor is None and [r["id"] for r in last.rows] == forward[-5:]
    # from a page read backwards, the page after it is read forwards with its next_cursor
    middle = admin.customers.list(ListQuery(sort=sort, before=last.prev_cursor, limit=5))
    after = admin.customers.list(ListQuery(sort=sort, after=middle.next_cursor, limit=5))
    assert [r["id"] for r in after.rows] == forward[-5:]
    first = admin.customers.list(ListQuery(sort=sort, limit=5))
    assert first.prev_cursor is None
    second = admin.customers.list(ListQuery(sort=sort, after=first.next_cursor, limit=5))
    assert [r["id"] for r in admin.customers.list(ListQuery(sort=sort, before=second.prev_cursor, limit=5)).rows] \
        == forward[:5]


def test_an_offset_reaches_the_middle_from_either_end(admin, make_customer):
    for i in range(23):
        make_customer(f"客户{i:02d}")
    forward = _forward(admin.customers, ("name",), 50)
    page = admin.customers.list(ListQuery(sort=("name",), offset=10, limit=5))
    assert [r["id"] for r in page.rows] == forward[10:15] and page.prev_cursor and page.next_cursor
    back = admin.customers.list(ListQuery(sort=("name",), before=(), offset=3, limit=5))
    assert [r["id"] for r in back.rows] == forward[15:20] and back.prev_cursor and back.next_cursor
    following = admin.customers.list(ListQuery(sort=("name",), after=back.next_cursor, limit=5))
    assert [r["id"] for r in following.rows] == forward[20:23]


def test_a_salespersons_own_and_shared_customers_read_backwards_match(admin, make_customer, login):
    sales = login("sales1")
    for i in range(14):
        c = make_customer(f"客户{(i * 5) % 14:02d}", owner_id=sales.actor.user_id if i % 3 else admin.actor.user_id)
        if i % 3 == 0 and i % 2 == 0:
            admin.customers.share(c["id"], sales.actor.user_id)  # seen through sharing
    forward = _forward(sales.customers, ("name",), 4)
    backward, before = [], ()
    while before is not None:
        page = sales.customers.list(ListQuery(sort=("name",), before=before, limit=4))
        backward = [r["id"] for r in page.rows] + backward
        before = page.prev_cursor
    assert backward == forward and len(forward) == 12
    middle = sales.customers.list(ListQuery(sort=("name",), before=(), offset=4, limit=4))
    assert [r["id"] for r in middle.rows] == forward[4:8]


@pytest.mark.parametrize("who", ["admin", "big owner", "small owner"])
@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize(("module", "column"), [("contracts", "signed_on"), ("licenses", "valid_until")])
def test_a_nulls_last_sorts_pages_either_way_hold_the_full_sorts_rows(admin, module_rows, monkeypatch, module,
                                                                     column, desc, who):
    """The grid's sorts on a nullable column (NULLs last both ways; query.keyset_parts reads a page after or
    before a cursor as the values, then the NULLs): every page, forwards, backwards and from an offset,
    is the full sort's. 3,000 rows, every tenth NULL, many ties; a salesperson who owns many customers
    walks the sort index (EntityService._page_scope), one who owns few reads his rows and sorts them."""
    if who != "admin":  # sales1 owns 1,000 customers
        monkeypatch.setattr(customers_module, "OWNER_BOUND", 100 if who == "big owner" else 5000)
    service = getattr(admin if who == "admin" else module_rows, module)
    sort = (("-" if desc else "") + column,)
    everything, after = [], None
    while True:  # the rows, in id order, by plain id pages (no nullable key involved)
        page = service.list(ListQuery(sort=("id",), after=after, limit=500))
        everything += [(r[column], r["id"]) for r in page.rows]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    nulls = [i for v, i in everything if v is None]
    values = sorted(((v, i) for v, i in everything if v is not None), reverse=desc)
    full = [i for _, i in values] + sorted(nulls, reverse=desc)
    assert nulls and len(set(v for v, _ in values)) < len(values)  # NULLs and ties

    assert _forward(service, sort, 97) == full
    backward, before = [], ()
    while before is not None:
        page = service.list(ListQuery(sort=sort, before=before, limit=97))
        backward = [r["id"] for r in page.rows] + backward
        before = page.prev_cursor
    assert backward == full
    for offset in (5, len(nulls) - 3, len(nulls) + 40):  # from the end: among the NULLs, then the values
        page = service.list(ListQuery(sort=sort, before=(), offset=offset, limit=10))
        at = len(full) - offset - 10
        assert [r["id"] for r in page.rows] == full[at:at + 10]
        following = service.list(ListQuery(sort=sort, after=page.next_cursor, offset=2, limit=7))
        assert [r["id"] for r in following.rows] == full[at + 12:at + 19]
        preceding = service.list(ListQuery(sort=sort, before=page.prev_cursor, offset=3, limit=6))
        assert [r["id"] for r in preceding.rows] == full[at - 9:at - 3]


@pytest.mark.parametrize("search", [None, "星辰"])
def test_a_salespersons_pages_on_a_nullable_key_with_a_search_hold_the_full_sorts_rows(admin, make_customer, login,
                                                                                      search):
    """The parts of a nullable first key (values, NULLs) read within each part of his scope (own, shared)
    and of the search: pages of 3 forwards and backwards are the one long page's rows."""
    sales = login("sales1")
    for i in range(20):
        c = make_customer(f"{'星辰' if i % 3 else '云帆'}客户{(i * 7) % 20:02d}", level=(None, "A", "B")[i % 3],
                          owner_id=sales.actor.user_id if i % 4 else admin.actor.user_id)
        if i % 4 == 0 and i % 8 == 0:
            admin.customers.share(c["id"], sales.actor.user_id)
    for sort in (("-level",), ("level", "-name")):
        whole = [r["id"] for r in sales.customers.list(ListQuery(sort=sort, search=search, limit=500)).rows]
        assert len(whole) > 6
        forward, after = [], None
        while True:
            page = sales.customers.list(ListQuery(sort=sort, search=search, after=after, limit=3))
            forward += [r["id"] for r in page.rows]
            if page.next_cursor is None:
                break
            after = page.next_cursor
        backward, before = [], ()
        while before is not None:
            page = sales.customers.list(ListQuery(sort=sort, search=search, before=before, limit=3))
            backward = [r["id"] for r in page.rows] + backward
            before = page.prev_cursor
        assert forward == whole and backward == whole
