"""Account management through the SECURITY DEFINER functions, on the scram-only cluster.

Users are PostgreSQL login roles; the admin manages them through the user
service (database auth), which calls crm_create_login & co. with SCRAM
verifiers only. Nobody else can call those functions, hostile names do no harm,
and no password reaches the server log.
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors, sql

from crm_core.errors import AuthenticationFailed, ValidationError
from crm_core.pgsecurity.scram import scram_verifier
from tests.conftest import PASSWORD
from tests.helpers import version_of

pytestmark = pytest.mark.security

NEW_PASSWORD = "Another-pass-987"


def _user(login: str, role: str = "sales", password: str = PASSWORD) -> dict:
    return {"login": login, "name": f"用户{login}", "role": role, "phone": "13912345678", "password": password}


def _groups(superuser: psycopg.Connection, login: str) -> set[str]:
    return {r[0] for r in superuser.execute(
        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = %s", (login,))}


def _cannot_sign_in(secure_db, login: str, password: str) -> None:
    with pytest.raises(AuthenticationFailed):
        secure_db.session(login, password)


def test_a_verifier_computed_here_is_a_working_password(secure_db) -> None:
    su = secure_db.superuser()
    su.execute(sql.SQL("CREATE ROLE scram_probe LOGIN IN ROLE crm_engineer PASSWORD {}").format(sql.Literal(scram_verifier("Probe-pass-1"))))
    secure_db.connect("scram_probe", "Probe-pass-1").execute("SELECT 1")
    with pytest.raises(psycopg.OperationalError):
        secure_db.connect("scram_probe", "probe-pass-1")
    stored = su.execute("SELECT rolpassword FROM pg_authid WHERE rolname = 'scram_probe'").fetchone()[0]
    assert stored.startswith("SCRAM-SHA-256$4096:")


def test_admin_manages_a_user_through_the_services(secure_db) -> None:
    admin = secure_db.session("admin")
    su = secure_db.superuser()
    user = admin.users.create(_user("Li.Wei"))
    assert _groups(su, "li.wei") == {"crm_sales"}
    assert su.execute("SELECT password_hash FROM users WHERE id = %s", (user["id"],)).fetchone()[0] is None
    with secure_db.session("li.wei") as own:
        assert own.actor.role == "sales"
    assert admin.users.get(user["id"])["last_login_at"] is not None  # crm_touch_login

    user = admin.users.update(user["id"], {"role": "service"}, version=user["version"])
    assert _groups(su, "li.wei") == {"crm_service"}

    admin.users.set_password(user["id"], NEW_PASSWORD)
    _cannot_sign_in(secure_db, "li.wei", PASSWORD)
    secure_db.session("li.wei", NEW_PASSWORD).close()

    admin.users.deactivate(user["id"], "离职", version=version_of(admin.users, user["id"]))
    _cannot_sign_in(secure_db, "li.wei", NEW_PASSWORD)
    with pytest.raises(psycopg.OperationalError):  # not even with raw psycopg: the role cannot log in
        secure_db.connect("li.wei", NEW_PASSWORD)
    admin.users.reactivate(user["id"], version=version_of(admin.users, user["id"]))
    secure_db.session("li.wei", NEW_PASSWORD).close()

    # A user who never signed in can be deleted (one who did is "in use"): his login goes with him.
    temp = admin.users.create(_user("temp1"))
    assert su.execute("SELECT 1 FROM pg_roles WHERE rolname = 'temp1'").fetchone()
    admin.users.delete(temp["id"], version=temp["version"])
    assert not su.execute("SELECT 1 FROM pg_roles WHERE rolname = 'temp1'").fetchone()


def test_a_user_changes_his_own_password(secure_db) -> None:
    secure_db.add_user("zhang", "engineer")
    session = secure_db.session("zhang")
    with pytest.raises(ValidationError) as info:
        session.change_password("not-my-password1", NEW_PASSWORD)
    assert info.value.for_field("old_password")
    session.change_password(PASSWORD, NEW_PASSWORD)
    _cannot_sign_in(secure_db, "zhang", PASSWORD)
    secure_db.session("zhang", NEW_PASSWORD).close()


@pytest.mark.parametrize("login", ["crm_x", "pg_x", "CRM_admin"])
def test_reserved_login_names_are_refused_on_the_login_field(secure_db, login: str) -> None:
    admin = secure_db.session("admin")
    with pytest.raises(ValidationError) as info:
        admin.users.create(_user(login))
    assert [e.code for e in info.value.errors if e.field == "login"] == ["reserved"]
    assert "crm_" in info.value.errors[0].message.zh and "crm_" in info.value.errors[0].message.en
    assert not secure_db.superuser().execute("SELECT 1 FROM users WHERE lower(login) = lower(%s)", (login,)).fetchone()


HOSTILE = ["a'b", 'x"; drop table customers; --', "robert'); --", "O'Brien"]


def _state(su: psycopg.Connection) -> tuple:
    roles = {r[0] for r in su.execute("SELECT rolname FROM pg_roles")}
    tables = {r[0] for r in su.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    return roles, tables, su.execute("SELECT count(*) FROM users").fetchone()[0]


@pytest.mark.parametrize("login", HOSTILE)
def test_hostile_login_names_do_no_harm(secure_db, login: str) -> None:
    su, admin_raw = secure_db.superuser(), secure_db.connect("admin")
    roles, tables, users = _state(su)
    # Through the service: refused with a message on the login field; nothing written.
    with pytest.raises(ValidationError) as info:
        secure_db.session("admin").users.create(_user(login))
    assert info.value.for_field("login")
    # Through the function itself: refused cleanly (no CRM user, or not lower case) ...
    with pytest.raises((errors.UndefinedObject, errors.InvalidParameterValue)):
        admin_raw.execute("SELECT crm_create_login(%s, %s, 'crm_sales')", (login, scram_verifier(PASSWORD)))
    assert _state(su) == (roles, tables, users)
    # ... or, for a CRM user of exactly that name, a working login of exactly that name.
    name = login.lower()
    su.execute("INSERT INTO users (login, name, role, phone, is_active, version, created_at, updated_at) "
               "VALUES (%s, 'x', 'sales', '13900000000', true, 1, now(), now())", (name,))
    admin_raw.execute("SELECT crm_create_login(%s, %s, 'crm_sales')", (name, scram_verifier(PASSWORD)))
    assert _state(su) == (roles | {name}, tables, users + 1)
    assert secure_db.connect(name).execute("SELECT session_user").fetchone()[0] == name
    assert _groups(su, name) == {"crm_sales"}


@pytest.mark.parametrize("call, args", [
    ("crm_create_login(%s, %s, %s)", ("newbie", "SCRAM-SHA-256$4096:x$y:z", "crm_admin")),
    ("crm_set_role(%s, %s)", ("sales1", "crm_admin")),
    ("crm_set_login_enabled(%s, %s)", ("admin", False)),
    ("crm_drop_login(%s)", ("admin",)),
    ("crm_set_password(%s, %s)", ("admin", "SCRAM-SHA-256$4096:x$y:z")),
])
def test_a_sales_user_cannot_manage_accounts(secure_db, call: str, args: tuple) -> None:
    secure_db.add_user("sales1", "sales")
    conn = secure_db.connect("sales1")
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute(f"SELECT {call}", args)
    assert _groups(secure_db.superuser(), "sales1") == {"crm_sales"}
    secure_db.connect("admin").execute("SELECT 1")  # the admin's login and password are untouched


def test_the_admin_functions_touch_only_crm_logins(secure_db) -> None:
    admin_raw = secure_db.connect("admin")
    for call, args in [("crm_set_password(%s, %s)", ("postgres", scram_verifier("x"))),
                       ("crm_set_role(%s, %s)", ("admin", "crm_owner")),
                       ("crm_set_role(%s, %s)", ("admin", "pg_read_all_data")),
                       ("crm_drop_login(%s)", ("crm_owner",)),
                       ("crm_create_login(%s, %s, %s)", ("admin2", "clear-password", "crm_sales"))]:
        with pytest.raises((errors.InvalidParameterValue, errors.UndefinedObject)):
            admin_raw.execute(f"SELECT {call}", args)
    assert _groups(secure_db.superuser(), "admin") == {"crm_admin"}


def test_no_password_reaches_the_server_log(secure_db, secure_cluster) -> None:
    su = secure_db.superuser()
    su.execute("ALTER SYSTEM SET log_statement = 'all'")
    su.execute("SELECT pg_reload_conf()")
    try:
        secret = "Log-Probe-Secret-4711"
        admin = secure_db.session("admin")
        user = admin.users.create(_user("logged", password=secret))
        admin.users.set_password(user["id"], secret + "b")
        secure_db.session("logged", secret + "b").change_password(secret + "b", secret + "c")
        su.execute("SELECT pg_sleep(0.2)")  # the log is written by the backends themselves; this flushes nothing
    finally:
        su.execute("ALTER SYSTEM RESET log_statement")
        su.execute("SELECT pg_reload_conf()")
    log = (secure_cluster.root / "server.log").read_text(encoding="utf-8", errors="replace")
    assert "crm_create_login" in log  # statements were logged ...
    assert secret not in log  # ... but no password in them


DEFINERS = {"crm_create_login", "crm_set_password", "crm_set_role", "crm_set_login_enabled", "crm_drop_login",
            "crm_touch_login", "crm_masked", "crm_audit_trail", "crm_require_admin", "crm_require_crm_login"}


def test_definer_functions_are_owned_fenced_and_not_public(secure_db) -> None:
    rows = secure_db.superuser().execute(
        "SELECT p.proname, p.prosecdef, pg_get_userbyid(p.proowner), p.proconfig, "
        "has_function_privilege('public', p.oid, 'EXECUTE') FROM pg_proc p "
        "WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef").fetchall()
    assert {r[0] for r in rows} >= DEFINERS
    for name, _, owner, config, public_may in rows:
        assert owner == "crm_owner", name
        assert "search_path=pg_catalog, pg_temp" in (config or []), name
        assert not public_may, name


def test_the_server_setup_never_writes_a_password_hash(secure_db) -> None:
    """crm-admin's add_user (db init's first administrator, the setup's users): his password is his login's.
    The hash used to be committed, then cleared in a second transaction: in the WAL either way, and in the
    table (so in every backup) if the second never ran. A trigger of the test's notes every value written."""
    su = secure_db.superuser()
    su.execute("CREATE TABLE hashes_seen (login text, hash text)")
    su.execute("CREATE FUNCTION note_hash() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN "
               "INSERT INTO hashes_seen VALUES (NEW.login, NEW.password_hash); RETURN NEW; END$$")
    su.execute("CREATE TRIGGER note_hash AFTER INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION note_hash()")
    secure_db.add_user("boss2", "admin")
    su.execute("DROP TRIGGER note_hash ON users")
    seen = su.execute("SELECT login, hash FROM hashes_seen").fetchall()
    assert seen and all(hash is None for _, hash in seen), seen
    secure_db.session("boss2").close()  # signs in with his login's password


def test_db_upgrade_empties_the_hash_an_earlier_version_left(secure_db) -> None:
    """A server set up before this version kept the first administrator's argon2 hash in users.password_hash
    (so in every nightly backup); docs/security.md says the column holds nothing on a server."""
    from crm_core.db.engine import make_engine
    from crm_core.pgsecurity.setup import upgrade_database

    su = secure_db.superuser()
    su.execute("UPDATE users SET password_hash = '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g' "
               "WHERE login = 'admin'")
    engine = make_engine(secure_db.cluster.url(secure_db.name))
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()
    assert su.execute("SELECT count(*) FROM users WHERE password_hash IS NOT NULL").fetchone() == (0,)
    with secure_db.session("admin") as admin:  # he signs in with his login, as before
        assert admin.actor.login == "admin"
