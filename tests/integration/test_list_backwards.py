"""Reading a list from its end (ListQuery.before): the same rows as walking forward, in the same order."""

from __future__ import annotations

import pytest

from crm_core import ListQuery


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
