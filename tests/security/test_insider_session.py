"""What a login's own session can set or become, tried with raw psycopg: settings that would switch off
triggers or row-level security, settings the rules might trust, other roles, other sessions, the logs.

docs/security.md promises triggers record every change, row-level security is forced, and no user can
change the rules; here each is tried through the session itself rather than through a table.
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors

from crm_core.permissions import ROLES

pytestmark = pytest.mark.security

DENIED = (errors.InsufficientPrivilege,)
LOGINS = (("sales1", "sales"), ("sales2", "sales"), ("eng1", "engineer"), ("mgr1", "manager"))


@pytest.fixture
def office(secure_db):
    users = {who: secure_db.add_user(who, role) for who, role in LOGINS}
    admin = secure_db.session("admin")
    mine = admin.customers.create({"name": "北京星辰软件有限公司", "phone": "13812345678",
                                   "owner_id": users["sales1"]["id"]})
    theirs = admin.customers.create({"name": "深圳前海客户有限公司", "owner_id": users["sales2"]["id"]})
    return {"users": users, "mine": mine, "theirs": theirs}


@pytest.mark.parametrize("statement", [
    "SET session_replication_role = replica",  # triggers off: no audit trail, no actor stamps
    "SET LOCAL session_replication_role = replica",
    "ALTER ROLE {login} SET session_replication_role = replica",
    "SELECT set_config('session_replication_role', 'replica', false)",
    "SET SESSION AUTHORIZATION admin",  # another user's session_user, which every rule trusts
    "SET ROLE admin",
    "SET ROLE crm_admin",
    "SET ROLE crm_owner",
    "ALTER TABLE customers DISABLE TRIGGER crm_audit_trail",
    "ALTER TABLE customers DISABLE TRIGGER ALL",
    "ALTER ROLE {login} BYPASSRLS",
    "ALTER ROLE {login} CREATEROLE",
    "SET log_statement = 'none'",
    "SET log_min_messages = 'panic'",
])
@pytest.mark.parametrize("login", ["sales1", "mgr1"])
def test_a_session_cannot_switch_off_the_triggers_or_become_someone_else(secure_db, office, login, statement):
    with secure_db.connect(login, autocommit=False) as conn, pytest.raises(DENIED):
        conn.execute(statement.format(login=login))


def test_row_security_off_is_a_refusal_not_a_way_past_the_policies(secure_db, office):
    with secure_db.connect("sales1") as conn:
        conn.execute("SET row_security = off")
        with pytest.raises(DENIED, match="row-level security"):
            conn.execute("SELECT name FROM customers")
        with pytest.raises(DENIED, match="row-level security"):
            conn.execute("UPDATE customers SET notes = 'x'")


def test_the_audit_trail_records_a_raw_change_whatever_the_session_set(secure_db, office):
    with secure_db.connect("sales1") as conn:
        for statement in ("SET search_path = pg_catalog", "SET application_name = 'admin'",
                          "SET crm.login = 'admin'", "SET crm.actor_id = '1'"):
            conn.execute(statement)
        conn.execute("UPDATE public.customers SET notes = '已拜访' WHERE id = %s", (office["mine"]["id"],))
    rows = secure_db.superuser().execute(
        "SELECT actor FROM audit_trail WHERE table_name = 'customers' AND row_id = %s AND op = 'UPDATE'",
        (office["mine"]["id"],)).fetchall()
    assert rows == [("sales1",)]


def test_no_rule_of_the_crm_reads_a_setting_a_session_can_set(secure_db):
    """A policy or trigger trusting current_setting('crm.…') would be the session's to decide."""
    su = secure_db.superuser()
    functions = su.execute(
        "SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace "
        "AND pg_get_userbyid(p.proowner) = 'crm_owner' AND p.prosrc ~* '(current_setting|set_config|current_user|"
        "current_role|application_name|inet_client_addr)'").fetchall()
    policies = su.execute(
        "SELECT tablename, policyname FROM pg_policies WHERE schemaname = 'public' AND "
        "concat(qual, ' ', with_check) ~* '(current_setting|current_user|current_role)'").fetchall()
    assert functions == [] and policies == []
    assert su.execute("SELECT count(*) FROM pg_policies WHERE schemaname = 'public'").fetchone()[0] > 20


