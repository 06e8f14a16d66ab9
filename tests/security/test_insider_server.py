"""What the server itself hands every login, tried with raw psycopg and a CRM user's own password.

Large objects, advisory locks, connection slots, table and row locks, other
sessions' query text, COPY, sequences: PostgreSQL's defaults, not the CRM's
tables, and each a way past docs/security.md unless the security statements
take it away (crm_core/pgsecurity/builtins.py, accounts.py, grants.py).
"""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from psycopg import errors

from crm_core.errors import ValidationError
from crm_core.modules.admin import LAST_ADMIN_LOCK
from crm_core.pgsecurity import apply_security
from crm_core.pgsecurity.bookkeeping import MAX_BLOCK_COUNTER
from crm_core.pgsecurity.roles import CONNECTION_LIMIT
from crm_core.services.codes import next_code
from tests.helpers import version_of

pytestmark = pytest.mark.security

DENIED = (errors.InsufficientPrivilege,)
LOGINS = (("sales1", "sales"), ("sales2", "sales"), ("eng1", "engineer"), ("svc1", "service"), ("mgr1", "manager"))


@pytest.fixture
def office(secure_db):
    users = {who: secure_db.add_user(who, role) for who, role in LOGINS}
    admin = secure_db.session("admin")
    customer = admin.customers.create({"name": "北京星辰软件有限公司", "phone": "13812345678",
                                       "owner_id": users["sales1"]["id"]})
    theirs = admin.customers.create({"name": "深圳前海客户有限公司", "phone": "13987654321",
                                     "owner_id": users["sales2"]["id"]})
    submitter = admin.submitters.create({"customer_id": customer["id"], "name": "王芳"})
    admin.tickets.create({"customer_id": customer["id"], "submitter_id": submitter["id"],
                          "feedback_type": "complaint", "description": "打印机无法连接"})
    return {"users": users, "mine": customer, "theirs": theirs}


def _owned_by(su: psycopg.Connection, login: str) -> list[tuple]:
    """Every object of this database (and every shared one) that ``login`` owns: pg_shdepend's owner links."""
    return su.execute("SELECT classid::regclass::text, objid FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid "
                      "WHERE r.rolname = %s AND d.deptype = 'o' AND d.dbid IN (0, (SELECT oid FROM pg_database "
                      "WHERE datname = current_database()))", (login,)).fetchall()


# --- large objects ------------------------------------------------------------------------------

@pytest.mark.parametrize("call", ["SELECT lo_create(0)", "SELECT lo_creat(-1)",
                                  "SELECT lo_from_bytea(0, 'x'::bytea)", "SELECT lo_import('/etc/passwd')"])
@pytest.mark.parametrize("login", ["sales1", "admin"])
def test_no_login_creates_a_large_object(secure_db, office, login, call):
    with secure_db.connect(login) as conn, pytest.raises(DENIED):
        conn.execute(call)
    assert secure_db.superuser().execute("SELECT count(*) FROM pg_largeobject_metadata").fetchone()[0] == 0


def test_a_large_object_a_login_made_before_does_not_stop_the_backup(secure_db, office):
    """One a user made before the rules were applied: given to crm_owner, readable by crm_backup."""
    su = secure_db.superuser()
    oid = su.execute("SELECT lo_from_bytea(0, 'planted'::bytea)").fetchone()[0]
    su.execute(f"ALTER LARGE OBJECT {oid} OWNER TO sales1")  # as lo_create() by sales1 left it
    su.execute("SET ROLE crm_backup")
    with pytest.raises(DENIED):  # pg_dump --role=crm_backup failed here: no backup at all
        su.execute("SELECT lo_get(%s)", (oid,))
    su.execute("RESET ROLE")
    apply_security(su)
    assert _owned_by(su, "sales1") == []
    su.execute("SET ROLE crm_backup")
    assert su.execute("SELECT lo_get(%s)", (oid,)).fetchone()[0] == b"planted"


DEFAULT_PRIVILEGES = ("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO crm_engineer",
                      "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO crm_engineer",
                      "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC")


def test_a_login_owns_nothing_once_his_session_ends(secure_db, office):
    """The catalog-wide check (pg_shdepend), after trying every way in to own something.

    ALTER DEFAULT PRIVILEGES is PostgreSQL's to every role (no CREATE needed): the entry is his, for
    objects he would create, and he creates none; it gives crm_engineer nothing of the CRM's tables."""
    with secure_db.connect("sales1") as conn:
        for statement in ("SELECT lo_create(0)", "CREATE SCHEMA mine", "CREATE TABLE public.mine (i int)",
                          "CREATE TEMP TABLE mine (i int)",
                          "CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE sql AS 'SELECT $1'",
                          "CREATE PUBLICATION mine FOR ALL TABLES", "CREATE DATABASE mine"):
            with pytest.raises(psycopg.Error):
                conn.execute(statement)
        for statement in DEFAULT_PRIVILEGES:
            conn.execute(statement)
    su = secure_db.superuser()
    assert {c for c, _ in _owned_by(su, "sales1")} == {"pg_default_acl"}
    apply_security(su)  # what db upgrade creates as crm_owner: untouched by his defaults
    with secure_db.connect("eng1") as conn, pytest.raises(DENIED):
        conn.execute("SELECT phone FROM customers")


@pytest.mark.parametrize("statement", DEFAULT_PRIVILEGES)
def test_a_user_whose_login_set_default_privileges_is_deleted(secure_db, statement):
    """They were his entries in the CRM database: DROP ROLE refused (2BP01) and the user could not be deleted."""
    user = secure_db.add_user("sales1", "sales")
    with secure_db.connect("sales1") as conn:
        conn.execute(statement)
    admin = secure_db.session("admin")
    admin.users.delete(user["id"], version=version_of(admin.users, user["id"]))
    su = secure_db.superuser()
    assert su.execute("SELECT 1 FROM pg_roles WHERE rolname = 'sales1'").fetchone() is None
    assert su.execute("SELECT count(*) FROM pg_default_acl").fetchone() == (0,)


