"""A common word sorted by name, where the names start with it (a city: "青岛星辰科技有限公司"), issue 9.

The names starting with the word are read as one range of ``ix_customers_name`` and the word's
other matches (its index entries besides names' first pairs, kind ``s``) are read by key and
sorted; each page is the first rows of the two. What a caller observes: exactly the rows, in
exactly the order, that the walk of the name order testing each row gives (the plan before),
on every page to the end, both directions, for the admin and for a salesperson (own and shared
customers), with a filter, and backwards from a cursor. And the plans (EXPLAIN): the range of
the name index, no walk of the whole order.
"""

from __future__ import annotations

import random
import re

import pytest

from crm_core import ListQuery
from crm_core.bulk import BulkWriter
from crm_core.modules import customers as customers_module
from crm_core.modules.customers import CustomerService
from tests.integration.test_query_plans import captured, plan

CITIES = ("上海", "北京", "杭州", "青岛", "苏州", "福州")
TRADE = "星辰云帆瑞达华联汇通东方青岛北京科技"


def _names(rng: random.Random, count: int) -> list[str]:
    out = []
    for i in range(count):
        city = rng.choice(CITIES)
        trade = "".join(rng.sample(TRADE, 2))
        roll = rng.random()
        if roll < 0.03:
            out.append(f"山东{city}{trade}啤酒有限公司")  # the city inside the name
        elif roll < 0.05:
            out.append(f"{city}·{trade}")  # punctuation after the city
        elif roll < 0.08:
            out.append(rng.choice(("Coastal", "coral", "Deco", "CO", "co-op", "Cobalt")) + f" {trade}")
        else:
            out.append(f"{city}{trade}{rng.choice(('科技', '贸易', '物流'))}有限公司")
    return out


@pytest.fixture
def towns(admin, login):
    """1,500 customers, their names mostly starting with a city; a third owned by sales1, some shared."""
    rng = random.Random(9)
    sales = login("sales1")
    sid = sales.actor.user_id
    rows = [{"name": n, "level": rng.choice("ABC"), "owner_id": sid if rng.random() < 0.35 else None,
             "email": "qingdao@qd.cn" if rng.random() < 0.02 else None} for n in _names(rng, 1500)]
    ids = BulkWriter(admin.db, admin.actor).insert("customers", rows)
    for cid in ids[::97]:
        admin.customers.share(cid, sid)
    for cid in ids[5::211]:
        admin.contacts.create({"customer_id": cid, "name": "青岛王明"})  # the city in a contact's name
    with admin.db.unit_of_work(write=True) as s:
        from sqlalchemy import text
        s.execute(text("ANALYZE"))
        s.commit()
    return sales


@pytest.fixture
def common(monkeypatch):
    """Words matching more than 40 customers are common (the bound at a million is 8,000)."""
    monkeypatch.setattr(customers_module, "_common_from", lambda rows: 40)


def _walk(session, query: ListQuery) -> list[list[tuple]]:
    """Every page from the first to the last (next cursors), as (name, id) lists."""
    pages, after = [], None
    while True:
        page = session.customers.list(ListQuery(search=query.search, sort=query.sort, limit=query.limit,
                                                filters=query.filters, after=after))
        pages.append([(r["name"], r["id"]) for r in page.rows])
        after = page.next_cursor
        if after is None:
            return pages


def _reference(session, query: ListQuery, monkeypatch) -> list[list[tuple]]:
    with monkeypatch.context() as m:
        m.setattr(CustomerService, "_search_branches", lambda self, s, term, keys: None)
        return _walk(session, query)


def _walk_noting_plans(session, query: ListQuery, monkeypatch, used: list[bool]) -> list[list[tuple]]:
    """:func:`_walk`, appending to ``used`` for each page whether the range plan served it."""
    original = CustomerService._search_branches

    def spy(self, s, t, keys):
        parts = original(self, s, t, keys)
        used.append(parts is not None)
        return parts

    with monkeypatch.context() as m:
        m.setattr(CustomerService, "_search_branches", spy)
        return _walk(session, query)


