"""What a stolen credential gives: raw SQL as a CRM user, with his own password, on the secure cluster.

Every check is made with psycopg and the user's own login, bypassing the
app entirely: only what PostgreSQL enforces counts here.
"""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.security

DENIED = (psycopg.errors.InsufficientPrivilege,)


@pytest.fixture
def office(secure_db):
    """Two salesmen (one customer each, one shared with sales1), an engineer; customers made by the admin."""
    users = {who: secure_db.add_user(who, role) for who, role in
             [("sales1", "sales"), ("sales2", "sales"), ("eng1", "engineer")]}
    admin = secure_db.session("admin")
    mine = admin.customers.create({"name": "北京星辰软件有限公司", "phone": "13911112222",
                                   "owner_id": users["sales1"]["id"]})
    theirs = admin.customers.create({"name": "上海海纳贸易有限公司", "owner_id": users["sales2"]["id"]})
    shared = admin.customers.create({"name": "广州远航物流有限公司", "owner_id": users["sales2"]["id"]})
    admin.customers.share(shared["id"], users["sales1"]["id"])
    admin.contacts.create({"customer_id": mine["id"], "name": "张三", "phone": "13800001111",
                           "id_number": "110101199003074514"})
    admin.contacts.create({"customer_id": theirs["id"], "name": "李四", "phone": "13800002222"})
    return {"users": users, "mine": mine, "theirs": theirs, "shared": shared}


def test_sales_sees_only_his_own_and_shared_customers(secure_db, office):
    me = office["users"]["sales1"]["id"]
    with secure_db.connect("sales1") as conn:
        visible = {r[0] for r in conn.execute("SELECT id FROM customers")}
        others = conn.execute("SELECT count(*) FROM customers WHERE owner_id <> %s AND id NOT IN "
                              "(SELECT customer_id FROM customer_shares)", (me,)).fetchone()[0]
        contacts = {r[0] for r in conn.execute("SELECT name FROM contacts")}
    with secure_db.superuser() as su:
        total_others = su.execute("SELECT count(*) FROM customers WHERE owner_id <> %s", (me,)).fetchone()[0]
    assert total_others == 2  # they exist ...
    assert others == 0  # ... but he sees none he neither owns nor shares
    assert visible == {office["mine"]["id"], office["shared"]["id"]}
    assert contacts == {"张三"}  # contacts follow their customer


def _insert_customer(conn: psycopg.Connection, owner_id: int, code: str) -> None:
    conn.execute("INSERT INTO customers (code, name, category, status, owner_id, search_text, version, "
                 "created_at, updated_at, is_active) VALUES (%s, %s, 'company', 'prospect', %s, '', 1, now(), "
                 "now(), true)", (code, f"客户{code}", owner_id))


def test_sales_cannot_insert_a_customer_for_another_owner(secure_db, office):
    with secure_db.connect("sales1") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege,
                                                            match="row-level security"):
        _insert_customer(conn, office["users"]["sales2"]["id"], "X0001")


def test_sales_may_insert_his_own_customer_by_sql(secure_db, office):
    with secure_db.connect("sales1") as conn:
        # with a code its counter handed out to him (crm_core/pgsecurity/row_stamps.py), as the services do
        conn.execute("INSERT INTO code_sequences (key, last_value) VALUES ('C20991231', 1)")
        _insert_customer(conn, office["users"]["sales1"]["id"], "C20991231001")
        assert conn.execute("SELECT count(*) FROM customers WHERE code = 'C20991231001'").fetchone()[0] == 1


def test_sales_cannot_reassign_a_customer(secure_db, office):
    with secure_db.connect("sales1") as conn:
        with pytest.raises(DENIED):
            conn.execute("UPDATE customers SET owner_id = %s WHERE id = %s",
                         (office["users"]["sales2"]["id"], office["mine"]["id"]))
        # Other columns of his own customer he may change; another's rows are not there to change.
        conn.execute("UPDATE customers SET notes = 'x' WHERE id = %s", (office["mine"]["id"],))
        changed = conn.execute("UPDATE customers SET notes = 'x' WHERE id = %s", (office["theirs"]["id"],))
        assert changed.rowcount == 0
        deleted = conn.execute("DELETE FROM contacts WHERE customer_id = %s", (office["theirs"]["id"],))
        assert deleted.rowcount == 0