def test_membership_of_a_group_role_carries_no_admin_option_and_no_other_role(secure_db, office):
    su = secure_db.superuser()
    grants = su.execute(
        "SELECT m.rolname, g.rolname, a.admin_option FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member "
        "JOIN pg_roles g ON g.oid = a.roleid WHERE m.rolcanlogin AND NOT m.rolsuper ORDER BY 1").fetchall()
    groups = {f"crm_{code}" for code in ROLES}
    assert {(login, group, admin) for login, group, admin in grants} == {
        (login, f"crm_{role}", False) for login, role in (*LOGINS, ("admin", "admin"))}
    assert {group for _, group, _ in grants} <= groups
    with secure_db.connect("sales1") as conn:
        for statement in ("GRANT crm_sales TO eng1", "REVOKE crm_sales FROM sales2", "SET ROLE sales2",
                          "SET ROLE crm_engineer", "GRANT sales1 TO sales2"):
            with pytest.raises(DENIED):
                conn.execute(statement)


def test_a_login_cannot_end_or_cancel_another_login_s_session(secure_db, office):
    other = secure_db.connect("sales2")
    pid = other.execute("SELECT pg_backend_pid()").fetchone()[0]
    with secure_db.connect("sales1") as conn:
        for call in ("SELECT pg_cancel_backend(%s)", "SELECT pg_terminate_backend(%s)"):
            with pytest.raises(DENIED):
                conn.execute(call, (pid,))
    assert other.execute("SELECT 1").fetchone() == (1,)


def test_a_login_reads_the_last_value_only_of_the_sequences_he_draws_from(secure_db, office):
    """Not the audit trail's nor the users' (no USAGE at all). docs/security.md, Known limits: those of the
    tables he inserts into he may read (USAGE lets him draw from them anyway), so how many rows they had."""
    with secure_db.connect("sales1") as conn:
        for call in ("SELECT pg_sequence_last_value('audit_trail_id_seq')", "SELECT last_value FROM audit_trail_id_seq",
                     "SELECT pg_sequence_last_value('users_id_seq')", "SELECT currval('audit_trail_id_seq')",
                     "SELECT last_value FROM customers_id_seq"):
            with pytest.raises(DENIED):
                conn.execute(call)
        shown = dict(conn.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' "
                                  "AND last_value IS NOT NULL").fetchall())
        usable = {r[0] for r in conn.execute(
            "SELECT c.relname FROM (SELECT oid, relname FROM pg_class WHERE relkind = 'S' "
            "AND relnamespace = 'public'::regnamespace OFFSET 0) c WHERE has_sequence_privilege(c.oid, 'USAGE')")}
    assert set(shown) <= usable and "audit_trail_id_seq" not in usable and "users_id_seq" not in usable
    assert shown["customers_id_seq"] == office["theirs"]["id"]  # the documented limit


def test_no_function_of_the_crm_is_callable_by_public(secure_db):
    """Each is granted to the roles that call it (or to nobody: triggers and the owner's helpers)."""
    callable_by_public = secure_db.superuser().execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace "
        "AND pg_get_userbyid(p.proowner) = 'crm_owner' AND has_function_privilege('public', p.oid, 'EXECUTE') "
        "ORDER BY 1").fetchall()
    assert callable_by_public == []


@pytest.mark.parametrize("statement", ["DELETE FROM audit_log", "DELETE FROM erasure_log", "TRUNCATE audit_log",
                                       "TRUNCATE erasure_log"])
@pytest.mark.parametrize("login", ["admin", "mgr1", "sales1"])
def test_nobody_deletes_an_entry_of_the_operation_log_not_even_an_administrator(secure_db, office, login, statement):
    """docs/security.md: entries cannot be deleted. The administrator's every right on the operation-log module
    had granted his role DELETE on it (nothing in the program deletes an entry)."""
    with secure_db.connect(login, autocommit=False) as conn, pytest.raises(DENIED):
        conn.execute(statement)
    assert secure_db.superuser().execute("SELECT count(*) FROM audit_log").fetchone()[0] > 0


def test_no_transaction_of_a_login_outlives_his_session(secure_db, office):
    """A prepared transaction keeps its row and table locks after its session ends, past every timeout and
    pg_terminate_backend: with the server's default (max_prepared_transactions = 0, docs step 2) there is none."""
    with secure_db.connect("sales1", autocommit=False) as conn:
        conn.execute("SELECT id FROM customers WHERE id = %s FOR UPDATE", (office["mine"]["id"],))
        with pytest.raises(errors.ObjectNotInPrerequisiteState, match="prepared transactions are disabled"):
            conn.execute("PREPARE TRANSACTION 'held'")
    assert secure_db.superuser().execute("SELECT count(*) FROM pg_prepared_xacts").fetchone() == (0,)