@pytest.mark.parametrize("term", ["青岛", "杭州", "co", "北京 科技", "上海 星辰"])
@pytest.mark.parametrize("sort", ["name", "-name"])
def test_every_page_holds_the_rows_the_walk_of_the_name_order_gives(admin, towns, common, monkeypatch, term, sort):
    used: list[bool] = []
    for session in (admin, towns):
        for filters in ({}, {"level": "B"}):
            query = ListQuery(search=term, sort=(sort,), limit=9, filters=filters)
            expected = _reference(session, query, monkeypatch)
            assert _walk_noting_plans(session, query, monkeypatch, used) == expected, (session.actor.login, filters)
            if session is admin and not filters and term != "上海 星辰":
                assert len(expected) > 1  # several pages
    if term != "上海 星辰":
        assert all(used)  # the new plan served every page (上海 星辰: 星辰 is rare, it drives)


def test_a_page_read_backwards_from_a_cursor_is_the_walks(admin, towns, common, monkeypatch):
    for session in (admin, towns):
        pages = _walk(session, ListQuery(search="青岛", sort=("name",), limit=25))
        last = pages[-1][-1]
        for direction in ("name", "-name"):
            cursor = (last[0], last[1]) if direction == "name" else (pages[0][0][0], pages[0][0][1])
            query = ListQuery(search="青岛", sort=(direction,), limit=25, before=cursor)
            got = session.customers.list(query).rows
            with monkeypatch.context() as m:
                m.setattr(CustomerService, "_search_branches", lambda self, s, term, keys: None)
                want = session.customers.list(query).rows
            assert [r["id"] for r in got] == [r["id"] for r in want] and got


def test_the_words_matches_besides_the_names_starting_with_it_are_found(admin, towns, common):
    """山东青岛…, a contact 青岛王明, an e-mail qingdao@…: matches outside the range of the names."""
    rows = [r["name"] for r in _walk_rows(admin, "青岛")]
    assert any(n.startswith("山东青岛") for n in rows)
    assert any(not ("青岛" in n) for n in rows)  # through a contact's name only
    assert rows == sorted(rows)


def _walk_rows(session, term):
    out, after = [], None
    while True:
        page = session.customers.list(ListQuery(search=term, sort=("name",), limit=100, after=after))
        out += page.rows
        after = page.next_cursor
        if after is None:
            return out


def test_the_page_reads_a_range_of_the_name_index_and_the_other_matches_by_key(admin, towns, common, backend):
    with captured(admin.db.engine) as statements:
        admin.customers.list(ListQuery(search="青岛", sort=("name",), limit=50))
    statement, parameters = [(st, p) for st, p in statements if "ORDER BY" in st and "FROM customers" in st][-1]
    text = plan(admin.db, statement, parameters)
    if backend == "sqlite":
        assert re.search(r"USING (COVERING )?INDEX ix_customers_name \(name>\? AND name<\?\)", text), text
        assert "USING INTEGER PRIMARY KEY (rowid=?)" in text, text  # the other matches, by key
        assert "SCAN customers" not in text, text
    else:
        assert "Index Cond: (((name)::text >= " in text and "ix_customers_name" in text, text
        assert "pk_customer_search_grams" in text and "pk_customers" in text, text
        assert "Seq Scan" not in text, text


def test_a_salespersons_page_reads_his_range_of_the_owner_name_index(towns, common, backend, monkeypatch):
    monkeypatch.setattr(customers_module, "OWNER_BOUND", 10)  # he owns many: his customers walked in name order
    with captured(towns.db.engine) as statements:
        towns.customers.list(ListQuery(search="青岛", sort=("-name",), limit=50))
    statement, parameters = [(st, p) for st, p in statements if "ORDER BY" in st and "FROM customers" in st][-1]
    text = plan(towns.db, statement, parameters)
    if backend == "sqlite":
        assert "ix_customers_owner_id_name_id (owner_id=? AND name>? AND name<?)" in text, text
    else:
        assert "ix_customers_owner_id_name_id" in text and "Seq Scan" not in text, text