def test_sales_cannot_move_a_contact_to_another_owners_customer(secure_db, office):
    with secure_db.connect("sales1") as conn, pytest.raises(DENIED, match="row-level security"):
        conn.execute("UPDATE contacts SET customer_id = %s WHERE customer_id = %s",
                     (office["theirs"]["id"], office["mine"]["id"]))


def test_sales_cannot_read_id_numbers_but_other_contact_columns(secure_db, office):
    with secure_db.connect("sales1") as conn:
        assert conn.execute("SELECT name, phone FROM contacts").fetchall() == [("张三", "13800001111")]
        with pytest.raises(DENIED, match="permission denied"):
            conn.execute("SELECT id_number FROM contacts")


def test_engineer_cannot_read_phones(secure_db, office):
    with secure_db.connect("eng1") as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 3  # all scope
        with pytest.raises(DENIED, match="permission denied"):
            conn.execute("SELECT phone FROM customers")
        with pytest.raises(DENIED):
            conn.execute("SELECT * FROM customers")
        with pytest.raises(DENIED):
            conn.execute("UPDATE customers SET name = 'x'")


def test_nobody_but_the_owner_reads_password_hashes(secure_db, office):
    for login in ("admin", "sales1", "eng1"):
        with secure_db.connect(login) as conn, pytest.raises(DENIED):
            conn.execute("SELECT password_hash FROM users")


@pytest.mark.parametrize("statement", [
    "CREATE ROLE intruder LOGIN PASSWORD 'x'",
    "GRANT crm_admin TO sales1",
    "ALTER POLICY crm_sales ON customers USING (true)",
    "DROP POLICY crm_sales ON customers",
    "ALTER TABLE customers DISABLE ROW LEVEL SECURITY",
    "DROP TABLE customers",
    "TRUNCATE customers",
    "CREATE TABLE public.mine (id int)",
    "SET ROLE crm_owner",
    "SET ROLE crm_backup",
    "SELECT public.crm_create_login('intruder', 'SCRAM-SHA-256$4096:x$y:z', 'crm_admin')",
])
def test_sales_cannot_change_the_rules(secure_db, office, statement):
    with secure_db.connect("sales1") as conn, pytest.raises(psycopg.Error):
        conn.execute(statement)


def test_even_an_admin_login_cannot_change_the_rules(secure_db, office):
    with secure_db.connect("admin") as conn:
        for statement in ("CREATE ROLE intruder", "ALTER POLICY crm_sales ON customers USING (true)",
                          "DROP TABLE customers", "ALTER TABLE customers NO FORCE ROW LEVEL SECURITY"):
            with pytest.raises(psycopg.Error):
                conn.execute(statement)


def test_the_owner_role_inside_functions_still_sees_only_the_users_rows(secure_db, office):
    """crm_owner's own policy follows session_user: a SECURITY DEFINER function leaks nothing."""
    with secure_db.connect("sales1") as conn:
        me = conn.execute("SELECT public.crm_me()").fetchone()[0]
        assert me == office["users"]["sales1"]["id"]
        assert conn.execute("SELECT public.crm_sees_all()").fetchone()[0] is False
    with secure_db.connect("eng1") as conn:
        assert conn.execute("SELECT public.crm_sees_all()").fetchone()[0] is True


def test_the_database_refuses_logins_without_the_right_password(secure_db, office):
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        secure_db.connect("sales1", "wrong password")


def test_custom_field_values_follow_their_record(secure_db, office):
    admin = secure_db.session("admin")
    admin.custom_fields.create({"module": "customers", "key": "erp_id", "label_zh": "ERP编号", "label_en": "ERP id",
                                "field_type": "text"})
    for customer in (office["mine"], office["theirs"]):
        admin.customers.update(customer["id"], {"custom": {"erp_id": f"E{customer['id']}"}},
                               version=admin.customers.get(customer["id"])["version"])
    with secure_db.connect("sales1") as conn:
        values = {r[0] for r in conn.execute("SELECT value FROM custom_field_values")}
        with pytest.raises(DENIED, match="row-level security"):
            conn.execute("INSERT INTO custom_field_values (definition_id, record_id, value) "
                         "SELECT id, %s, 'x' FROM custom_field_definitions", (office["theirs"]["id"],))
    assert values == {f"E{office['mine']['id']}"}