@pytest.mark.parametrize("statement", [
    "COPY customers (name) TO PROGRAM 'cat > /tmp/crm-insider-copy'",
    "COPY customers (name) TO '/tmp/crm-insider-copy'",
    "COPY customers (name) FROM '/etc/hostname'",
    "SELECT pg_read_file('postgresql.conf')",
    "SELECT pg_read_binary_file('/etc/passwd')",
    "SELECT * FROM pg_ls_dir('.')",
    "SELECT pg_reload_conf()",
    "SELECT pg_rotate_logfile()",
    "CREATE EXTENSION dblink",
    "LOAD 'auto_explain'",
])
def test_a_login_reaches_no_file_or_program_of_the_server(secure_db, office, statement):
    with secure_db.connect("admin", autocommit=False) as conn, pytest.raises(DENIED):
        conn.execute(statement)


@pytest.mark.parametrize("statement", [
    "COMMENT ON TABLE customers IS '已废弃，请勿使用'",
    "COMMENT ON COLUMN customers.phone IS 'x'",
    "COMMENT ON POLICY crm_sales ON customers IS 'x'",
    "COMMENT ON FUNCTION crm_me() IS 'x'",
    "CREATE INDEX mine ON customers (name)",
    "REINDEX TABLE customers",
    "CLUSTER customers USING pk_customers",
    "ALTER TABLE customers SET (autovacuum_enabled = false)",
    "CREATE POLICY mine ON customers FOR SELECT TO crm_sales USING (true)",
    "CREATE TRIGGER mine BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION crm_actors_customers()",
    "CREATE RULE mine AS ON INSERT TO customers DO INSTEAD NOTHING",
    "ALTER DEFAULT PRIVILEGES FOR ROLE crm_owner GRANT SELECT ON TABLES TO PUBLIC",
    "ALTER FUNCTION crm_me() SECURITY DEFINER",
    "CREATE OR REPLACE FUNCTION public.crm_me() RETURNS integer LANGUAGE sql AS 'SELECT 1'",
])
@pytest.mark.parametrize("login", ["sales1", "admin"])
def test_what_only_the_owner_of_the_crm_s_objects_may_do(secure_db, office, login, statement):
    with secure_db.connect(login, autocommit=False) as conn, pytest.raises(DENIED):
        conn.execute(statement)


@pytest.mark.parametrize("login", ["sales1", "admin"])
def test_a_login_passes_on_none_of_his_rights(secure_db, office, login):
    """GRANT without the grant option only warns ("no privileges were granted"): nothing changes."""
    with secure_db.connect(login) as conn:
        conn.execute("GRANT SELECT ON customers TO eng1")
        conn.execute("GRANT SELECT (phone) ON customers TO PUBLIC")
    su = secure_db.superuser()
    assert su.execute("SELECT has_column_privilege('eng1', 'customers', 'phone', 'SELECT')").fetchone() == (False,)
    with secure_db.connect("eng1") as conn, pytest.raises(DENIED):
        conn.execute("SELECT phone FROM customers")


def test_switching_to_his_own_group_role_changes_nothing(secure_db, office):
    """PG15: a member may SET ROLE to his group role; the rules follow session_user, which stays his login."""
    with secure_db.connect("sales1") as conn:
        conn.execute("SET ROLE crm_sales")
        assert conn.execute("SELECT session_user, current_user").fetchone() == ("sales1", "crm_sales")
        assert [r[0] for r in conn.execute("SELECT id FROM customers")] == [office["mine"]["id"]]
        conn.execute("UPDATE customers SET notes = '改' WHERE id = %s", (office["mine"]["id"],))
    su = secure_db.superuser()
    assert su.execute("SELECT updated_by_id FROM customers WHERE id = %s",
                      (office["mine"]["id"],)).fetchone() == (office["users"]["sales1"]["id"],)
    assert su.execute("SELECT actor FROM audit_trail WHERE table_name = 'customers' AND op = 'UPDATE' "
                      "AND row_id = %s", (office["mine"]["id"],)).fetchall() == [("sales1",)]


def test_the_crm_has_no_view_that_reads_past_row_level_security(secure_db):
    """A view reads its tables as its owner (crm_owner, whose policy follows session_user) unless it is
    security_invoker; none exists today, and any added must be one."""
    views = secure_db.superuser().execute(
        "SELECT c.relname, c.reloptions FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace "
        "AND c.relkind IN ('v', 'm')").fetchall()
    assert [name for name, options in views if "security_invoker=true" not in (options or [])] == []
