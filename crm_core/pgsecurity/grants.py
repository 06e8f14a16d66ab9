"""Table and column GRANTs per group role, generated from the permission declaration.

:func:`crm_core.permissions_tables.table_privileges` says which privileges a
role has on which table; here they become GRANT statements. SELECT is granted
column by column where the role may not read some columns (sensitivity
classes it does not see, ``users.password_hash``); UPDATE column by column
where a column is not the role's to change (a customer's owner without the
all-customers scope). Whoever inserts, updates or deletes may read the
primary key (``INSERT ... RETURNING id``). Every apply first revokes what the
roles had, so a right taken out of the declaration disappears too.

UPDATE is granted column by column even where every column is writable:
``LOCK TABLE`` in any mode above ROW EXCLUSIVE is allowed by a *table-level*
UPDATE, DELETE or TRUNCATE privilege, and column privileges do not count. So a
role that only updates a table (an engineer his tickets) cannot lock it against
the whole office; one that may delete in it still can (docs/security.md,
"Known limits").
"""

from __future__ import annotations

from psycopg import sql
from sqlalchemy import Table

from crm_core.permissions_tables import hidden_columns, table_privileges, unwritable_columns
from crm_core.pgsecurity.roles import BACKUP, GROUP_ROLES
from crm_core.pgsecurity.row_stamps import CODES

SCHEMA_VERSION_TABLE = "alembic_version"  # read by every client's schema check


def tables() -> dict[str, Table]:
    """The CRM's tables by name (the SQLAlchemy metadata the migrations follow)."""
    from crm_core.db.base import Base
    import crm_core.models  # noqa: F401  (registers every table)

    return dict(Base.metadata.tables)


def _columns(names: list[str]) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(c) for c in names)


def _grant(privilege: str, table: str, role: str, columns: list[str] | None = None) -> sql.Composed:
    what = sql.SQL(privilege) if columns is None else sql.SQL("{} ({})").format(sql.SQL(privilege), _columns(columns))
    return sql.SQL("GRANT {} ON TABLE public.{} TO {}").format(what, sql.Identifier(table), sql.Identifier(role))


def role_grants(code: str) -> list[sql.Composed]:
    """The GRANTs of one group role (``code`` as in permissions.ROLES)."""
    role, metadata, out = GROUP_ROLES[code], tables(), []
    for name, privileges in sorted(table_privileges(code).items()):
        table = metadata[name]
        all_columns = [c.name for c in table.columns]
        if "SELECT" in privileges:
            hidden = hidden_columns(code, name)
            out.append(_grant("SELECT", name, role, [c for c in all_columns if c not in hidden] if hidden else None))
        elif privileges:
            out.append(_grant("SELECT", name, role, [c.name for c in table.primary_key.columns]))
        for privilege in ("INSERT", "DELETE"):
            if privilege in privileges:
                out.append(_grant(privilege, name, role))
        if "UPDATE" in privileges:  # by column, always: see the module note on LOCK TABLE
            # never the primary key, nor a business code: a row moved onto an id or a code nobody was
            # handed yet (row_stamps.py)
            fixed = unwritable_columns(code, name, all_columns) | {c.name for c in table.primary_key.columns}
            fixed |= {CODES[name][0]} if name in CODES else set()
            out.append(_grant("UPDATE", name, role, [c for c in all_columns if c not in fixed]))
        out += _sequence_grants(table, role) if "INSERT" in privileges else []
    out.append(sql.SQL("GRANT SELECT ON TABLE public.{} TO {}").format(
        sql.Identifier(SCHEMA_VERSION_TABLE), sql.Identifier(role)))
    return out


def _sequence_grants(table: Table, role: str) -> list[sql.Composed]:
    """USAGE on the sequence behind the table's generated id, if it has one."""
    column = table.autoincrement_column
    if column is None:
        return []
    return [sql.SQL(
        "DO $$DECLARE seq text := pg_catalog.pg_get_serial_sequence({t}, {c}); BEGIN "
        "IF seq IS NOT NULL THEN EXECUTE format('GRANT USAGE ON SEQUENCE %s TO %I', seq, {r}); END IF; END$$"
    ).format(t=sql.Literal(f"public.{table.name}"), c=sql.Literal(column.name), r=sql.Literal(role))]


def revoke_statements() -> list[sql.Composed]:
    """Take every table and sequence privilege away from the group roles and the backup role."""
    roles = sql.SQL(", ").join(sql.Identifier(r) for r in [*GROUP_ROLES.values(), BACKUP])
    return [sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(roles),
            sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {}").format(roles)]


BACKUP_RUNS = "backup_runs"  # the nightly job records its runs (Settings -> Backups lists them)


def backup_grants() -> list[sql.Composed]:
    """crm_backup reads every table and sequence (pg_dump) and adds the record of its runs."""
    backup = sql.Identifier(BACKUP)
    return [sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(backup),
            sql.SQL("GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(backup),
            sql.SQL("GRANT INSERT ON TABLE public.{} TO {}").format(sql.Identifier(BACKUP_RUNS), backup),
            *_sequence_grants(tables()[BACKUP_RUNS], BACKUP)]


def grant_statements() -> list[sql.Composed]:
    """Revoke, then grant every group role its rights and the backup role its reads."""
    out = revoke_statements()
    for code in GROUP_ROLES:
        out += role_grants(code)
    return out + backup_grants()