def test_a_user_whose_login_a_dba_granted_privileges_in_the_crm_database_is_deleted(secure_db):
    user = secure_db.add_user("sales1", "sales")
    su = secure_db.superuser()
    su.execute("GRANT SELECT ON customers TO sales1")
    su.execute("GRANT USAGE ON SEQUENCE customers_id_seq TO sales1")
    admin = secure_db.session("admin")
    admin.users.delete(user["id"], version=version_of(admin.users, user["id"]))
    assert su.execute("SELECT 1 FROM pg_roles WHERE rolname = 'sales1'").fetchone() is None


def test_a_user_whose_login_owns_an_object_in_the_crm_database_is_not_deleted_and_the_admin_is_told_where(
        secure_db):
    """Only a superuser can give a login an object here; the CRM does not drop it (it may hold data)."""
    user = secure_db.add_user("sales1", "sales")
    su = secure_db.superuser()
    su.execute("CREATE TABLE public.dba_notes (i int)")
    su.execute("ALTER TABLE public.dba_notes OWNER TO sales1")
    admin = secure_db.session("admin")
    with pytest.raises(ValidationError) as refused:
        admin.users.delete(user["id"], version=version_of(admin.users, user["id"]))
    [problem] = refused.value.errors
    assert (problem.field, problem.code) == ("login", "owns_objects")
    en, zh = problem.message("en"), problem.message("zh_CN")
    assert "'sales1' owns objects in the CRM database itself (table public.dba_notes;" in en, en
    assert "another database" not in en and "REASSIGN OWNED BY \"sales1\" TO postgres" in en, en
    assert "本 CRM 数据库中拥有对象（table public.dba_notes" in zh, zh
    assert su.execute("SELECT 1 FROM pg_roles WHERE rolname = 'sales1'").fetchone() == (1,)
    assert su.execute("SELECT to_regclass('public.dba_notes') IS NOT NULL").fetchone() == (True,)
    assert admin.users.get(user["id"])["login"] == "sales1"
    su.execute('REASSIGN OWNED BY "sales1" TO postgres')  # the remedy the message gives
    su.execute('DROP OWNED BY "sales1"')
    admin.users.delete(user["id"], version=version_of(admin.users, user["id"]))
    assert su.execute("SELECT 1 FROM pg_roles WHERE rolname = 'sales1'").fetchone() is None


# --- the session's temporary schema -----------------------------------------------------------

TEMP_OBJECTS = ["CREATE TEMP TABLE mine (i int)", "CREATE TEMP TABLE mine AS SELECT generate_series(1, 10) AS i",
                "CREATE TEMP SEQUENCE mine", "CREATE TEMP VIEW mine AS SELECT 1 AS i",
                "CREATE FUNCTION pg_temp.mine() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                "CREATE TABLE pg_temp.users (id int, login text)"]


@pytest.mark.parametrize("statement", TEMP_OBJECTS)
@pytest.mark.parametrize("login", ["sales1", "eng1", "admin"])
def test_no_login_creates_a_temporary_object(secure_db, office, login, statement):
    """PUBLIC's default TEMPORARY let every login fill the server's disk with temp tables (no quota) and put
    tables of his own first in his session's search path. Neither the client nor crm-admin makes temp objects."""
    with secure_db.connect(login) as conn, pytest.raises(DENIED, match="temporary"):
        conn.execute(statement)


def test_applying_again_takes_back_a_temporary_privilege_granted_before(secure_db, office):
    """An earlier version granted TEMPORARY to the group roles; `crm-admin db upgrade` takes it back."""
    su = secure_db.superuser()
    su.execute("DO $$BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC, crm_sales, crm_backup', "
               "current_database()); END$$")
    with secure_db.connect("sales1") as conn:
        conn.execute("CREATE TEMP TABLE mine (i int)")
    apply_security(su)
    with secure_db.connect("sales1") as conn, pytest.raises(DENIED, match="temporary"):
        conn.execute("CREATE TEMP TABLE mine (i int)")
    holders = su.execute("SELECT r.rolname FROM pg_roles r WHERE has_database_privilege(r.oid, current_database(), "
                         "'TEMPORARY') AND NOT r.rolsuper").fetchall()
    assert holders == [("crm_owner",)]


# --- locks -------------------------------------------------------------------------------------

@pytest.mark.parametrize("call", ["pg_advisory_lock(%s)", "pg_try_advisory_lock(%s)", "pg_advisory_xact_lock(%s)",
                                  "pg_advisory_lock_shared(%s)", "pg_try_advisory_xact_lock(%s)"])
def test_nobody_but_an_administrator_takes_the_last_admin_lock(secure_db, office, call):
    """A session-level advisory lock outlives every transaction limit: held, no admin could be demoted again."""
    for login in ("sales1", "mgr1"):
        with secure_db.connect(login) as conn, pytest.raises(DENIED):
            conn.execute("SELECT " + call, (LAST_ADMIN_LOCK,))


def test_an_administrator_still_demotes_another_through_the_services(secure_db, office):
    admin = secure_db.session("admin")
    second = admin.users.create({"login": "boss2", "name": "王总", "role": "admin", "phone": "13800009999",
                                 "password": "secret123"})
    demoted = admin.users.update(second["id"], {"role": "manager"}, version=version_of(admin.users, second["id"]))
    assert demoted["role"] == "manager"


@pytest.mark.parametrize("login, table", [
    ("eng1", "tickets"),  # he updates tickets, may not delete them
    ("eng1", "licenses"), ("eng1", "needs"),
    ("eng1", "customers"), ("svc1", "customers"), ("sales1", "submitters"),  # tables they only read
])
@pytest.mark.parametrize("mode", ["SHARE", "EXCLUSIVE", "ACCESS EXCLUSIVE"])
def test_a_table_a_role_does_not_delete_in_cannot_be_locked_against_the_office(secure_db, office, login, table, mode):
    with secure_db.connect(login, autocommit=False) as conn, pytest.raises(DENIED):
        conn.execute(f"LOCK TABLE {table} IN {mode} MODE NOWAIT")


@pytest.mark.parametrize("login, table", [("sales1", "customers"), ("eng1", "custom_field_values")])
def test_the_documented_lock_limit_and_its_remedy(secure_db, office, login, table):
    """docs/security.md, Known limits: where his role has DELETE a login locks the table; a superuser ends it."""
    holder = secure_db.connect(login, autocommit=False)
    holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    with secure_db.connect("mgr1", autocommit=False) as reader:
        with pytest.raises(errors.LockNotAvailable):
            reader.execute(f"LOCK TABLE {table} IN ACCESS SHARE MODE NOWAIT")
        reader.rollback()
        ended = secure_db.superuser().execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (login,)).fetchall()
        assert ended == [(True,)]
        reader.execute(f"SELECT count(*) FROM {table}")


