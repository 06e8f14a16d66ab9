"""Fixtures of the security tests: a private scram-only cluster and CRM databases set up on it.

``secure_cluster`` (session): the running cluster (see :mod:`tests.security.cluster`);
    its superuser is ``postgres`` with ``cluster.password``.
``secure_db`` (per test): a fresh CRM database made by
    :func:`crm_core.pgsecurity.init_database` (through a session-wide template
    copy) with the first admin ``admin`` / ``tests.conftest.PASSWORD``. Helpers:
    ``secure_db.connect(login, password)`` -> raw psycopg connection (autocommit);
    ``secure_db.superuser()`` -> raw psycopg connection as the cluster superuser;
    ``secure_db.session(login, password)`` -> CrmSession, auth="database";
    ``secure_db.add_user(login, role)`` -> the new user's row (CRM user row and
    login role; password ``PASSWORD`` unless given);
    ``secure_db.profile`` -> the database-auth Profile.
Login roles are cluster-wide: those a test creates are dropped after it.

The cluster is started once per run. A missing PostgreSQL binary skips the
tests on a developer's machine and fails them when ``CI=true``.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest
from psycopg import sql

from crm_core.pgsecurity.apply import run_statements
from crm_core.pgsecurity.roles import database_statements
from tests.conftest import PASSWORD
from tests.security import cluster as cluster_mod
from tests.security.cluster import SecureCluster

TEMPLATE = "crm_sec_template"
FIRST_ADMIN = {"login": "admin", "name": "系统管理员", "phone": "13800000000", "password": PASSWORD}
_counter = itertools.count()
_phones = itertools.count(13700000001)


@pytest.fixture(scope="session")
def secure_cluster() -> Iterator[SecureCluster]:
    """A private PostgreSQL cluster that accepts scram-sha-256 passwords only."""
    try:
        cluster_mod.bindir()
    except cluster_mod.BinaryMissing as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the security tests need PostgreSQL server binaries in CI: {exc}")
        pytest.skip(str(exc))
    running = cluster_mod.start(secrets.token_urlsafe(18))
    yield running
    cluster_mod.stop(running)


@pytest.fixture(scope="session")
def secure_template(secure_cluster: SecureCluster) -> str:
    """One database made by ``init_database``; each test copies it (migrating takes seconds)."""
    from crm_core.pgsecurity import init_database

    init_database(secure_cluster.url("postgres"), TEMPLATE, dict(FIRST_ADMIN))
    return TEMPLATE


def _login_roles(conn: psycopg.Connection) -> set[str]:
    """Every role but PostgreSQL's own (a user a test left disabled has NOLOGIN, and must go too)."""
    return {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%'")}


@dataclass
class SecureDb:
    """One CRM database on the secure cluster, and ways in as its users."""

    cluster: SecureCluster
    name: str
    admin_login: str = FIRST_ADMIN["login"]
    admin_password: str = PASSWORD
    _opened: list[Any] = field(default_factory=list)

    @property
    def profile(self):
        from crm_core.config import Profile

        return Profile(name="secure", backend="postgresql", auth="database", host=self.cluster.host,
                       port=self.cluster.port, database=self.name, sslmode="disable")

    def connect(self, login: str, password: str = PASSWORD, *, autocommit: bool = True) -> psycopg.Connection:
        """Raw psycopg as ``login`` with his own password (what a stolen credential gives)."""
        conn = psycopg.connect(**self.cluster.conninfo(self.name, login, password), autocommit=autocommit)
        self._opened.append(conn)
        return conn

    def superuser(self) -> psycopg.Connection:
        conn = psycopg.connect(**self.cluster.conninfo(self.name), autocommit=True)
        self._opened.append(conn)
        return conn

    def session(self, login: str, password: str = PASSWORD):
        """A CrmSession signed in with the user's own database login."""
        from crm_core.session import connect

        session = connect(self.profile, login, password, upgrade=False)
        self._opened.append(session)
        return session

    def add_user(self, login: str, role: str, password: str = PASSWORD, *, name: str | None = None) -> dict:
        """A CRM user and his login role, made as the setup does (services + crm_create_login)."""
        from crm_core.pgsecurity import add_user

        return add_user(self.cluster.url(self.name), {
            "login": login, "name": name or f"用户{login}", "role": role,
            "phone": str(next(_phones)), "password": password})

    def close(self) -> None:
        for item in reversed(self._opened):
            item.close()
        self._opened.clear()


@pytest.fixture
def secure_db(secure_cluster: SecureCluster, secure_template: str) -> Iterator[SecureDb]:
    """A fresh CRM database (copy of the init_database template) with its first admin."""
    name = f"crm_sec_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(**secure_cluster.conninfo("postgres"), autocommit=True) as conn:
        before = _login_roles(conn)
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER crm_owner").format(
            sql.Identifier(name), sql.Identifier(secure_template)))
    database = SecureDb(secure_cluster, name)
    with database.superuser() as conn:  # a copy does not inherit the template's database-level ACL
        run_statements(conn, database_statements())
    yield database
    database.close()
    with psycopg.connect(**secure_cluster.conninfo("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        for role in sorted(_login_roles(conn) - before):
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
