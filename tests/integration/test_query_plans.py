"""List queries are served by indexes on both databases (checked with EXPLAIN, not with timings).

The statements a service really sends are captured and explained. On
PostgreSQL the tiny test tables would always be read sequentially, so the
plan is taken with sequential scans disabled: the question is whether an
index *can* serve the query, which is what matters for a million customers.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from crm_core import Filter, ListQuery
from crm_core.modules import customers as customers_module


@contextmanager
def captured(engine, table: str = "customers"):
    statements: list[tuple[str, object]] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "DELETE")) and table in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def plan(db, statement, parameters, *, bitmap: bool = False) -> str:
    """The plan; ``bitmap`` (PostgreSQL): no plain index scans either, so a GIN index shows if it can serve."""
    with db.engine.connect() as conn:
        if db.backend == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")
            if bitmap:
                conn.exec_driver_sql("SET enable_indexscan = off")
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        else:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        conn.rollback()
    return "\n".join(str(r[-1]) for r in rows)


def query_plans(session, query: ListQuery, service: str = "customers", *, bitmap: bool = False) -> list[str]:
    """The plans of every statement a list call sends (bounded look-ups first, then the page)."""
    with captured(session.db.engine, "customer" if service == "customers" else service) as statements:
        getattr(session, service).list(query)
    return [plan(session.db, st, params, bitmap=bitmap) for st, params in statements]


def main_query_plan(session, query: ListQuery) -> str:
    """The page query: the ordered SELECT from customers (others look up search words or display names)."""
    with captured(session.db.engine) as statements:
        session.customers.list(query)
    # the last ordered one: a search's look-ups (which may order the newest customers) come first
    statement, parameters = [(st, p) for st, p in statements if "FROM customers" in st and "ORDER BY" in st][-1]
    return plan(session.db, statement, parameters)


@pytest.fixture
def some_customers(make_customer, admin):
    for i, name in enumerate(("杭州星辰网络科技有限公司", "苏州星河软件有限公司", "北京云帆数据服务有限公司")):
        make_customer(name, email=f"hr@example{i}.cn", phone=f"0571-8800{i}234")


def test_two_character_search_uses_the_bigram_index(admin, some_customers, backend):
    plans = query_plans(admin, ListQuery(search="星辰"))
    lookup, page = plans[0], plans[-1]  # the count, the ids, the page
    assert "customer_search_grams" in lookup or "pk_customer_search_grams" in lookup
    if backend == "sqlite":
        assert "USING PRIMARY KEY" in lookup or "USING COVERING INDEX" in lookup or "USING INDEX" in lookup
        assert "USING INTEGER PRIMARY KEY" in page  # the few ids found, read by key
    else:
        assert "pk_customer_search_grams" in lookup
        assert "pk_customers" in page


@pytest.mark.parametrize("term", ["星辰", "hr", "00"])
def test_a_common_two_character_term_is_probed_row_by_row_through_the_index(admin, some_customers, backend,
                                                                           monkeypatch, term):
    monkeypatch.setattr(customers_module, "SEARCH_BOUND", 0)
    page = query_plans(admin, ListQuery(search=term))[-1]
    if backend == "sqlite":
        assert "customer_search_grams USING" in page and "INDEX" in page
    else:
        assert "pk_customer_search_grams" in page


# One term of every class the search serves, each matching the first of ``some_customers``.
TERM_CLASSES = {
    "2-char Chinese": "星辰",
    "2-char Latin": "hr",
    "2-char digits": "00",
    "longer term": "星辰网络",
    "phone fragment": "8800023",
    "e-mail fragment": "hr@example0",
    "several words": "杭州 星辰网络",
}


def _index_of(term: str, backend: str) -> str:
    if len(term) == 2:
        return "pk_customer_search_grams" if backend == "postgresql" else "sqlite_autoindex_customer_search_grams_1"
    return "ix_customers_search_text_trgm" if backend == "postgresql" else "customers_fts VIRTUAL TABLE INDEX"


@pytest.mark.parametrize("term", TERM_CLASSES.values(), ids=TERM_CLASSES.keys())
@pytest.mark.parametrize("sort", ["-id", "name", "-created_at"])
def test_a_rare_term_of_every_class_is_looked_up_in_its_index_then_read_by_key(admin, some_customers, backend,
                                                                               term, sort):
    lookups = query_plans(admin, ListQuery(search=term, sort=(sort,)), bitmap=True)
    page = main_query_plan(admin, ListQuery(search=term, sort=(sort,)))
    for word in term.split():
        assert _index_of(word, backend) in "\n".join(lookups)
    if backend == "sqlite":
        assert "USING INTEGER PRIMARY KEY" in page
    else:
        assert "pk_customers" in page and "Seq Scan" not in page


@pytest.mark.parametrize("term", TERM_CLASSES.values(), ids=TERM_CLASSES.keys())
@pytest.mark.parametrize(("sort", "index"), [("-id", "pk_customers"), ("name", "ix_customers_name"),
                                             ("-created_at", "ix_customers_created_at")])
def test_a_common_term_of_every_class_is_tested_row_by_row_along_the_sort_order(admin, some_customers, backend,
                                                                                monkeypatch, term, sort, index):
    """No hash nor sort of every match: the sort order's index is walked, each row tested through the key.

    (A word that names start with, sorted by name, is read otherwise: test_search_name_start.py.)
    """
    monkeypatch.setattr(customers_module, "SEARCH_BOUND", 0)
    monkeypatch.setattr(customers_module.CustomerService, "_search_branches", lambda self, s, term, keys: None)
    page = main_query_plan(admin, ListQuery(search=term, sort=(sort,)))
    if backend == "sqlite":
        assert "TEMP B-TREE" not in page
        assert "SCAN customers" in page and (sort == "-id" or index in page)
        if any(len(w) == 2 for w in term.split()):
            assert "customer_search_grams USING COVERING INDEX" in page and "customer_id=?" in page
    else:
        assert index in page and not re.search(r"(^|->  )Sort ", page) and "Seq Scan" not in page
        assert "Hash" not in page and "ix_customer_search_grams_customer_id" not in page
        if any(len(w) == 2 for w in term.split()):
            assert "pk_customer_search_grams" in page and "customer_id = customers.id" in page


def test_the_rarest_word_drives_and_the_others_are_tested_on_its_rows_only(admin, some_customers, backend,
                                                                          monkeypatch):
    """"杭州 有限": 杭州 (one customer) is looked up, 有限 (every customer) tested on that row through the key."""
    monkeypatch.setattr(customers_module, "_common_from", lambda rows: 1)
    with captured(admin.db.engine) as statements:
        found = admin.customers.list(ListQuery(search="有限 杭州")).rows
    assert [r["name"] for r in found] == ["杭州星辰网络科技有限公司"]
    ids_lookup = next(st for st, _ in statements if st.lstrip().startswith("SELECT customers.id"))
    assert "有限" not in ids_lookup  # bound as a parameter
    statement, parameters = next((st, p) for st, p in statements if st.lstrip().startswith("SELECT customers.id"))
    text = plan(admin.db, statement, parameters)
    if backend == "sqlite":
        assert "customer_search_grams USING COVERING INDEX" in text and "customer_id=?" in text
        assert "SCAN customers" not in text
    else:
        assert "pk_customer_search_grams" in text and "Seq Scan" not in text


def test_longer_search_uses_the_trigram_index(admin, some_customers, backend):
    lookup = query_plans(admin, ListQuery(search="星辰网络"))[0]
    if backend == "sqlite":
        assert "VIRTUAL TABLE INDEX" in lookup  # the FTS5 trigram table
    else:
        assert "ix_customers_search_text_trgm" in lookup


def test_refreshing_one_customers_grams_reads_only_its_rows(admin, some_customers, backend):
    """The refresh reads a customer's rows and the ON DELETE CASCADE finds them by customer_id; the refresh
    deletes each row that no longer fits by its primary key (one statement for many customers)."""
    text = plan(admin.db, "DELETE FROM customer_search_grams WHERE customer_id = 1", ())
    select_text = plan(admin.db, "SELECT gram, kind FROM customer_search_grams WHERE customer_id = 1", ())
    for t in (text, select_text):
        assert "ix_customer_search_grams_customer_id" in t
    one = plan(admin.db, "DELETE FROM customer_search_grams WHERE gram = 'ab' AND kind = 'n' AND customer_id = 1", ())
    pk = "pk_customer_search_grams" if backend == "postgresql" else "sqlite_autoindex_customer_search_grams_1"
    assert pk in one and "Seq Scan" not in one and "SCAN customer_search_grams" not in one


def test_contact_search_uses_an_index(admin, some_customers, backend):
    customer = admin.customers.list(ListQuery(limit=1)).rows[0]
    admin.contacts.create({"customer_id": customer["id"], "name": "欧阳明远", "phone": "13987654321",
                           "email": "ouyang@example.com"})
    for term in ("欧阳明", "ouyang@ex", "1398765"):
        text = "\n".join(query_plans(admin, ListQuery(search=term), "contacts", bitmap=True))
        if backend == "sqlite":
            assert "contacts_fts VIRTUAL TABLE INDEX" in text
        else:
            assert "trgm" in text and "Seq Scan on contacts" not in text


@pytest.mark.parametrize("term", ["欧阳", "98"])
def test_a_common_two_character_contact_term_is_tested_row_by_row_along_the_contacts(admin, some_customers,
                                                                                     backend, monkeypatch, term):
    """A common pair: no read of every customer holding it, the contacts' own order is walked."""
    customer = admin.customers.list(ListQuery(limit=1)).rows[0]
    admin.contacts.create({"customer_id": customer["id"], "name": "欧阳明远", "phone": "13987654321"})
    monkeypatch.setattr(customers_module, "SEARCH_BOUND", 0)
    with captured(admin.db.engine, "contacts") as statements:
        assert [r["name"] for r in admin.contacts.list(ListQuery(search=term)).rows] == ["欧阳明远"]
    statement, parameters = [(st, p) for st, p in statements if "FROM contacts" in st and "ORDER BY" in st][-1]
    page = plan(admin.db, statement, parameters)
    assert "customer_search_grams" not in page
    if backend == "sqlite":
        assert "SCAN contacts" in page and "TEMP B-TREE" not in page
    else:
        assert "pk_contacts" in page and "Seq Scan" not in page


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