@pytest.mark.parametrize("login, table", [("eng1", "customers"), ("svc1", "customers"), ("eng1", "products"),
                                          ("sales1", "submitters"), ("svc1", "contacts")])
@pytest.mark.parametrize("strength", ["UPDATE", "NO KEY UPDATE", "SHARE", "KEY SHARE"])
def test_rows_a_role_only_reads_cannot_be_locked(secure_db, office, login, table, strength):
    with secure_db.connect(login, autocommit=False) as conn, pytest.raises(DENIED):
        conn.execute(f"SELECT id FROM {table} FOR {strength}")


# --- connections -------------------------------------------------------------------------------

def test_one_login_cannot_take_every_connection_of_the_server(secure_db, office):
    held = [secure_db.connect("sales1") for _ in range(CONNECTION_LIMIT)]
    with pytest.raises(psycopg.OperationalError, match="too many connections for role"):
        secure_db.connect("sales1")
    with pytest.raises(DENIED):  # nor raise his own limit
        held[0].execute("ALTER ROLE sales1 CONNECTION LIMIT -1")
    secure_db.connect("sales2").execute("SELECT 1")  # the others still get in
    for conn in held:
        conn.close()


def test_every_crm_login_has_the_connection_limit_also_after_a_change_of_role(secure_db, office):
    admin = secure_db.session("admin")
    admin.users.update(office["users"]["svc1"]["id"], {"role": "sales"},
                       version=version_of(admin.users, office["users"]["svc1"]["id"]))
    limits = dict(secure_db.superuser().execute(
        "SELECT r.rolname, r.rolconnlimit FROM pg_roles r WHERE r.rolcanlogin AND NOT r.rolsuper").fetchall())
    assert limits == {login: CONNECTION_LIMIT for login in ("admin", "sales1", "sales2", "svc1", "eng1", "mgr1")}


# --- what other sessions do -------------------------------------------------------------------

def test_a_login_reads_no_other_sessions_query_text(secure_db, office):
    with secure_db.connect("sales2", autocommit=False) as other:
        other.execute("SELECT 'secret-marker-13987654321' AS probe")  # left idle in its transaction
        with secure_db.connect("sales1") as conn:
            seen = conn.execute("SELECT usename, query FROM pg_stat_activity WHERE usename = 'sales2'").fetchall()
            statements = conn.execute("SELECT count(*) FROM pg_catalog.pg_available_extensions "
                                      "WHERE name = 'pg_stat_statements' AND installed_version IS NOT NULL")
            assert statements.fetchone()[0] == 0
    assert seen == [("sales2", "<insufficient privilege>")]


# --- COPY and sequences ------------------------------------------------------------------------

def test_copy_follows_row_level_security_and_writes_nothing(secure_db, office):
    with secure_db.connect("sales1") as conn:
        with conn.cursor() as cur:
            with cur.copy("COPY customers (id, name) TO STDOUT") as copy:
                rows = [row for row in copy.rows()]
        assert rows == [(str(office["mine"]["id"]), office["mine"]["name"])]
        with conn.cursor() as cur, pytest.raises(psycopg.errors.FeatureNotSupported, match="row-level security"):
            with cur.copy("COPY customers (code, name, category, status, owner_id, search_text, version, created_at, "
                          "updated_at, is_active) FROM STDIN") as copy:
                copy.write_row(("X1", "x", "company", "prospect", office["users"]["sales2"]["id"], "", 1,
                                "2026-01-01", "2026-01-01", True))
    with secure_db.connect("eng1") as conn, pytest.raises(DENIED):
        conn.execute("COPY customers (phone) TO STDOUT")


def test_a_login_cannot_set_a_sequence_back_onto_existing_ids(secure_db, office):
    with secure_db.connect("sales1") as conn:
        for call in ("SELECT setval('customers_id_seq', 1)", "SELECT last_value FROM audit_trail_id_seq",
                     "SELECT setval('audit_log_id_seq', 1)", "ALTER SEQUENCE customers_id_seq RESTART"):
            with pytest.raises(DENIED):
                conn.execute(call)


# --- ids and actors the database decides ---------------------------------------------------------

