"""List queries are served by indexes on both databases (checked with EXPLAIN, not with timings).

The statements a service really sends are captured and explained. On
PostgreSQL the tiny test tables would always be read sequentially, so the
plan is taken with sequential scans disabled: the question is whether an
index *can* serve the query, which is what matters for a million customers.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from crm_core import Filter, ListQuery


@contextmanager
def captured(engine):
    statements: list[tuple[str, object]] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "customers" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def plan(db, statement, parameters) -> str:
    with db.engine.connect() as conn:
        if db.backend == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        else:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return "\n".join(str(r[-1]) for r in rows)


def main_query_plan(session, query: ListQuery) -> str:
    with captured(session.db.engine) as statements:
        session.customers.list(query)
    # the page query is the first SELECT on customers (later ones fetch display names)
    statement, parameters = statements[0]
    return plan(session.db, statement, parameters)


@pytest.fixture
def some_customers(make_customer, admin):
    for name in ("杭州星辰网络科技有限公司", "苏州星河软件有限公司", "北京云帆数据服务有限公司"):
        make_customer(name)


def test_two_character_search_uses_the_bigram_index(admin, some_customers, backend):
    text = main_query_plan(admin, ListQuery(search="星辰"))
    assert "customer_search_grams" in text
    if backend == "sqlite":
        assert "USING PRIMARY KEY" in text or "USING COVERING INDEX" in text or "USING INDEX" in text
    else:
        assert "pk_customer_search_grams" in text


def test_longer_search_uses_the_trigram_index(admin, some_customers, backend):
    text = main_query_plan(admin, ListQuery(search="星辰网络"))
    if backend == "sqlite":
        assert "VIRTUAL TABLE INDEX" in text  # the FTS5 trigram table
    else:
        assert "ix_customers_search_text_trgm" in text


def test_a_salespersons_list_is_served_by_the_owner_index(login, make_customer, backend):
    sales = login("sales1")
    make_customer("宁波海港物流有限公司", owner_id=sales.actor.user_id)
    text = main_query_plan(sales, ListQuery())
    if backend == "sqlite":
        assert "ix_customers_owner_id_id" in text
    else:  # the planner may also walk the primary key backwards and stop after one page
        assert "Seq Scan on customers" not in text and ("ix_customers_owner_id_id" in text or "pk_customers" in text)


def test_sorted_pages_after_a_cursor_use_an_index(admin, some_customers):
    first = admin.customers.list(ListQuery(sort=("name",), limit=1))
    text = main_query_plan(admin, ListQuery(sort=("name",), after=first.next_cursor, limit=1))
    assert "ix_customers_name" in text


def test_filter_by_status_uses_its_index(admin, some_customers):
    text = main_query_plan(admin, ListQuery(filters=(Filter("status", "eq", "prospect"),)))
    assert "ix_customers_status" in text or "ix_customers" in text