@pytest.mark.parametrize(("field", "value", "index"), [
    ("status", "prospect", "ix_customers_status_id"),
    ("level", "A", "ix_customers_level_id"),
    ("industry", "it", "ix_customers_industry_id"),
    ("source", "web", "ix_customers_source_id"),
])
def test_a_filtered_page_is_read_in_order_from_the_filters_index(admin, some_customers, field, value, index):
    text = main_query_plan(admin, ListQuery(filters=(Filter(field, "eq", value),)))
    assert index in text
    assert "TEMP B-TREE" not in text and "Sort" not in text.split("\n")[1:2]


# --- every module's grid sorts (issue 9, items 3-4; migration 0014) -------------------------------

# (module, sort field) -> the index its first page walks, for the admin and for a salesperson with
# many customers (his scope is tested row by row along it: EntityService._page_scope).
MODULE_SORTS = {
    ("contacts", "name"): ("ix_contacts_name_id", "ix_contacts_name_id"),
    ("contracts", "amount"): ("ix_contracts_amount_id", "ix_contracts_amount_id"),
    ("contracts", "signed_on"): ("ix_contracts_signed_on_nulls_last_id", "ix_contracts_signed_on_desc_nulls_last_id"),
    ("payments", "received_on"): ("ix_payments_received_on_id", "ix_payments_received_on_id"),
    ("payments", "amount"): ("ix_payments_amount_id", "ix_payments_amount_id"),
    ("followups", "at"): ("ix_followups_at_id", "ix_followups_at_id"),
    ("licenses", "valid_until"): ("ix_licenses_valid_until_nulls_last_id", "ix_licenses_valid_until_desc_nulls_last_id"),
}