def test_nobody_plants_rows_at_ids_the_sequence_has_not_handed_out(secure_db, office):
    """Rows at the next ids made every later insert of the office fail with a duplicate key."""
    su = secure_db.superuser()
    top = su.execute("SELECT last_value FROM audit_log_id_seq").fetchone()[0]
    with secure_db.connect("sales1") as conn:
        with pytest.raises(DENIED, match="not handed out"):
            conn.execute("INSERT INTO audit_log (id, at, actor_login, action, module, flagged) "
                         "SELECT i, now(), 'x', 'create', 'customers', false FROM generate_series(%s::int, %s::int) i",
                         (top + 1, top + 1000))
        with pytest.raises(DENIED, match="not handed out"):
            conn.execute("INSERT INTO customers (id, code, name, category, status, owner_id, search_text, version, "
                         "created_at, updated_at, is_active) VALUES (%s, 'X9', '客户X9', 'company', 'prospect', %s, '', "
                         "1, now(), now(), true)", (office["theirs"]["id"] + 100, office["users"]["sales1"]["id"]))
        with pytest.raises(DENIED):  # nor move a row of his onto a future id
            conn.execute("UPDATE customers SET id = id + 100 WHERE id = %s", (office["mine"]["id"],))
        reserved = conn.execute("SELECT nextval('followups_id_seq')").fetchone()[0]  # as the bulk writer does
        conn.execute("INSERT INTO followups (id, customer_id, content, at, next_done, version, created_at, updated_at, "
                     "is_active) VALUES (%s, %s, '电话回访', now(), false, 1, now(), now(), true)",
                     (reserved, office["mine"]["id"]))
    admin = secure_db.session("admin")
    assert admin.customers.create({"name": "南京紫金客户有限公司"})["id"] > office["theirs"]["id"]


def test_history_is_written_in_the_writers_own_name(secure_db, office):
    users = office["users"]
    mgr, eng, me = users["mgr1"]["id"], users["eng1"]["id"], users["sales1"]["id"]
    ticket = secure_db.superuser().execute("SELECT id FROM tickets").fetchone()[0]
    with secure_db.connect("sales1") as conn:
        conn.execute("INSERT INTO customer_status_changes (customer_id, from_status, to_status, changed_at, "
                     "changed_by_id, note) VALUES (%s, 'prospect', 'signed', now(), %s, '经理已确认')",
                     (office["mine"]["id"], mgr))
        conn.execute("INSERT INTO ticket_log_entries (ticket_id, at, by_id, kind, content) "
                     "VALUES (%s, now(), %s, 'comment', '客户同意关闭')", (ticket, eng))
        followup = conn.execute(
            "INSERT INTO followups (customer_id, content, at, next_done, version, created_at, updated_at, is_active, "
            "created_by_id, updated_by_id) VALUES (%s, '上门拜访', now(), false, 1, now(), now(), true, %s, %s) "
            "RETURNING id",
            (office["mine"]["id"], mgr, mgr)).fetchone()[0]
        conn.execute("UPDATE followups SET created_by_id = %s, updated_by_id = %s WHERE id = %s", (mgr, mgr, followup))
    su = secure_db.superuser()
    assert su.execute("SELECT changed_by_id FROM customer_status_changes WHERE note = '经理已确认'").fetchone() == (me,)
    assert su.execute("SELECT by_id FROM ticket_log_entries WHERE content = '客户同意关闭'").fetchone() == (me,)
    assert su.execute("SELECT created_by_id, updated_by_id FROM followups WHERE id = %s",
                      (followup,)).fetchone() == (me, me)
    # the services write the same values, and an administrator's edit names him
    admin = secure_db.session("admin")
    customer = admin.customers.create({"name": "成都天府客户有限公司", "owner_id": me})
    assert su.execute("SELECT created_by_id, updated_by_id FROM customers WHERE id = %s",
                      (customer["id"],)).fetchone() == (admin.actor.user_id, admin.actor.user_id)
    secure_db.session("sales1").customers.update(customer["id"], {"notes": "已拜访"}, version=customer["version"])
    assert su.execute("SELECT created_by_id, updated_by_id FROM customers WHERE id = %s",
                      (customer["id"],)).fetchone() == (admin.actor.user_id, me)



def test_a_raw_update_that_leaves_updated_by_alone_still_names_the_writer(secure_db, office):
    """docs/security.md: who last changed a record holds the CRM user of the login that wrote it."""
    cid = office["mine"]["id"]
    mgr = secure_db.session("mgr1")
    mgr.customers.update(cid, {"notes": "经理改的"}, version=version_of(mgr.customers, cid))
    with secure_db.connect("sales1") as conn:
        conn.execute("UPDATE customers SET notes = 'sales1 改的', version = version + 1 WHERE id = %s", (cid,))
    row = secure_db.superuser().execute("SELECT notes, updated_by_id FROM customers WHERE id = %s", (cid,)).fetchone()
    assert row == ("sales1 改的", office["users"]["sales1"]["id"])


def test_signing_in_does_not_make_a_user_his_own_last_editor(secure_db, office):
    """crm_touch_login stamps last_login_at at every sign-in: bookkeeping, not an edit of his record."""
    su = secure_db.superuser()
    admin = secure_db.session("admin")
    user = office["users"]["sales1"]
    admin.users.update(user["id"], {"position": "销售经理"}, version=version_of(admin.users, user["id"]))
    secure_db.session("sales1")
    signed_in, editor = su.execute("SELECT last_login_at, updated_by_id FROM users WHERE id = %s",
                                   (user["id"],)).fetchone()
    assert signed_in is not None and editor == admin.actor.user_id

# --- the search index --------------------------------------------------------------------------

def test_the_search_index_shows_a_role_only_entries_of_what_it_may_read(secure_db, office):
    """No pair of a phone for the engineer (he reads phones masked), only his customers' for a salesman."""
    secure_db.session("admin").contacts.create({"customer_id": office["mine"]["id"], "name": "张三丰",
                                                "phone": "13700001111"})
    with secure_db.connect("eng1") as eng:
        kinds = {r[0] for r in eng.execute("SELECT DISTINCT kind FROM customer_search_grams")}
        digits = eng.execute("SELECT count(*) FROM customer_search_grams WHERE gram ~ '[0-9]'").fetchone()[0]
    assert kinds == {"n", "s"} and digits == 0
    with secure_db.connect("sales1") as sales:
        customers = {r[0] for r in sales.execute("SELECT DISTINCT customer_id FROM customer_search_grams")}
    assert customers == {office["mine"]["id"]}
    everything = secure_db.superuser().execute("SELECT DISTINCT kind FROM customer_search_grams")
    assert {r[0] for r in everything} == {"n", "s", "c", "p", "q"}  # they exist


