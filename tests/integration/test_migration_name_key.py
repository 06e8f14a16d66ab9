"""Migration 0012 (customers.name_key): down and up again on a database with customers.

The backfill gives every customer the key the services write (search_index.name_key), the
index is there again, the FTS triggers of SQLite survive (no table copy), and on PostgreSQL the
backfill writes nothing to the audit trail (the key is a derived column the trail omits).
"""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, select, text

from crm_core.db import migrate
from crm_core.models import Customer
from crm_core.services.search_index import name_key


def _trail(conn, backend) -> int:
    if backend != "postgresql" or not inspect(conn).has_table("audit_trail"):
        return 0
    return conn.execute(text("SELECT count(*) FROM audit_trail")).scalar()


def test_name_key_migration_down_and_up_backfills_the_keys(admin, db, make_customer, backend):
    make_customer("上海明月科技 有限公司")
    make_customer("ＡＢＣ贸易（北京）有限公司")
    cfg = migrate._config()
    with db.engine.begin() as conn:
        trail_before = _trail(conn, backend)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0011")
        assert "name_key" not in {c["name"] for c in inspect(conn).get_columns("customers")}
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        assert "ix_customers_name_key" in {i["name"] for i in inspect(conn).get_indexes("customers")}
        keys = dict(conn.execute(select(Customer.name, Customer.name_key)).all())
        assert keys == {"上海明月科技 有限公司": "上海明月科技有限公司", "ＡＢＣ贸易（北京）有限公司": "abc贸易北京有限公司"}
        assert all(name_key(n) == k for n, k in keys.items())
        assert _trail(conn, backend) == trail_before
    # the search still finds them (SQLite: the FTS triggers of customers are intact)
    assert [r["name"] for r in admin.customers.list(admin_query("明月科技")).rows] == ["上海明月科技 有限公司"]
    db.dispose()


def admin_query(term):
    from crm_core.lists import ListQuery

    return ListQuery(search=term)
