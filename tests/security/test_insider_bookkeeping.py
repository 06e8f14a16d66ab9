"""Issue 11, findings 1, 2, 4 and 6: bookkeeping, outbox and logs an insider wrote with raw SQL.

Each test is the attack as reported, made with psycopg and the attacker's own
login on the scram-only cluster, and what the office then observes.
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors

from tests.integration.test_import_helpers import CUSTOMER_HEADERS, customer_row, write_csv

pytestmark = pytest.mark.security

DENIED = (errors.InsufficientPrivilege,)


@pytest.fixture
def office(secure_db):
    users = {who: secure_db.add_user(who, role) for who, role in
             [("sales1", "sales"), ("sales2", "sales"), ("eng1", "engineer"), ("svc1", "service"),
              ("mgr1", "manager")]}
    return users


def _admin_import(secure_db, tmp_path) -> int:
    admin = secure_db.session("admin")
    path = write_csv(tmp_path / "c.csv", [CUSTOMER_HEADERS] + [customer_row(i) for i in range(2)])
    return admin.imports.run("customers", path, admin.imports.auto_mapping("customers", CUSTOMER_HEADERS)).batch_id


# --- 1. import bookkeeping ------------------------------------------------------------------

def test_a_salesperson_cannot_plant_another_owners_customer_in_the_admins_import(secure_db, office, tmp_path):
    batch = _admin_import(secure_db, tmp_path)
    victim = secure_db.session("admin").customers.create({"name": "深圳前海客户有限公司",
                                                          "owner_id": office["sales2"]["id"]})
    sales = secure_db.connect("sales1")
    with pytest.raises(DENIED):
        sales.execute("INSERT INTO import_batch_records (batch_id, record_id, version) VALUES (%s, %s, 1)",
                      (batch, victim["id"]))
    with pytest.raises(DENIED):  # nor relabel it or mark it undone
        sales.execute("UPDATE import_batches SET created_by_id = %s WHERE id = %s", (office["sales1"]["id"], batch))
    assert sales.execute("UPDATE import_batches SET undone_at = now() WHERE id = %s", (batch,)).rowcount == 0
    secure_db.session("admin").imports.undo(batch)
    assert secure_db.session("admin").customers.get(victim["id"])["name"] == "深圳前海客户有限公司"


def test_bookkeeping_holds_only_records_the_import_itself_created(secure_db, office):
    """Even in his own batch a user can list only what his transaction just inserted."""
    theirs = secure_db.session("admin").customers.create({"name": "杭州西湖客户有限公司",
                                                          "owner_id": office["sales1"]["id"]})
    with secure_db.connect("sales1", autocommit=False) as sales:
        batch = sales.execute("INSERT INTO import_batches (module, file_name, rows, created_at, created_by_id) "
                              "VALUES ('customers', 'x.csv', 1, now(), %s) RETURNING id, created_by_id",
                              (office["sales2"]["id"],)).fetchone()
        assert batch[1] == office["sales1"]["id"]  # the database names the real importer
        with pytest.raises(DENIED, match="only records its import created"):
            sales.execute("INSERT INTO import_batch_records (batch_id, record_id, version) VALUES (%s, %s, 1)",
                          (batch[0], theirs["id"]))


def test_an_import_is_marked_undone_only_after_its_records_are_gone(secure_db, office, tmp_path):
    batch = _admin_import(secure_db, tmp_path)
    with secure_db.connect("mgr1") as manager, pytest.raises(DENIED, match="must be deleted"):
        manager.execute("UPDATE import_batches SET undone_at = now() WHERE id = %s", (batch,))
    assert secure_db.session("admin").imports.undo(batch) == 2


def test_a_salesperson_imports_and_undoes_his_own_file_through_the_app(secure_db, office, tmp_path):
    sales = secure_db.session("sales1")
    path = write_csv(tmp_path / "mine.csv", [CUSTOMER_HEADERS] + [customer_row(i) for i in range(3)])
    mapping = sales.imports.auto_mapping("customers", CUSTOMER_HEADERS)
    mapping[7] = None  # a salesperson imports customers as his own
    batch = sales.imports.run("customers", path, mapping).batch_id
    assert [b["id"] for b in sales.imports.batches("customers")] == [batch]
    assert [b["id"] for b in secure_db.session("sales2").imports.batches("customers")] == []
    assert sales.imports.undo(batch) == 3
    assert sales.customers.list().rows == []


# --- 2. notifications -----------------------------------------------------------------------

def _ticket(secure_db, office, *, resolved: bool):
    admin = secure_db.session("admin")
    customer = admin.customers.create({"name": "成都天府客户有限公司"})
    submitter = admin.submitters.create({"customer_id": customer["id"], "name": "王芳", "email": "wangfang@example.com"})
    ticket = admin.tickets.create({"customer_id": customer["id"], "submitter_id": submitter["id"],
                                   "feedback_type": "complaint", "description": "打印机无法连接"})
    if resolved:
        ticket = admin.tickets.resolve(ticket["id"], "已更换驱动", version=ticket["version"])
    return ticket


@pytest.mark.parametrize("login", ["eng1", "svc1", "sales1"])
def test_nobody_queues_a_mail_of_his_own_making(secure_db, office, login):
    ticket = _ticket(secure_db, office, resolved=False)
    with secure_db.connect(login) as conn, pytest.raises(psycopg.Error):
        conn.execute("INSERT INTO notifications (ticket_id, channel, recipient, subject, body, status, created_at, "
                     "attempts) VALUES (%s, 'email', 'ceo@example.com', 'Invoice', 'pay here', 'queued', now(), 0)",
                     (ticket["id"],))
    assert secure_db.superuser().execute("SELECT count(*) FROM notifications").fetchone()[0] == 0


def test_a_salesman_cannot_create_a_ticket_already_resolved_and_mail_its_result(secure_db, office):
    """He may create tickets, not resolve them: a raw insert of a "resolved" ticket with a result of his own
    queued the office's notice with that text to the submitter. A new ticket starts open, as in the program."""
    admin = secure_db.session("admin")
    customer = admin.customers.create({"name": "北京星辰软件有限公司", "owner_id": office["sales1"]["id"]})
    submitter = admin.submitters.create({"customer_id": customer["id"], "name": "王芳",
                                         "email": "wangfang@example.com"})
    engineer = office["eng1"]["id"]
    with secure_db.connect("sales1", autocommit=False) as conn:
        key = "T" + conn.execute("SELECT to_char(now(), 'YYYYMMDD')").fetchone()[0]
        last = conn.execute("INSERT INTO code_sequences (key, last_value) VALUES (%s, 1) ON CONFLICT (key) DO UPDATE "
                            "SET last_value = code_sequences.last_value + 1 RETURNING last_value", (key,)).fetchone()[0]
        ticket = conn.execute(
            "INSERT INTO tickets (number, customer_id, submitter_id, feedback_type, description, status, result, "
            "engineer_id, satisfaction, resolved_at, closed_at, version, created_at, updated_at, is_active) "
            "VALUES (%s, %s, %s, 'complaint', '账户异常', 'resolved', '请点击 http://example.test 重新登录', %s, 5, "
            "now(), now(), 1, now(), now(), true) RETURNING id, status, result, engineer_id, satisfaction, resolved_at, "
            "closed_at", (f"{key}{last:03d}", customer["id"], submitter["id"], engineer)).fetchone()
        assert ticket[1:] == ("open", None, None, None, None, None)
        with pytest.raises(DENIED, match="only by resolving"):
            conn.execute("INSERT INTO notifications (ticket_id, channel, recipient, subject, body, status, created_at, "
                         "attempts) VALUES (%s, 'email', 'x', 'x', 'x', 'queued', now(), 0)", (ticket[0],))
    assert secure_db.superuser().execute("SELECT count(*) FROM notifications").fetchone()[0] == 0