def test_the_ids_check_is_on_exactly_the_tables_a_login_may_insert_into(secure_db, office):
    """Not on the audit trail, which only the owner's triggers write: it fired at every audited row."""
    su = secure_db.superuser()
    checked = {r[0] for r in su.execute("SELECT tgrelid::regclass::text FROM pg_trigger "
                                        "WHERE tgname = 'crm_ids_handed_out' AND tgenabled <> 'D'")}
    inserted = {r[0] for r in su.execute(
        "WITH t AS MATERIALIZED (SELECT c.oid, c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
        "AND a.attname = 'id' WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r') "
        "SELECT c.relname FROM t c WHERE pg_get_serial_sequence('public.' || quote_ident(c.relname), 'id') IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM pg_roles r WHERE (r.rolname LIKE 'crm\\_%' OR r.rolname = 'sales1') "
        "AND NOT r.rolsuper AND r.rolname <> 'crm_owner' AND has_table_privilege(r.oid, c.oid, 'INSERT'))")}
    assert "audit_trail" not in checked and "customers" in checked
    assert checked == inserted

def test_the_documented_remedy_for_ids_drawn_to_the_end(secure_db, office):
    """docs/security.md, Known limits: a login draws ids without inserting; the superuser's setval puts it right."""
    with secure_db.connect("sales1") as conn:
        conn.execute("SELECT nextval('audit_log_id_seq') FROM generate_series(1, 1000)")  # allowed: the limit
    sales = secure_db.session("sales1")
    su = secure_db.superuser()
    su.execute("SELECT setval('audit_log_id_seq', 2147483647)")  # as an hour of drawing leaves it
    with pytest.raises(Exception, match="reached maximum value"):
        sales.customers.create({"name": "南京紫金客户有限公司"})
    su.execute("SELECT setval('audit_log_id_seq', (SELECT max(id) FROM audit_log))")
    assert sales.customers.create({"name": "南京紫金客户有限公司"})["name"] == "南京紫金客户有限公司"


def _customer_with_code(conn: psycopg.Connection, code: str, owner: int) -> None:
    conn.execute("INSERT INTO customers (code, name, category, status, owner_id, search_text, version, created_at, "
                 "updated_at, is_active) VALUES (%s, %s, 'company', 'prospect', %s, '', 1, now(), now(), true)",
                 (code, f"占位{code}", owner))


def test_nobody_plants_the_codes_the_office_will_be_given_next(secure_db, office):
    """His own customers at C<day>002..: every new customer of the office failed with "code already exists"."""
    su = secure_db.superuser()
    key, last = su.execute("SELECT key, last_value FROM code_sequences WHERE key LIKE 'C%'").fetchone()
    me = office["users"]["sales1"]["id"]
    with secure_db.connect("sales1") as conn:
        for code in (f"{key}{last + 1:03d}", f"{key}{last + 40:03d}", "C20991231001", f"{key}0{last:02d}x"):
            with pytest.raises(DENIED, match="not handed out"):
                _customer_with_code(conn, code, me)
        with pytest.raises(DENIED, match="not handed out"):  # all of them at once, as the attack did
            conn.execute("INSERT INTO customers (code, name, category, status, owner_id, search_text, version, "
                         "created_at, updated_at, is_active) SELECT %s || lpad(i::text, 3, '0'), '占位' || i, "
                         "'company', 'prospect', %s, '', 1, now(), now(), true FROM generate_series(%s::int, 999) i",
                         (key, me, last + 1))
        with pytest.raises(DENIED):  # nor give a customer of his another code
            conn.execute("UPDATE customers SET code = %s WHERE id = %s", (f"{key}{last + 1:03d}", office["mine"]["id"]))
        # A code he reserved himself, as the services do, is his to use.
        mine = conn.execute("UPDATE code_sequences SET last_value = last_value + 1 WHERE key = %s "
                            "RETURNING last_value", (key,)).fetchone()[0]
        _customer_with_code(conn, f"{key}{mine:03d}", me)
    created = secure_db.session("admin").customers.create({"name": "南京紫金客户有限公司"})
    assert created["code"] == f"{key}{mine + 1:03d}"


INT_MAX = 2**31 - 1


@pytest.mark.parametrize("start", [MAX_BLOCK_COUNTER - 50_000, INT_MAX - 150_000])
def test_a_salesman_cannot_stop_the_day_s_customer_codes_through_the_counter(secure_db, office, start):
    """Blocks of 100,000 took the counter to the integer's end in ~21,500 updates (started near it here,
    as the superuser), and from then on every next code of that day failed."""
    day = dt.date(2099, 12, 31)
    key = f"C{day:%Y%m%d}"
    secure_db.superuser().execute("INSERT INTO code_sequences (key, last_value) VALUES (%s, %s)", (key, start))
    with secure_db.connect("sales1") as conn:
        for _ in range(2):
            with pytest.raises(DENIED):
                conn.execute("UPDATE code_sequences SET last_value = last_value + 100000 WHERE key = %s", (key,))
    admin = secure_db.session("admin")
    with admin.db.unit_of_work(write=True) as s:
        assert next_code(s, "C", day) == f"{key}{start + 1}"
        s.commit()

def test_nobody_plants_ticket_numbers(secure_db, office):
    su = secure_db.superuser()
    key, last = su.execute("SELECT key, last_value FROM code_sequences WHERE key LIKE 'T%'").fetchone()
    ticket = su.execute("SELECT customer_id, submitter_id, feedback_type, description, status FROM tickets").fetchone()
    with secure_db.connect("sales1") as conn, pytest.raises(DENIED, match="not handed out"):
        conn.execute("INSERT INTO tickets (number, customer_id, submitter_id, feedback_type, description, status, "
                     "version, created_at, updated_at, is_active) VALUES (%s, %s, %s, %s, %s, %s, 1, now(), now(), "
                     "true)", (f"{key}{last + 1:03d}", *ticket))
    with secure_db.connect("eng1") as conn, pytest.raises(DENIED):
        conn.execute("UPDATE tickets SET number = %s", (f"{key}{last + 1:03d}",))


