"""Catalog checks on a database set up by init_database: RLS, role attributes, ownership, SCRAM."""

from __future__ import annotations

import pytest

from crm_core.permissions import ROLES
from crm_core.pgsecurity import apply_security
from crm_core.pgsecurity.grants import tables
from crm_core.pgsecurity.policies import protected_tables

pytestmark = pytest.mark.security

CRM_LOGINS = """
SELECT r.rolname, r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb, r.rolpassword
FROM pg_authid r WHERE r.rolcanlogin AND EXISTS (
  SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
  WHERE m.member = r.oid AND g.rolname LIKE 'crm\\_%')
"""


def test_every_protected_table_has_forced_row_level_security(secure_db):
    with secure_db.superuser() as su:
        flags = {r[0]: (r[1], r[2]) for r in su.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")}
    for table in protected_tables():
        assert flags[table] == (True, True), table


def test_every_table_with_a_customer_id_has_policies_for_every_role_that_reads_it(secure_db):
    """A customer-scoped table added later without a policy is caught here (from the metadata, not a list)."""
    with_customer = sorted(name for name, t in tables().items() if "customer_id" in t.columns)
    assert "contacts" in with_customer
    with secure_db.superuser() as su:
        policies = {(r[0], r[1]) for r in su.execute(
            "SELECT tablename, policyname FROM pg_policies WHERE schemaname = 'public'")}
        readers = {(r[0], r[1]) for r in su.execute(
            "SELECT table_name, grantee FROM information_schema.column_privileges "
            "WHERE privilege_type = 'SELECT' AND grantee LIKE 'crm\\_%' AND grantee <> 'crm_backup'")}
        flags = dict(su.execute("SELECT relname, relforcerowsecurity FROM pg_class "
                                "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'").fetchall())
    for table in with_customer + ["customers"]:
        assert flags[table], f"{table}: row-level security is not forced"
        for t, role in readers:
            if t == table:
                assert (table, role) in policies, f"{table}: no policy for {role}"


def test_no_crm_login_is_privileged_or_owns_anything(secure_db):
    secure_db.add_user("sales1", "sales")
    with secure_db.superuser() as su:
        logins = su.execute(CRM_LOGINS).fetchall()
        owners = {r[0] for r in su.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "UNION SELECT DISTINCT pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = 'public'::regnamespace")}
        db_owner = su.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")
        db_owner = db_owner.fetchone()[0]
    assert {r[0] for r in logins} >= {"admin", "sales1"}
    for name, superuser, bypass, createrole, createdb, password in logins:
        assert not (superuser or bypass or createrole or createdb), name
        assert password.startswith("SCRAM-SHA-256$"), name
        assert name not in owners
    assert db_owner == "crm_owner"
    assert owners <= {"crm_owner", "postgres"}  # postgres: the pg_trgm functions only


def test_the_fixed_roles_have_the_declared_attributes(secure_db):
    with secure_db.superuser() as su:
        roles = {r[0]: r[1:] for r in su.execute(
            "SELECT rolname, rolcanlogin, rolsuper, rolbypassrls, rolcreaterole FROM pg_roles "
            "WHERE rolname LIKE 'crm\\_%'")}
    assert set(roles) == {"crm_owner", "crm_backup", *(f"crm_{c}" for c in ROLES)}
    assert roles["crm_owner"] == (False, False, False, True)
    assert roles["crm_backup"] == (False, False, True, False)
    for code in ROLES:
        assert roles[f"crm_{code}"] == (False, False, False, False)


def test_public_gets_nothing(secure_db):
    with secure_db.superuser() as su:
        public_grants = su.execute("SELECT table_name, privilege_type FROM information_schema.role_table_grants "
                                   "WHERE grantee = 'PUBLIC' AND table_schema = 'public'").fetchall()
        connect = su.execute("SELECT has_database_privilege('public', current_database(), 'CONNECT')")
    assert public_grants == []
    assert connect.fetchone()[0] is False


def test_applying_again_changes_nothing_and_repairs_drift(secure_db):
    def snapshot(conn):
        return (conn.execute("SELECT tablename, policyname, qual, with_check FROM pg_policies ORDER BY 1, 2").fetchall(),
                conn.execute("SELECT table_name, grantee, privilege_type FROM information_schema.role_table_grants "
                             "WHERE table_schema = 'public' ORDER BY 1, 2, 3").fetchall())
    with secure_db.superuser() as su:
        before = snapshot(su)
        su.execute("GRANT SELECT ON backup_runs TO crm_sales")
        su.execute("DROP POLICY crm_sales ON contacts")
        apply_security(su)
        assert snapshot(su) == before
