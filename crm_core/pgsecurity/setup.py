"""Setting up a CRM server once (``crm-admin db init``) and adding users with their login roles.

``init_database`` runs as a superuser: it creates the fixed roles, the
database (owned by ``crm_owner``), the schema by the Alembic migrations
(``SET ROLE crm_owner``, so crm_owner owns what they create), the security
statements, and the first administrator: his CRM row and his login role
(a member of ``crm_admin``, SCRAM-SHA-256 password). Nothing here keeps a
password: only the SCRAM verifier reaches the server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import make_url

from crm_core.db import migrate
from crm_core.db.engine import Database, make_engine
from crm_core.errors import ConfigurationError, FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.pgsecurity.apply import apply_security, run_statements
from crm_core.pgsecurity.roles import OWNER, group_role, login_role_name, role_statements
from crm_core.pgsecurity.scram import scram_verifier
from crm_core.services.context import Actor
from crm_core.services.registry import Services

Progress = Callable[[int, int], None]
SETUP_ACTOR = Actor(user_id=None, login="setup", name="setup", role="admin")  # type: ignore[arg-type]
STEPS = 5
# A UTF-8 LC_CTYPE lets pg_trgm index Chinese characters (see README).
UTF8_CTYPES = ("C.UTF-8", "C.utf8", "en_US.UTF-8", "zh_CN.UTF-8")


def _psycopg_url(url: str, database: str | None = None) -> str:
    """A libpq URL (``postgresql://``) from a SQLAlchemy one, optionally for another database."""
    u = make_url(url)
    if database is not None:
        u = u.set(database=database)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlalchemy_url(url: str, database: str | None = None) -> str:
    u = make_url(url)
    if database is not None:
        u = u.set(database=database)
    return u.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def _check_login(login: str) -> str:
    try:
        return login_role_name(login)
    except ValueError:
        raise ValidationError([FieldError("login", "reserved", Text(
            "登录名：不能为空，也不能以 crm_ 或 pg_ 开头（数据库保留）",
            "Login: must not be empty or begin with crm_ or pg_ (reserved by the database)"))]) from None


def create_database(conn: psycopg.Connection, database: str) -> None:
    """CREATE DATABASE owned by crm_owner, UTF8 from template0 (C.UTF-8 character classes where the server has them)."""
    exists = conn.execute("SELECT 1 FROM pg_catalog.pg_database WHERE datname = %s", (database,)).fetchone()
    if exists:
        raise ConfigurationError(Text(f"数据库“{database}”已存在；新建请换一个名称，已有的数据库请用 crm-admin db upgrade。",
                                      f"The database '{database}' already exists; choose another name, "
                                      "or use crm-admin db upgrade for an existing one."))
    base = sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
        sql.Identifier(database), sql.Identifier(OWNER))
    for ctype in UTF8_CTYPES:
        try:
            conn.execute(sql.SQL("{} LC_CTYPE {}").format(base, sql.Literal(ctype)))
            return
        except psycopg.errors.InvalidParameterValue:  # no such locale on this server: try the next
            continue
    raise ConfigurationError(Text(
        f"服务器没有 UTF-8 区域设置（{'、'.join(UTF8_CTYPES)}），中文模糊搜索需要它；请安装 locales 后重试。",
        f"The server has no UTF-8 locale ({', '.join(UTF8_CTYPES)}), which fuzzy search of Chinese text "
        "needs; install one and try again."))


def login_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s", (name,)).fetchone() is not None


def create_login(conn: psycopg.Connection, login: str, password: str, role: str) -> None:
    """The login role of a CRM user through ``crm_create_login`` (only the SCRAM verifier is sent)."""
    conn.execute("SELECT public.crm_create_login(%s, %s, %s)",
                 (_check_login(login), scram_verifier(password), group_role(role)))


def add_user(url: str, values: dict[str, Any]) -> dict[str, Any]:
    """Add a CRM user and his login role, connected as a superuser to the CRM database at ``url``.

    The user row goes through the user service (its checks and audit entry);
    the login role through ``crm_create_login``. Both or neither are made.

    Raises:
        ValidationError: bad values (as for any user), or a reserved/taken login name.
    """
    name = _check_login(values.get("login", ""))
    engine = make_engine(_sqlalchemy_url(url))
    try:
        with engine.begin() as conn:
            raw = conn.connection.dbapi_connection
            if login_exists(raw, name):
                raise ValidationError([FieldError("login", "duplicate", Text(
                    f"登录名：数据库中已有角色“{name}”", f"Login: the server already has a role '{name}'"))])
        # His password is his login role's (only its SCRAM verifier, in pg_authid, which a superuser alone
        # reads): no argon2 hash of it is written to the table, as for users the administrator adds. One
        # written and cleared afterwards stayed in the WAL, and in the table if the clearing never ran;
        # crm_backup reads every column, so it was in the backups, open to guessing.
        user = Services(Database(engine), SETUP_ACTOR).users.create(dict(values), login_keeps_password=True)
        try:
            with psycopg.connect(_psycopg_url(url), autocommit=True) as conn:
                create_login(conn, values["login"], values["password"], values["role"])
        except BaseException:
            with engine.begin() as conn:  # not through the service: it keeps the last admin
                conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": user["id"]})
            raise
        return user
    finally:
        engine.dispose()


def init_database(superuser_url: str, database: str, first_admin: dict[str, Any], *,
                  progress: Progress | None = None) -> dict[str, Any]:
    """Set up a fresh CRM database from a superuser connection; returns the first admin's row.

    Steps: roles; the database; migrations as crm_owner; grants, policies,
    functions and triggers; the first administrator and his login role.

    Raises:
        ConfigurationError: the database already exists.
        ValidationError: the first admin's values (login, password policy, ...).
    """
    report = progress or (lambda done, total: None)
    _check_login(first_admin.get("login", ""))
    with psycopg.connect(_psycopg_url(superuser_url), autocommit=True) as conn:
        run_statements(conn, role_statements())
        report(1, STEPS)
        create_database(conn, database)
    report(2, STEPS)
    engine = make_engine(_sqlalchemy_url(superuser_url, database))
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))  # before SET ROLE: older servers
        migrate.upgrade(engine, role=OWNER)
        report(3, STEPS)
        apply_security(engine)
        report(4, STEPS)
        admin = add_user(_sqlalchemy_url(superuser_url, database), {**first_admin, "role": "admin"})
        report(5, STEPS)
        return admin
    finally:
        engine.dispose()


def upgrade_database(engine) -> None:
    """``crm-admin db upgrade`` of a database-auth server: migrate as crm_owner, then re-apply the security.

    Run as a superuser. The fixed roles and the schema's owner are put right
    first, so the migrations (``SET ROLE crm_owner``) may create in the schema.
    """
    from crm_core.pgsecurity.roles import ownership_statements

    run_statements(engine, [*role_statements(), *ownership_statements()])
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    migrate.upgrade(engine, role=OWNER)
    apply_security(engine)
    with engine.begin() as conn:
        # Every user's password is his login's. A server set up before this version kept the first
        # administrator's argon2 hash in users (and so in every backup): nothing reads it here.
        conn.execute(text("UPDATE users SET password_hash = NULL WHERE password_hash IS NOT NULL"))