# --- values of hidden rows through the planner or a function of his own -------------------------

def test_the_planners_statistics_show_no_value_of_a_protected_table_or_column(secure_db, office):
    secure_db.superuser().execute("ANALYZE")
    for login in ("sales1", "eng1"):
        with secure_db.connect(login) as conn:
            shown = {(r[0], r[1]) for r in conn.execute(
                "SELECT tablename, attname FROM pg_stats WHERE schemaname = 'public' AND tablename IN "
                "('customers', 'contacts', 'customer_search_grams', 'audit_log', 'users')")}
            assert conn.execute("SELECT count(*) FROM pg_stats_ext").fetchone()[0] == 0
        assert {t for t, _ in shown} <= {"audit_log", "users"}, login  # row-level security: none at all
        assert ("audit_log", "after") not in shown and ("users", "password_hash") not in shown


def test_a_function_of_his_own_in_a_query_sees_only_rows_he_may_see(secure_db, office):
    """A temporary function that reports every value it is given runs after the policy's filter."""
    seen: list[str] = []
    # Logins have no TEMPORARY (test_no_login_creates_a_temporary_object): a server where it was granted by hand.
    secure_db.superuser().execute("DO $$BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO sales1', "
                                  "current_database()); END$$")
    with secure_db.connect("sales1") as conn:
        conn.add_notice_handler(lambda notice: seen.append(notice.message_primary))
        conn.execute("CREATE FUNCTION pg_temp.peek(v text) RETURNS boolean LANGUAGE plpgsql COST 0.0001 AS "
                     "$$BEGIN RAISE NOTICE '%', v; RETURN true; END$$")
        conn.execute("SELECT id FROM customers WHERE pg_temp.peek(name) AND pg_temp.peek(phone)").fetchall()
    assert set(seen) == {office["mine"]["name"], office["mine"]["phone"]}


@pytest.mark.parametrize("statement", [
    "UPDATE app_settings SET value = '{}'",
    "INSERT INTO app_settings (key, value, version, updated_at) VALUES ('smtp', '{}', 1, now())",
    "UPDATE dictionary_entries SET label_zh = 'x'",
    "UPDATE custom_field_definitions SET required = true",
    "UPDATE users SET role = 'admin'",
    "UPDATE users SET login = 'admin2' WHERE login = 'admin'",
    "UPDATE roles SET name_en = 'x'",
    "DELETE FROM login_throttle",
    "UPDATE backup_runs SET ok = true",
])
def test_settings_users_and_reference_tables_are_the_administrators(secure_db, office, statement):
    for login in ("sales1", "svc1", "eng1", "mgr1"):
        with secure_db.connect(login) as conn, pytest.raises(DENIED):
            conn.execute(statement)


# --- a disabled login's open sessions --------------------------------------------------------------

@pytest.mark.parametrize("how", ["deactivate", "delete"])
def test_a_disabled_login_loses_the_sessions_it_has_open(secure_db, office, how):
    """NOLOGIN stops new sign-ins only: an idle session kept the departed user's rights for good."""
    admin = secure_db.session("admin")
    victim = office["users"]["mgr1" if how == "delete" else "sales1"]
    kept = secure_db.connect(victim["login"])
    assert kept.execute("SELECT count(*) FROM customers").fetchone()[0] >= 1
    if how == "deactivate":
        admin.users.deactivate(victim["id"], "离职", version=version_of(admin.users, victim["id"]))
    else:  # a user who never signed in through the program can be deleted, and his login goes
        admin.users.delete(victim["id"], version=version_of(admin.users, victim["id"]))
    with pytest.raises(psycopg.OperationalError):
        kept.execute("SELECT count(*) FROM customers")
    secure_db.connect("sales2").execute("SELECT 1")  # the others' sessions and sign-ins stay


@pytest.mark.parametrize("how", ["deactivate", "delete"])
def test_a_login_cannot_sign_back_in_between_the_end_of_his_sessions_and_the_commit(secure_db, office,
                                                                                     monkeypatch, how):
    """His client signs in again while the administrator's transaction is still open: that session ends too."""
    from crm_core.services import logins

    admin = secure_db.session("admin")
    victim = office["users"]["mgr1" if how == "delete" else "sales1"]
    again: list[psycopg.Connection] = []
    change = logins.set_enabled if how == "deactivate" else logins.drop

    def and_he_signs_in_again(s, login, *args):
        change(s, login, *args)
        again.append(secure_db.connect(login))  # after NOLOGIN / DROP ROLE, before its commit

    monkeypatch.setattr(logins, "set_enabled" if how == "deactivate" else "drop", and_he_signs_in_again)
    if how == "deactivate":
        admin.users.deactivate(victim["id"], "离职", version=version_of(admin.users, victim["id"]))
    else:
        admin.users.delete(victim["id"], version=version_of(admin.users, victim["id"]))
    with pytest.raises(psycopg.OperationalError):
        again[0].execute("SELECT count(*) FROM customers")


@pytest.mark.parametrize("how", ["deactivate", "delete"])
def test_a_deactivation_that_is_rolled_back_ends_no_session(secure_db, office, monkeypatch, how):
    from crm_core.modules.admin import UserService

    admin = secure_db.session("admin")
    victim = office["users"]["mgr1" if how == "delete" else "sales2"]
    kept = secure_db.connect(victim["login"])

    def refused(*args, **kwargs):  # a step after the login's change fails: the whole change rolls back
        raise RuntimeError("refused after the login was changed")

    monkeypatch.setattr(UserService, "_audit", refused)
    with pytest.raises(RuntimeError):
        if how == "deactivate":
            admin.users.deactivate(victim["id"], "离职", version=version_of(admin.users, victim["id"]))
        else:
            admin.users.delete(victim["id"], version=version_of(admin.users, victim["id"]))
    assert kept.execute("SELECT 1").fetchone() == (1,)
    assert secure_db.superuser().execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s",
                                         (victim["login"],)).fetchone() == (True,)


