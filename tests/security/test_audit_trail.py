"""The audit trail written by triggers: real actor, masked values, and nobody can edit it."""

from __future__ import annotations

import pytest
from psycopg import errors

from crm_core.permissions import ROLES
from tests.conftest import PASSWORD

pytestmark = pytest.mark.security

ID_NUMBER = "11010519491231002X"


def _trail(su, table: str, row_id: int) -> list[tuple]:
    return su.execute("SELECT actor, op, before, after FROM audit_trail WHERE table_name = %s AND row_id = %s "
                      "ORDER BY id", (table, row_id)).fetchall()


def test_a_sales_users_changes_are_in_the_trail_under_his_login_and_masked(secure_db) -> None:
    secure_db.add_user("sales1", "sales")
    sales = secure_db.session("sales1")
    customer = sales.customers.create({"name": "北京星辰软件有限公司", "phone": "13812345678"})
    contact = sales.contacts.create({"customer_id": customer["id"], "name": "张三", "id_number": ID_NUMBER,
                                     "phone": "13987654321"})
    sales.customers.update(customer["id"], {"name": "北京星辰科技有限公司"}, version=customer["version"])
    su = secure_db.superuser()

    entries = _trail(su, "customers", customer["id"])
    assert [(actor, op) for actor, op, _, _ in entries] == [("sales1", "INSERT"), ("sales1", "UPDATE")]
    inserted = entries[0][3]
    assert inserted["phone"] == "138****5678" and "search_text" not in inserted
    before, after = entries[1][2], entries[1][3]
    assert (before["name"], after["name"]) == ("北京星辰软件有限公司", "北京星辰科技有限公司")
    [(actor, op, _, row)] = _trail(su, "contacts", contact["id"])
    assert (actor, op) == ("sales1", "INSERT")
    assert row["id_number"] == "**************002X" and row["phone"] == "139****4321"
    dump = str(su.execute("SELECT array_agg(before::text || after::text) FROM audit_trail").fetchone()[0])
    assert ID_NUMBER not in dump and "13812345678" not in dump


def test_the_admin_reads_the_trail_through_the_audit_service(secure_db) -> None:
    secure_db.add_user("sales1", "sales")
    sales = secure_db.session("sales1")
    customer = sales.customers.create({"name": "上海云帆信息技术有限公司"})
    sales.customers.update(customer["id"], {"notes": "首次拜访"}, version=customer["version"])
    admin = secure_db.session("admin")

    entries = admin.audit.trail(table="customers", row_id=customer["id"]).rows
    assert [(e["actor"], e["op"]) for e in entries] == [("sales1", "UPDATE"), ("sales1", "INSERT")]
    assert entries[0]["changed"] == ["notes"]
    assert "name" in entries[1]["changed"]
    assert admin.audit.trail(actor="sales1", limit=1).next_cursor is not None

    # The operation log the client shows (session.audit.list) is the trail in this mode.
    log = admin.audit.list(module="customers", record_id=customer["id"]).rows
    assert [(e["actor_login"], e["action"], e["actor_id"]) for e in log] == \
        [("sales1", "update", sales.actor.user_id), ("sales1", "insert", sales.actor.user_id)]


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_group_role_can_write_or_empty_the_trail(secure_db, role: str) -> None:
    secure_db.add_user("someone", role)
    secure_db.session("admin").customers.create({"name": "广州海纳贸易有限公司"})  # a trail row to aim at
    conn = secure_db.connect("someone", PASSWORD)
    for statement in ("UPDATE audit_trail SET actor = 'nobody'", "DELETE FROM audit_trail",
                      "TRUNCATE audit_trail",
                      "INSERT INTO audit_trail (actor, table_name, op) VALUES ('x', 'customers', 'INSERT')"):
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(statement)
    readable = role in ("admin", "manager")
    if readable:
        assert conn.execute("SELECT count(*) FROM audit_trail").fetchone()[0] > 0
    else:
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM audit_trail")
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute("ALTER TABLE audit_trail DISABLE TRIGGER ALL")
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute("DROP TRIGGER crm_audit_trail ON customers")


def test_a_privacy_erasure_blanks_the_persons_data_in_the_trail_too(secure_db) -> None:
    admin = secure_db.session("admin")
    customer = admin.customers.create({"name": "北京星辰软件有限公司"})
    contact = admin.contacts.create({"customer_id": customer["id"], "name": "欧阳娜娜", "email": "nana@example.com",
                                     "address": "北京市朝阳区建国路 88 号"})
    admin.contacts.update(contact["id"], {"email": "ouyang@example.com"}, version=contact["version"])
    admin.privacy.erase_contact(contact["id"], "本人要求删除个人信息")
    su = secure_db.superuser()
    entries = _trail(su, "contacts", contact["id"])
    assert [op for _, op, _, _ in entries] == ["INSERT", "UPDATE", "UPDATE"]  # the erasure is in the trail ...
    dump = " ".join(str(part) for entry in entries for part in entry[2:])
    for value in ("欧阳娜娜", "nana@example.com", "ouyang@example.com", "建国路"):
        assert value not in dump  # ... and no entry keeps what was erased
    assert entries[0][3]["email"] == "[erased]"


def test_only_those_who_may_erase_can_redact_the_trail(secure_db) -> None:
    secure_db.add_user("sales1", "sales")
    sales = secure_db.connect("sales1")
    with pytest.raises(errors.InsufficientPrivilege):
        sales.execute("SELECT crm_redact_trail('customers', 1, ARRAY['name'])")  # sales may not delete customers


def test_the_name_key_migration_writes_nothing_to_the_trail_and_leaves_its_trigger_on(secure_db,
                                                                                      monkeypatch) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    from crm_core.db import migrate
    from crm_core.pgsecurity import apply_security

    secure_db.add_user("sales1", "sales")
    sales = secure_db.session("sales1")
    ids = [sales.customers.create({"name": f"星辰 软件{i}有限公司"})["id"] for i in range(3)]
    su = secure_db.superuser()
    count = "SELECT count(*) FROM audit_trail WHERE table_name = 'customers'"
    engine = create_engine(secure_db.cluster.url(secure_db.name))
    try:
        cfg = migrate._config()
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL ROLE crm_owner")
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0011")
        from crm_core.pgsecurity import audit_trail

        with monkeypatch.context() as m:  # the trigger as a database before this migration has it
            m.setattr(audit_trail, "OMITTED", (("customers", "search_text"), ("users", "password_hash")))
            for statement in audit_trail._trigger("customers"):
                su.execute(statement)
        before = su.execute(count).fetchone()[0]
        migrate.upgrade(engine, role="crm_owner")  # the backfill under the trigger of the old declaration
        assert su.execute(count).fetchone()[0] == before
        assert su.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'crm_audit_trail' "
                          "AND tgrelid = 'public.customers'::regclass").fetchone()[0] == "O"
        keys = su.execute("SELECT name_key FROM customers WHERE id = ANY(%s) ORDER BY id", (ids,)).fetchall()
        assert [k for (k,) in keys] == [f"星辰软件{i}有限公司" for i in range(3)]
        apply_security(engine)
        sales.customers.update(ids[0], {"name": "星辰科技有限公司"}, version=sales.customers.get(ids[0])["version"])
        [(after,)] = su.execute("SELECT after FROM audit_trail WHERE table_name = 'customers' AND row_id = %s "
                                "ORDER BY id DESC LIMIT 1", (ids[0],)).fetchall()
        assert after["name"] == "星辰科技有限公司" and "name_key" not in after and "search_text" not in after
    finally:
        engine.dispose()