@pytest.fixture
def module_rows(admin, login):
    """3,000 customers (a third each of sales1, sales2 and the admin, interleaved, as in
    test_list_one_trip's office) with a row of each module; ANALYZE. Returns the session of sales1."""
    sales1, sales2 = login("sales1"), login("sales2")
    owners = (sales1.actor.user_id, sales2.actor.user_id, admin.actor.user_id)
    with admin.db.engine.begin() as conn:
        conn.execute(text("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
            INSERT INTO customers (code, name, status, level, owner_id, version, created_at, updated_at, is_active,
                                   search_text)
            SELECT 'T' || CAST(i AS VARCHAR(10)), '客户' || CAST((i * 7919) % 3000 AS VARCHAR(10)), 'prospect', 'A',
                   CASE i % 3 WHEN 0 THEN :o0 WHEN 1 THEN :o1 ELSE :o2 END, 1,
                   CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :yes, ''
            FROM n"""), {"o0": owners[0], "o1": owners[1], "o2": owners[2], "yes": True})
    days = ("date(created_at, '-' || (id % 700) || ' days')" if admin.db.backend == "sqlite"
            else "(created_at - (id % 700) * interval '1 day')::date")
    stamp = "1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :yes"
    cols = "version, created_at, updated_at, is_active"
    with admin.db.engine.begin() as conn:
        for sql in (
            f"INSERT INTO contacts (customer_id, name, status, {cols}) "
            f"SELECT id, '联系人' || CAST((id * 7919) % 3000 AS VARCHAR(10)), 'employed', {stamp} FROM customers",
            f"INSERT INTO contracts (number, customer_id, signed_on, amount, delivery_status, {cols}) "
            f"SELECT 'HT' || CAST(id AS VARCHAR(10)), id, CASE WHEN id % 10 = 0 THEN NULL ELSE {days} END, "
            f"(id * 7919) % 100000, 'pending', {stamp} FROM customers",
            f"INSERT INTO payments (contract_id, customer_id, received_on, amount, {cols}) "
            f"SELECT id, customer_id, COALESCE(signed_on, CURRENT_DATE), (id * 104729) % 100000, {stamp} FROM contracts",
            f"INSERT INTO followups (customer_id, at, content, next_done, {cols}) "
            f"SELECT id, created_at, 'x', :no, {stamp} FROM customers",
            f"INSERT INTO licenses (customer_id, serial, seats, valid_from, valid_until, is_trial, {cols}) "
            f"SELECT id, 'SN' || CAST(id AS VARCHAR(10)), 1, {days}, CASE WHEN id % 10 = 0 THEN NULL ELSE {days} END, "
            f":no, {stamp} FROM customers",
        ):
            conn.execute(text(sql), {"yes": True, "no": False})
        if admin.db.backend == "postgresql":  # spread the follow-ups' times (one INSERT: one time)
            conn.execute(text("UPDATE followups SET at = at - id * interval '1 minute'"))
        else:
            conn.execute(text("UPDATE followups SET at = datetime(at, '-' || id || ' minutes')"))
        conn.execute(text("ANALYZE"))
    return sales1


def _module_page_plan(session, module: str, query: ListQuery) -> str:
    table = getattr(session, module).spec.model.__tablename__
    with captured(session.db.engine, table) as sent:
        getattr(session, module).list(query)
    statement, parameters = [(st, p) for st, p in sent if f"FROM {table}" in st and "ORDER BY" in st][-1]
    return plan(session.db, statement, parameters)


@pytest.mark.parametrize("who", ["admin", "salesperson"])
@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize(("module", "column"), sorted(MODULE_SORTS))
def test_a_modules_offered_sort_walks_its_index_for_the_admin_and_a_big_owner(admin, module_rows, monkeypatch,
                                                                              backend, module, column, desc, who):
    monkeypatch.setattr(customers_module, "OWNER_BOUND", 100)  # sales1's 1,000 customers are "many"
    session = admin if who == "admin" else module_rows
    assert column in getattr(session, module).spec.grid_sorts
    index = MODULE_SORTS[(module, column)][1 if desc and "nulls_last" in MODULE_SORTS[(module, column)][0] else 0]
    text_ = _module_page_plan(session, module, ListQuery(sort=(("-" if desc else "") + column,)))
    table = getattr(session, module).spec.model.__tablename__
    assert index in text_, text_
    if backend == "sqlite":
        assert "TEMP B-TREE" not in text_, text_
    else:
        assert f"Seq Scan on {table}" not in text_ and "Sort" not in text_, text_
    if who == "salesperson":  # his customer read by key for each row walked, not all his rows first
        assert ("SEARCH customers USING INTEGER PRIMARY KEY" in text_ if backend == "sqlite"
                else "pk_customers on customers" in text_), text_


@pytest.mark.parametrize("module", ["contacts", "contracts", "payments", "tickets", "followups", "licenses"])
def test_a_big_owners_default_page_walks_the_tables_own_order(module_rows, monkeypatch, backend, module):
    monkeypatch.setattr(customers_module, "OWNER_BOUND", 100)
    table = getattr(module_rows, module).spec.model.__tablename__
    text_ = _module_page_plan(module_rows, module, ListQuery())
    assert (f"SEARCH {table} USING INDEX ix_{table}_customer_id" not in text_ if backend == "sqlite"
            else f"ix_{table}_customer_id" not in text_), text_
    assert "TEMP B-TREE" not in text_ and "Sort  (" not in text_, text_


def test_a_small_owner_reads_his_customers_rows_then_sorts_them(module_rows, backend):
    """Few customers (under OWNER_BOUND): his rows through ix_contacts_customer_id, then sorted."""
    text_ = _module_page_plan(module_rows, "contacts", ListQuery(sort=("name",)))
    assert "ix_contacts_customer_id" in text_, text_


def test_every_modules_offered_sorts_are_its_fields():
    from crm_core.modules import SPECS

    for spec in SPECS.values():
        if spec.grid_sorts is not None:
            assert set(spec.grid_sorts) <= set(spec.all_fields), spec.module
            assert spec.default_sort.lstrip("-") in spec.grid_sorts, spec.module