def test_only_a_disabled_crm_login_s_sessions_are_ended_and_never_ones_own(secure_db, office):
    admin = secure_db.connect("admin")
    su = secure_db.superuser()
    oid = dict(su.execute("SELECT rolname, oid FROM pg_roles").fetchall())
    for login, role_oid in (("sales1", oid["sales1"]),  # may still sign in
                            ("admin", oid["admin"]), ("crm_owner", oid["crm_owner"]),
                            ("postgres", oid["postgres"]), ("sales2", oid["sales1"])):
        with pytest.raises((errors.InsufficientPrivilege, errors.InvalidParameterValue, errors.UndefinedObject)):
            admin.execute("SELECT crm_end_sessions(%s, %s)", (login, role_oid))
    with pytest.raises(errors.InsufficientPrivilege):
        secure_db.connect("mgr1").execute("SELECT crm_end_sessions('sales1', %s)", (oid["sales1"],))


def test_applying_again_puts_back_every_login_limit_and_the_taken_functions(secure_db, office):
    """What `crm-admin db upgrade` re-applies (apply_security), after hand edits on the server."""
    su = secure_db.superuser()
    su.execute("ALTER ROLE sales1 RESET ALL")
    su.execute("ALTER ROLE sales1 CONNECTION LIMIT -1")
    su.execute("GRANT EXECUTE ON FUNCTION lo_create(oid), pg_advisory_lock(bigint) TO PUBLIC")
    apply_security(su)
    config, limit = su.execute("SELECT rolconfig, rolconnlimit FROM pg_roles WHERE rolname = 'sales1'").fetchone()
    assert sorted(config) == ["idle_in_transaction_session_timeout=10min", "statement_timeout=5min"]
    assert limit == CONNECTION_LIMIT
    with secure_db.connect("sales1") as conn:
        for call in ("SELECT lo_create(0)", "SELECT pg_advisory_lock(1)"):
            with pytest.raises(DENIED):
                conn.execute(call)


def test_a_login_s_own_settings_do_not_outlast_the_next_upgrade(secure_db, office):
    """docs/security.md, Known limits: a login may drop his own timeouts (PostgreSQL lets a role ALTER ROLE
    himself SET), also for every later session; `crm-admin db upgrade` puts them back. A setting of his role
    in the CRM database wins over the role-wide one: it kept his timeouts off after every upgrade."""
    with secure_db.connect("sales1") as conn:
        conn.execute("SET statement_timeout = 0")  # his connection
        conn.execute("ALTER ROLE sales1 SET idle_in_transaction_session_timeout = 0")  # every later one
        conn.execute(f"ALTER ROLE sales1 IN DATABASE {secure_db.name} SET statement_timeout = 0")
        with pytest.raises(DENIED):  # nobody else's
            conn.execute("ALTER ROLE sales2 SET statement_timeout = 0")
    with secure_db.connect("sales1") as conn:
        assert conn.execute("SHOW statement_timeout").fetchone() == ("0",)
        assert conn.execute("SHOW idle_in_transaction_session_timeout").fetchone() == ("0",)
    apply_security(secure_db.superuser())
    with secure_db.connect("sales1") as conn:
        assert conn.execute("SHOW statement_timeout").fetchone() == ("5min",)
        assert conn.execute("SHOW idle_in_transaction_session_timeout").fetchone() == ("10min",)


def test_putting_the_limits_back_keeps_the_server_administrator_s_own_settings_of_a_login(secure_db, office):
    """Only the limits are put back, on a change of role and by `crm-admin db upgrade`: RESET ALL in the CRM
    database also wiped what a DBA set for the login there on purpose."""
    su = secure_db.superuser()
    su.execute(f"ALTER ROLE sales1 IN DATABASE {secure_db.name} SET work_mem = '64MB'")
    su.execute(f"ALTER ROLE sales1 IN DATABASE {secure_db.name} SET statement_timeout = 0")  # as he may himself
    admin = secure_db.session("admin")
    user = office["users"]["sales1"]
    admin.users.update(user["id"], {"role": "manager"}, version=version_of(admin.users, user["id"]))
    with secure_db.connect("sales1") as conn:
        assert conn.execute("SHOW work_mem").fetchone() == ("64MB",)
        assert conn.execute("SHOW statement_timeout").fetchone() == ("5min",)
    su.execute(f"ALTER ROLE sales1 IN DATABASE {secure_db.name} SET idle_in_transaction_session_timeout = 0")
    apply_security(su)
    with secure_db.connect("sales1") as conn:
        assert conn.execute("SHOW work_mem").fetchone() == ("64MB",)
        assert conn.execute("SHOW idle_in_transaction_session_timeout").fetchone() == ("10min",)


@pytest.mark.parametrize("login", ["svc1", "eng1"])
def test_the_documented_limit_of_a_ticket_s_steps_by_raw_sql(secure_db, office, login):
    """docs/security.md, Known limits: a role that may change tickets sets their status and satisfaction past
    the program's steps (open straight to closed, satisfaction 5, no resolve, no result, no notice queued);
    the audit trail names his login. A role that may not change tickets cannot."""
    su = secure_db.superuser()
    ticket_id = su.execute("SELECT id FROM tickets").fetchone()[0]
    with secure_db.connect(login) as conn:
        row = conn.execute("UPDATE tickets SET status = 'closed', satisfaction = 5, closed_at = now() WHERE id = %s "
                           "RETURNING status, satisfaction, result, resolved_at", (ticket_id,)).fetchone()
    assert row == ("closed", 5, None, None)
    assert su.execute("SELECT actor FROM audit_trail WHERE table_name = 'tickets' AND row_id = %s AND op = 'UPDATE'",
                      (ticket_id,)).fetchall() == [(login,)]
    assert su.execute("SELECT count(*) FROM notifications").fetchone() == (0,)
    with secure_db.connect("sales1") as conn, pytest.raises(DENIED):
        conn.execute("UPDATE tickets SET satisfaction = 1 WHERE id = %s", (ticket_id,))


