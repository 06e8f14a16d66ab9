"""Row-level security tried table by table, with raw psycopg and each role's own login, on demo data.

The catalog checks (test_catalog.py) say every customer-scoped table has a policy; here each own-scope
login reads every such table and must see exactly the rows that hang off his own and shared customers
(status history, ticket log, attachments, search index entries, custom values ... included), and a
salesman's writes cannot reach the rows he does not see.
"""

from __future__ import annotations

import pytest
from psycopg import sql

from crm_core.db.engine import Database, make_engine
from crm_core.demo import DEFAULT_PASSWORD, generate
from crm_core.permissions_tables import CUSTOMER_LINKS
from crm_core.pgsecurity.setup import create_login

pytestmark = pytest.mark.security


@pytest.fixture
def demo(secure_db):
    engine = make_engine(secure_db.cluster.url(secure_db.name))  # the server's superuser loads demo data
    try:
        generate(Database(engine), customers=80)
    finally:
        engine.dispose()
    su = secure_db.superuser()
    su.execute("INSERT INTO contract_attachments (contract_id, filename, content_type, size, sha256, data, uploaded_at) "
               "SELECT id, '合同扫描件.pdf', 'application/pdf', 3, repeat('0', 64), 'pdf'::bytea, now() FROM contracts")
    for login, role in su.execute("SELECT login, role FROM users WHERE is_active AND lower(login) <> 'admin'").fetchall():
        if not su.execute("SELECT 1 FROM pg_roles WHERE rolname = lower(%s)", (login,)).fetchone():
            create_login(su, login, DEFAULT_PASSWORD, role)  # the demo's users, loaded by the superuser, have none
    return secure_db


def _his_rows(su, table: str, user_id: int) -> sql.Composed:
    """The ids of ``table``'s rows that hang off the customers ``user_id`` owns or shares (as a superuser sees it)."""
    if table == "customers":
        return sql.SQL("SELECT id FROM customers WHERE owner_id = {u} OR id IN "
                       "(SELECT customer_id FROM customer_shares WHERE user_id = {u})").format(u=sql.Literal(user_id))
    column, parent = CUSTOMER_LINKS[table]
    return sql.SQL("SELECT id FROM {} WHERE {} IN ({})").format(
        sql.Identifier(table), sql.Identifier(column), _his_rows(su, parent, user_id))


def test_a_salesman_reads_in_every_customer_table_exactly_the_rows_of_his_customers(demo):
    su = demo.superuser()
    salesmen = su.execute("SELECT u.id, lower(u.login) FROM users u WHERE u.role = 'sales' AND u.is_active ORDER BY "
                          "(SELECT count(*) FROM contracts k JOIN customers c ON c.id = k.customer_id "
                          "WHERE c.owner_id = u.id) DESC, u.id").fetchall()
    assert len(salesmen) >= 2
    user_id, login = salesmen[0]  # the one with most contracts: rows of his own in most tables
    tables = ["customers", *CUSTOMER_LINKS]
    checked = []
    with demo.connect(login, DEFAULT_PASSWORD) as conn:
        for table in tables:
            if table == "customer_search_grams":  # no id: by customer, below
                continue
            ident = sql.Identifier(table)
            if not su.execute("SELECT has_column_privilege(%s, %s, 'id', 'SELECT')", (login, table)).fetchone()[0]:
                continue  # his role does not read the table at all
            seen = {r[0] for r in conn.execute(sql.SQL("SELECT id FROM {}").format(ident))}
            his = {r[0] for r in su.execute(_his_rows(su, table, user_id))}
            assert seen == his, table
            others = su.execute(sql.SQL("SELECT count(*) FROM {}").format(ident)).fetchone()[0] - len(his)
            if his and others:
                checked.append(table)  # a table where he sees some rows and not others
            if su.execute("SELECT has_table_privilege(%s, %s, 'DELETE')", (login, table)).fetchone()[0]:
                with conn.transaction(force_rollback=True):  # nor delete one he does not see
                    gone = conn.execute(sql.SQL("DELETE FROM {} WHERE id <> ALL(%s)").format(ident), (list(his),))
                    assert gone.rowcount == 0, table
        grams = {r[0] for r in conn.execute("SELECT DISTINCT customer_id FROM customer_search_grams")}
        assert grams == {r[0] for r in su.execute(_his_rows(su, "customers", user_id))}
    assert {"customers", "contacts", "contracts", "payments", "customer_status_changes", "followups",
            "contract_attachments", "tickets", "ticket_log_entries"} <= set(checked), checked