def test_a_resolved_tickets_notice_comes_from_the_submitter_and_the_template(secure_db, office):
    ticket = _ticket(secure_db, office, resolved=True)
    su = secure_db.superuser()
    [(recipient, subject, body)] = su.execute("SELECT recipient, subject, body FROM notifications").fetchall()
    assert recipient == "wangfang@example.com"
    assert subject == f"您反馈的问题已解决 / Your issue {ticket['number']} is resolved"
    assert body.startswith("王芳，您好：\n\n") and "Result: 已更换驱动\n" in body
    with secure_db.connect("svc1") as service:
        with pytest.raises(DENIED):  # the mailer's columns only
            service.execute("UPDATE notifications SET recipient = 'x@example.com', body = 'pay here'")
        su.execute("UPDATE notifications SET status = 'sent'")
        # A second notice for the same resolution is queued with the database's text, not the caller's.
        service.execute("INSERT INTO notifications (ticket_id, channel, recipient, subject, body, status, "
                        "created_at, attempts) VALUES (%s, 'email', 'ceo@example.com', 'Invoice', 'pay', 'queued', "
                        "now(), 0)", (ticket["id"],))
    rows = su.execute("SELECT DISTINCT recipient, subject FROM notifications").fetchall()
    assert rows == [("wangfang@example.com", subject)]


