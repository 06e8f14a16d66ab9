"""Revision 0012 (PostgreSQL): the search grams' foreign key replaced by triggers, down and up again."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from crm_core.db import migrate

FK = "fk_customer_search_grams_customer_id_customers"


def _state(conn) -> tuple[bool, set[str]]:
    if conn.dialect.name == "sqlite":
        keys = conn.exec_driver_sql("PRAGMA foreign_key_list(customer_search_grams)").fetchall()
        triggers = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                                       "AND name LIKE 'crm_search_grams%'")}
        return any(r[2] == "customers" for r in keys), triggers
    fk = conn.execute(text("SELECT count(*) FROM pg_constraint WHERE conname = :n"), {"n": FK}).scalar() == 1
    triggers = {r[0] for r in conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                                                "AND tgname LIKE 'crm_search_grams%'"))}
    return fk, triggers


def _downgrade(engine, revision: str) -> None:
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def _cascade_and_check(customer, db) -> None:
    """A deleted customer takes its entries along; entries of no customer are refused."""
    with db.engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM customer_search_grams WHERE customer_id = :c"),
                            {"c": customer["id"]}).scalar() > 0
        conn.execute(text("DELETE FROM customers WHERE id = :c"), {"c": customer["id"]})
        assert conn.execute(text("SELECT count(*) FROM customer_search_grams WHERE customer_id = :c"),
                            {"c": customer["id"]}).scalar() == 0
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text("INSERT INTO customer_search_grams (gram, kind, customer_id) VALUES ('zz', 'n', :c)"),
                     {"c": customer["id"]})


def test_the_grams_stay_consistent_at_either_revision(db, admin, backend):
    with db.engine.connect() as conn:
        assert _state(conn) == ((True, set()) if backend == "sqlite" else
                                (False, {"crm_search_grams_check", "crm_search_grams_cascade"}))
    # Made at the head: the services write columns of later revisions (0013's name_key).
    customers = [admin.customers.create({"name": f"北京星辰软件{i}有限公司", "phone": f"1391234567{i}"})
                 for i in range(3)]
    _cascade_and_check(customers[0], db)
    _downgrade(db.engine, "0011")
    with db.engine.connect() as conn:
        assert _state(conn) == (True, set())
    _cascade_and_check(customers[1], db)
    migrate.upgrade(db.engine)
    with db.engine.connect() as conn:
        assert _state(conn)[0] is (backend == "sqlite")
    _cascade_and_check(customers[2], db)
