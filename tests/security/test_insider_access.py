"""Issue 11, findings 3, 5, 8, 9 and the session limits of 12: raw SQL as a CRM user on the scram-only cluster."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors, sql

from crm_core.lists import ListQuery
from crm_core.pgsecurity.scram import scram_verifier

pytestmark = pytest.mark.security

DENIED = (errors.InsufficientPrivilege,)


# --- 3. definer functions and the session's temp schema ---------------------------------------

def _shadow_catalog(conn: psycopg.Connection, victim: str) -> None:
    """Temp tables named like the catalog that make ``victim`` look like a CRM salesman's login."""
    conn.execute("CREATE TEMP TABLE pg_roles (oid oid, rolname name, rolsuper boolean)")
    conn.execute("INSERT INTO pg_roles VALUES (1, %s, false), (2, 'crm_sales', false)", (victim,))
    conn.execute("CREATE TEMP TABLE pg_auth_members (member oid, roleid oid)")
    conn.execute("INSERT INTO pg_auth_members VALUES (1, 2)")
    conn.execute("GRANT SELECT ON pg_temp.pg_roles, pg_temp.pg_auth_members TO PUBLIC")  # the functions' owner reads them


def test_temp_tables_named_like_the_catalog_do_not_fool_the_account_functions(secure_db):
    su = secure_db.superuser()
    su.execute("CREATE ROLE otherapp LOGIN PASSWORD 'other-app-secret'")  # another application's login
    before = su.execute("SELECT rolpassword FROM pg_authid WHERE rolname = 'otherapp'").fetchone()[0]
    # Logins have no TEMPORARY (test_insider_server.py): the functions must hold on a server where it was granted by hand.
    su.execute("DO $$BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO admin', current_database()); END$$")
    admin = secure_db.connect("admin")
    _shadow_catalog(admin, "otherapp")
    for call, args in (("crm_set_password(%s, %s)", ("otherapp", scram_verifier("pwned"))),
                       ("crm_set_role(%s, %s)", ("otherapp", "crm_admin")),
                       ("crm_set_login_enabled(%s, %s)", ("otherapp", False)),
                       ("crm_drop_login(%s)", ("otherapp",))):
        with pytest.raises(errors.UndefinedObject, match="no CRM login"):
            admin.execute("SELECT public." + call, args)
    after = su.execute("SELECT rolpassword, rolcanlogin, pg_has_role('otherapp', 'crm_admin', 'MEMBER') "
                       "FROM pg_authid WHERE rolname = 'otherapp'").fetchone()
    assert after == (before, True, False)


def test_every_function_of_the_crm_runs_with_the_temp_schema_last(secure_db):
    rows = secure_db.superuser().execute(
        "SELECT p.proname, p.proconfig FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace "
        "AND pg_get_userbyid(p.proowner) = 'crm_owner'").fetchall()
    assert len(rows) > 20
    for name, config in rows:
        assert config == ["search_path=pg_catalog, pg_temp"], name