# --- 4. audit log and trail -----------------------------------------------------------------

def test_nobody_writes_the_operation_log_in_another_name_or_rewrites_it(secure_db, office):
    admin = secure_db.session("admin")
    admin.customers.create({"name": "南京紫金客户有限公司"})
    for login in ("sales1", "mgr1", "eng1"):
        conn = secure_db.connect(login)
        conn.execute("INSERT INTO audit_log (at, actor_id, actor_login, action, module, flagged) "
                     "VALUES ('2020-01-01', %s, 'admin', 'delete', 'customers', false)", (admin.actor.user_id,))
    su = secure_db.superuser()
    forged = su.execute("SELECT actor_login, actor_id, at > now() - interval '1 day' FROM audit_log "
                        "WHERE action = 'delete'").fetchall()
    assert sorted(forged) == sorted([(login, office[login]["id"], True) for login in ("sales1", "mgr1", "eng1")])
    with secure_db.connect("mgr1") as manager:
        with pytest.raises(DENIED):
            manager.execute("UPDATE audit_log SET after = '{\"name\": \"x\"}' WHERE module = 'customers'")
        with pytest.raises(DENIED):
            manager.execute("UPDATE audit_log SET actor_login = 'sales1'")
        with pytest.raises(DENIED):
            manager.execute("DELETE FROM audit_log")


def test_redaction_touches_only_personal_fields_and_only_with_an_erasure_log_entry(secure_db, office):
    admin = secure_db.session("admin")
    customer = admin.customers.create({"name": "武汉光谷客户有限公司", "email": "info@example.com"})
    conn = secure_db.connect("admin")
    with pytest.raises(DENIED, match="only personal fields"):
        conn.execute("SELECT crm_redact_trail('customers', %s, ARRAY['name', 'owner_id'])", (customer["id"],))
    with pytest.raises(DENIED, match="erasure logged"):
        conn.execute("SELECT crm_redact_trail('customers', %s, ARRAY['email'])", (customer["id"],))
    with pytest.raises(DENIED):
        conn.execute("UPDATE audit_log SET after = NULL WHERE record_id = %s", (customer["id"],))
    admin.privacy.erase_customer(customer["id"], "客户要求")  # the real path still works, and is in the trail
    su = secure_db.superuser()
    assert su.execute("SELECT count(*) FROM audit_trail WHERE table_name = 'audit_log' AND op = 'UPDATE' "
                      "AND actor = 'admin'").fetchone()[0] >= 1
    logged = su.execute("SELECT after::jsonb FROM audit_log WHERE module = 'customers' AND action = 'create' "
                        "AND record_id = %s", (customer["id"],)).fetchone()[0]
    assert (logged["email"], logged["name"]) == ("[erased]", "武汉光谷客户有限公司")


# --- 6. code counters -----------------------------------------------------------------------

def test_a_salesperson_cannot_set_the_code_counter_back(secure_db, office):
    sales = secure_db.session("sales1")
    sales.customers.create({"name": "西安曲江客户有限公司"})
    with secure_db.connect("sales1") as conn:
        with pytest.raises(DENIED, match="only counts up"):
            conn.execute("UPDATE code_sequences SET last_value = 0")
        with pytest.raises(DENIED):
            conn.execute("DELETE FROM code_sequences")
    assert sales.customers.create({"name": "西安高新客户有限公司"})["code"].endswith("002")
