"""All security statements in order, and running them in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import sql

from crm_core.pgsecurity import accounts, audit_trail, bookkeeping, builtins, masking, row_stamps, search_grams
from crm_core.pgsecurity.grants import grant_statements
from crm_core.pgsecurity.policies import policy_statements
from crm_core.pgsecurity.roles import database_statements, ownership_statements, role_statements

Statement = str | sql.Composed


def security_statements() -> list[Statement]:
    """Everything that makes the database enforce the permission declaration, in order (idempotent).

    Roles and ownership first, then a clean revoke-and-grant, row-level
    security, the functions and triggers of the account, audit and bookkeeping work, and
    PostgreSQL's own functions taken from the logins (large objects, advisory locks).
    """
    return [*role_statements(), *ownership_statements(), *database_statements(), *grant_statements(),
            *policy_statements(), *masking.statements(), *accounts.statements(), *audit_trail.statements(),
            *bookkeeping.statements(), *row_stamps.statements(), *search_grams.statements(),
            *builtins.statements()]


def run_statements(conn, statements: Sequence[Statement]) -> None:
    """Run statements on a psycopg connection or a SQLAlchemy connection/engine, in one transaction."""
    from sqlalchemy import Connection, Engine

    if isinstance(conn, Engine):
        with conn.begin() as c:
            _run_raw(c.connection.dbapi_connection, statements)
        return
    if isinstance(conn, Connection):
        _run_raw(conn.connection.dbapi_connection, statements)
        return
    with conn.transaction():
        _run_raw(conn, statements)


def _run_raw(conn, statements: Sequence[Statement]) -> None:
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement if isinstance(statement, sql.Composed) else sql.SQL(statement))


def apply_security(conn) -> None:
    """Run :func:`security_statements` (as a superuser: roles are created and given attributes)."""
    run_statements(conn, security_statements())