def test_the_documented_limit_of_a_login_s_own_password_and_its_remedy(secure_db, office):
    """docs/security.md, Known limits: PostgreSQL lets a role set his own password past the program's rules."""
    from crm_core.errors import ValidationError
    from crm_core.passwords import check_policy

    with pytest.raises(ValidationError):
        check_policy("a")  # what the program would refuse
    with secure_db.connect("sales1") as conn:
        conn.execute("ALTER ROLE sales1 PASSWORD 'a'")
        with pytest.raises(DENIED):  # his own only
            conn.execute("ALTER ROLE sales2 PASSWORD 'a'")
    secure_db.connect("sales1", "a").execute("SELECT 1")
    admin = secure_db.session("admin")
    admin.users.set_password(office["users"]["sales1"]["id"], "Neues2passwort")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        secure_db.connect("sales1", "a")
    secure_db.connect("sales1", "Neues2passwort").execute("SELECT 1")


def test_the_documented_limit_of_what_a_login_may_store(secure_db, office):
    """docs/security.md, Known limits: a raw insert is not held to the program's sizes (an attachment of 20 MB at
    most, in the program); PostgreSQL has no quota per login. The audit trail names him."""
    from crm_core.modules.contracts import MAX_ATTACHMENT_BYTES

    admin = secure_db.session("admin")
    contract = admin.contracts.create({"customer_id": office["mine"]["id"], "number": "HT-2026-001",
                                       "title": "软件许可", "amount": "1000.00", "signed_on": dt.date(2026, 1, 5)})
    size = MAX_ATTACHMENT_BYTES + 1024 * 1024
    with secure_db.connect("sales1") as conn:
        row = conn.execute(
            "INSERT INTO contract_attachments (contract_id, filename, content_type, size, sha256, data, uploaded_at) "
            "VALUES (%s, 'big.bin', 'application/octet-stream', 1, repeat('0', 64), "
            "convert_to(repeat('x', %s), 'UTF8'), now()) RETURNING id", (contract["id"], size)).fetchone()[0]
        conn.execute("UPDATE customers SET notes = repeat('备注', 1000000) WHERE id = %s", (office["mine"]["id"],))
    su = secure_db.superuser()
    assert su.execute("SELECT octet_length(data) FROM contract_attachments WHERE id = %s", (row,)).fetchone() == (size,)
    assert su.execute("SELECT actor FROM audit_trail WHERE table_name = 'contract_attachments' AND row_id = %s",
                      (row,)).fetchall() == [("sales1",)]


@pytest.mark.parametrize("taken", ["code", "id"])
def test_an_import_whose_reserved_code_or_id_a_login_took_first_fails_whole_and_shows_who(
        secure_db, office, tmp_path, monkeypatch, taken):
    """docs/security.md, Known limits: an import's reserved ids and codes can be taken first by a raw insert; the
    import then fails with a duplicate key and is undone as a whole, and the administrator finds the row in the
    audit trail under that login. (What the check cannot stop: the values were handed out.)"""
    from crm_core.bulk.writer import BulkWriter
    from crm_core.services.codes import office_today
    from tests.integration.test_import_helpers import CUSTOMER_HEADERS, customer_row, write_csv

    me = office["users"]["sales1"]["id"]
    insider = secure_db.connect("sales1")
    planted: dict[str, object] = {}
    reserve = BulkWriter.reserve

    def reserve_then_taken(self, counts):
        blocks = reserve(self, counts)
        key = "C" + office_today().strftime("%Y%m%d")
        if taken == "code":  # the last code of the import's block
            last = insider.execute("SELECT last_value FROM code_sequences WHERE key = %s", (key,)).fetchone()[0]
            rid, code = None, f"{key}{last:03d}"
        else:  # the last id of the import's block, with a code of his own
            rid = insider.execute("SELECT nextval('customers_id_seq')").fetchone()[0] - 1
            code = key + "%03d" % insider.execute("UPDATE code_sequences SET last_value = last_value + 1 "
                                                  "WHERE key = %s RETURNING last_value", (key,)).fetchone()[0]
        planted["id"] = insider.execute(
            "INSERT INTO customers (id, code, name, category, status, owner_id, search_text, version, created_at, "
            "updated_at, is_active) VALUES (coalesce(%s, nextval('customers_id_seq')), %s, '占位', 'company', "
            "'prospect', %s, '', 1, now(), now(), true) RETURNING id", (rid, code, me)).fetchone()[0]
        return blocks

    monkeypatch.setattr(BulkWriter, "reserve", reserve_then_taken)
    admin = secure_db.session("admin")
    db = secure_db.superuser()
    before = db.execute("SELECT count(*) FROM customers").fetchone()[0]
    path = write_csv(tmp_path / "c.csv", [CUSTOMER_HEADERS] + [customer_row(i) for i in range(60)])
    with pytest.raises(errors.UniqueViolation) as failed:  # the last row's chunk, after five were written
        admin.imports.run("customers", path, admin.imports.auto_mapping("customers", CUSTOMER_HEADERS),
                          chunk_rows=10)
    assert "uq_customers_code" in str(failed.value) or "pk_customers" in str(failed.value), failed.value
    # nothing of the import is left: only his row came in, and the audit trail names his login for it
    assert db.execute("SELECT count(*) FROM customers").fetchone()[0] == before + 1
    assert db.execute("SELECT name FROM customers WHERE id = %s", (planted["id"],)).fetchone() == ("占位",)
    assert db.execute("SELECT actor FROM audit_trail WHERE table_name = 'customers' AND row_id = %s AND op = 'INSERT'",
                      (planted["id"],)).fetchall() == [("sales1",)]