def test_every_function_of_the_crm_names_the_crm_s_tables_with_their_schema(secure_db):
    """docs/security.md: with pg_temp in the path (last), a table named without its schema would be looked up in
    the session's temporary schema once not found in pg_catalog: a user's own table in place of the CRM's."""
    import re

    su = secure_db.superuser()
    relations = {r[0] for r in su.execute("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                                          "AND relkind IN ('r', 'v', 'm', 'S', 'p')")}
    unqualified = []
    for name, source in su.execute("SELECT p.proname, p.prosrc FROM pg_proc p WHERE p.pronamespace = "
                                   "'public'::regnamespace AND pg_get_userbyid(p.proowner) = 'crm_owner'"):
        source = re.sub(r"RAISE EXCEPTION\s+'(?:[^']|'')*'", "", source)  # messages name tables in prose
        for found in re.finditer(r"(?i)\b(?:from|join|into|update|table|only)\s+(\w+)\b(?![.\w])", source):
            if found.group(1) in relations:
                unqualified.append((name, found.group(0)))
    assert unqualified == []


# --- 5. custom field values follow their module's rights ---------------------------------------

@pytest.fixture
def custom_values(secure_db):
    for who, role in (("eng1", "engineer"), ("svc1", "service")):
        secure_db.add_user(who, role)
    admin = secure_db.session("admin")
    customer = admin.customers.create({"name": "北京星辰软件有限公司"})
    contact = admin.contacts.create({"customer_id": customer["id"], "name": "张三丰"})
    su = secure_db.superuser()
    for module, record in (("customers", customer["id"]), ("contacts", contact["id"])):
        definition = su.execute(
            "INSERT INTO custom_field_definitions (module, key, label_zh, label_en, field_type, required, is_active, "
            "sort_order, version, created_at, updated_at) VALUES (%s, 'erp', 'ERP', 'ERP', 'text', false, true, 0, 1, "
            "now(), now()) RETURNING id", (module,)).fetchone()[0]
        su.execute("INSERT INTO custom_field_values (definition_id, record_id, value) VALUES (%s, %s, %s)",
                   (definition, record, f"{module}-secret"))
    return {"customer": customer, "contact": contact}


def test_an_engineer_reads_custom_values_only_of_modules_he_reads_and_changes_none(secure_db, custom_values):
    with secure_db.connect("eng1") as eng:
        assert [r[0] for r in eng.execute("SELECT value FROM custom_field_values")] == ["customers-secret"]
        assert eng.execute("UPDATE custom_field_values SET value = 'x'").rowcount == 0
        assert eng.execute("DELETE FROM custom_field_values").rowcount == 0


def test_service_reads_customer_values_but_cannot_delete_them(secure_db, custom_values):
    with secure_db.connect("svc1") as svc:
        assert sorted(r[0] for r in svc.execute("SELECT value FROM custom_field_values")) == \
            ["contacts-secret", "customers-secret"]
        assert svc.execute("DELETE FROM custom_field_values").rowcount == 0
        with pytest.raises(DENIED, match="row-level security"):
            svc.execute("INSERT INTO custom_field_values (definition_id, record_id, value) "
                        "SELECT id, %s, 'x' FROM custom_field_definitions WHERE module = 'customers'",
                        (custom_values["customer"]["id"],))


# --- 8. the search index does not leak contact names ----------------------------------------

def test_an_engineer_finds_no_contact_names_in_the_search_index(secure_db, custom_values):
    with secure_db.connect("eng1") as eng:
        grams = {r[0] for r in eng.execute("SELECT gram FROM customer_search_grams")}
    assert grams and not grams & {"张三", "三丰"}
    engineer = secure_db.session("eng1")
    assert [c["name"] for c in engineer.customers.list(ListQuery(search="星辰")).rows] == ["北京星辰软件有限公司"]
    assert engineer.customers.list(ListQuery(search="三丰")).rows == []
    assert [c["name"] for c in secure_db.session("admin").customers.list(ListQuery(search="三丰")).rows] == \
        ["北京星辰软件有限公司"]  # those who read contacts still find a customer by a contact's name


def test_with_kinds_in_the_index_the_rule_is_by_kind(monkeypatch):
    """The search index with a ``kind`` per entry (crm_core.services.search_index): the rule reads it."""
    from sqlalchemy import Column, Integer, MetaData, String, Table

    from crm_core.pgsecurity import grants, policies

    indexed = Table("customer_search_grams", MetaData(), Column("gram", String(2)), Column("kind", String(1)),
                    Column("customer_id", Integer))
    monkeypatch.setattr(grants, "tables", lambda: {"customer_search_grams": indexed})
    # a name's pairs, its first pair (kind 's') included; no contact names, no phones
    assert policies.gram_rule("engineer") == "kind IN ('n', 's')"
    assert policies.gram_rule("sales") is None  # reads all of it


# --- 9. only real SCRAM verifiers are stored ---------------------------------------------------

GOOD = scram_verifier("Secret#2026", salt=b"0123456789abcdef")


@pytest.mark.parametrize("verifier", [
    "SCRAM-SHA-256$",
    "SCRAM-SHA-256$letmein",
    "SCRAM-SHA-256$4096:c2FsdA==$a:b",
    GOOD.replace("4096:", "1:"),  # too few iterations
    GOOD.replace("$4096:MDEyMzQ1Njc4OWFiY2RlZg==", "$4096:c2FsdA=="),  # 4-byte salt
    GOOD[:-8] + "AAAA",  # a ServerKey that is not 32 bytes
    GOOD.replace(":", "!", 1),
    GOOD + "\n",
])
def test_crm_set_password_takes_nothing_but_a_scram_verifier(secure_db, verifier):
    secure_db.add_user("clerk1", "service")  # login roles are cluster-wide: not the shared "admin"
    su = secure_db.superuser()
    before = su.execute("SELECT rolpassword FROM pg_authid WHERE rolname = 'clerk1'").fetchone()
    with secure_db.connect("admin") as admin:
        with pytest.raises(errors.InvalidParameterValue):
            admin.execute("SELECT crm_set_password('clerk1', %s)", (verifier,))
        assert su.execute("SELECT rolpassword FROM pg_authid WHERE rolname = 'clerk1'").fetchone() == before
        admin.execute("SELECT crm_set_password('clerk1', %s)", (GOOD,))
    assert secure_db.connect("clerk1", "Secret#2026").execute("SELECT session_user").fetchone()[0] == "clerk1"


# --- 12. session limits per CRM login ----------------------------------------------------------

def test_every_crm_login_has_statement_and_idle_transaction_timeouts(secure_db):
    from crm_core.pgsecurity.roles import SESSION_LIMITS

    secure_db.add_user("sales1", "sales")
    for login, role in (("admin", "admin"), ("sales1", "sales")):
        with secure_db.connect(login) as conn:
            shown = {name: conn.execute(sql.SQL("SELECT current_setting({})").format(sql.Literal(name))).fetchone()[0]
                     for name in SESSION_LIMITS[role]}
        assert shown == {"statement_timeout": "5min", "idle_in_transaction_session_timeout": "10min"}


# --- 11. the documented Python API with a database login ---------------------------------------

SCRIPT = """
import sys
from crm_core import Profile, connect
profile = Profile(name="secure", backend="postgresql", auth="database", host=sys.argv[1], port=int(sys.argv[2]),
                  database=sys.argv[3], sslmode="disable")
session = connect(profile, "eng1", sys.argv[4])
rows = session.customers.list().rows
print(rows[0]["name"], rows[0]["phone"])
"""


def test_connect_with_a_database_login_works_in_a_fresh_interpreter(secure_db):
    """Nothing else imported first: the column-hiding hook comes with the connection, not by luck."""
    import os
    import subprocess
    import sys

    from tests.conftest import PASSWORD

    secure_db.add_user("eng1", "engineer")
    secure_db.session("admin").customers.create({"name": "北京星辰软件有限公司", "phone": "13812345678"})
    cluster = secure_db.cluster
    done = subprocess.run([sys.executable, "-c", SCRIPT, cluster.host, str(cluster.port), secure_db.name, PASSWORD],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()}, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["北京星辰软件有限公司", "138****5678"]
