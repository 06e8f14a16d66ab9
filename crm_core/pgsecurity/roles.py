"""The fixed roles of a CRM server, table ownership, and the defaults taken away from PUBLIC.

Roles (cluster-wide, NOLOGIN): ``crm_owner`` owns every table, sequence and
function of the CRM schema (CREATEROLE, so its SECURITY DEFINER functions can
manage logins); one group role per entry of :data:`crm_core.permissions.ROLES`
(``crm_admin`` ...); ``crm_backup`` reads everything past row-level security,
for ``pg_dump --role=crm_backup``. A CRM user's login role is his login in
lower case and a member of one group role; it owns nothing and has no
attribute beyond LOGIN.

Every statement is idempotent: roles are created when missing and their
attributes set again, so ``crm-admin db upgrade`` repairs drift.
"""

from __future__ import annotations

from psycopg import sql

from crm_core.permissions import ROLES

OWNER = "crm_owner"
BACKUP = "crm_backup"
GROUP_ROLES: dict[str, str] = {code: f"crm_{code}" for code in ROLES}
RESERVED_PREFIXES = ("crm_", "pg_")

# Per CRM login (set by crm_create_login/crm_set_role and renewed by every apply): a statement
# that runs away or a transaction left open by a crashed or hostile client cannot hold rows,
# locks or a connection slot for long. Imports of big files run as one statement each row set,
# reports as a few statements: minutes are plenty.
_LIMITS = {"statement_timeout": "5min", "idle_in_transaction_session_timeout": "10min"}
SESSION_LIMITS: dict[str, dict[str, str]] = {code: dict(_LIMITS) for code in ROLES}
# Connections one CRM login may hold at once (ALTER ROLE ... CONNECTION LIMIT, which a login
# cannot change on himself: it needs CREATEROLE). A client holds a few (its pool, the
# background workers); two clients and the command line stay far below it. Without it one
# login could take every slot of the server's max_connections and lock the office out.
CONNECTION_LIMIT = 20

_PLAIN = "NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION INHERIT"
ATTRIBUTES: dict[str, str] = {
    OWNER: "NOLOGIN NOSUPERUSER NOCREATEDB CREATEROLE NOBYPASSRLS NOREPLICATION INHERIT",
    BACKUP: "NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS NOREPLICATION INHERIT",
    **{name: _PLAIN for name in GROUP_ROLES.values()},
}


def group_role(code: str) -> str:
    """The PostgreSQL group role of a CRM role code (``sales`` -> ``crm_sales``)."""
    return GROUP_ROLES[code]


def login_role_name(login: str) -> str:
    """The PostgreSQL login role of a CRM login: the login in lower case.

    Raises:
        ValueError: the login is empty or begins with a reserved prefix (``crm_``, ``pg_``).
    """
    name = (login or "").strip().lower()
    if not name or name.startswith(RESERVED_PREFIXES):
        raise ValueError(f"login {login!r} cannot be a database login (empty or reserved prefix)")
    return name


def role_statements() -> list[sql.Composed]:
    """Create the fixed roles when missing and set their attributes (needs a superuser).

    crm_owner is also a member of ``pg_signal_backend``: its account functions end the sessions
    of a login that is disabled or dropped (``crm_end_sessions``), never a superuser's.
    """
    out: list[sql.Composed] = []
    for name, attributes in ATTRIBUTES.items():
        out.append(sql.SQL(
            "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {lit}) "
            "THEN CREATE ROLE {ident}; END IF; END$$").format(lit=sql.Literal(name), ident=sql.Identifier(name)))
        out.append(sql.SQL("ALTER ROLE {} " + attributes).format(sql.Identifier(name)))
    out.append(sql.SQL("GRANT pg_signal_backend TO {}").format(sql.Identifier(OWNER)))
    return out


# Tables, views and free-standing sequences of the public schema not already
# owned by crm_owner (objects of extensions keep their owner).
_FOREIGN_OWNED = """
SELECT c.relname, c.relkind FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND pg_catalog.pg_get_userbyid(c.relowner) <> 'crm_owner'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('e', 'a'))
"""


def ownership_statements() -> list[str]:
    """crm_owner owns the schema and everything in it; PUBLIC gets nothing by default."""
    return [
        f"ALTER SCHEMA public OWNER TO {OWNER}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        "DO $$DECLARE r record; BEGIN FOR r IN " + _FOREIGN_OWNED + " LOOP "
        "EXECUTE format(CASE r.relkind WHEN 'S' THEN 'ALTER SEQUENCE public.%I OWNER TO crm_owner' "
        "WHEN 'v' THEN 'ALTER VIEW public.%I OWNER TO crm_owner' "
        "WHEN 'm' THEN 'ALTER MATERIALIZED VIEW public.%I OWNER TO crm_owner' "
        "ELSE 'ALTER TABLE public.%I OWNER TO crm_owner' END, r.relname); END LOOP; END$$",
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC",
        "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC",
    ]


def database_statements() -> list[sql.Composed]:
    """Only the CRM's roles may connect to the CRM database; they may use (not create in) the schema.

    No TEMPORARY: neither the client nor crm-admin creates a temporary table or function, and
    PostgreSQL's default (PUBLIC has TEMPORARY) let every login fill the server's disk with temp
    tables no quota limits, and put objects of his own in the search path of every statement of
    his session (``pg_temp`` comes first for tables unless named last). Taken from the roles
    that had it by an earlier version, too. The temporary files of a query (a sort that spills
    to disk) need no privilege: ``temp_file_limit`` in postgresql.conf limits them (docs/security.md).
    """
    members = sql.SQL(", ").join(sql.Identifier(r) for r in [*GROUP_ROLES.values(), BACKUP])
    connect = sql.SQL(
        "DO $$BEGIN EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()); "
        "EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM {roles}', current_database()); "
        "EXECUTE format('GRANT CONNECT ON DATABASE %I TO {roles}', current_database()); END$$"
    ).format(roles=sql.SQL(", ").join(sql.SQL(r) for r in [*GROUP_ROLES.values(), BACKUP]))
    return [connect, sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(members)]


# crm_me(): the CRM user id of the connected login (session_user, not current_user: also
# right inside SECURITY DEFINER functions). crm_sees_all(): the session may see every
# customer (a superuser running migrations, or a member of an all-scope group role).
def function_statements(all_scope_roles: list[str]) -> list[str | sql.Composed]:
    """The helper functions the row-level-security policies call."""
    members = sql.SQL(" OR ").join(
        sql.SQL("pg_catalog.pg_has_role(session_user, {}, 'MEMBER')").format(sql.Literal(r))
        for r in all_scope_roles) if all_scope_roles else sql.SQL("false")
    grantees = sql.SQL(", ").join(sql.Identifier(r) for r in [*GROUP_ROLES.values(), BACKUP])
    out: list[str | sql.Composed] = [
        "CREATE OR REPLACE FUNCTION public.crm_me() RETURNS integer LANGUAGE sql STABLE "
        "SET search_path = pg_catalog, pg_temp AS "
        "$$ SELECT id FROM public.users WHERE lower(login) = session_user::text $$",
        sql.SQL("CREATE OR REPLACE FUNCTION public.crm_sees_all() RETURNS boolean LANGUAGE sql STABLE "
                "SET search_path = pg_catalog, pg_temp AS $$ SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles "
                "WHERE rolname = session_user AND (rolsuper OR rolbypassrls)) OR {} $$").format(members),
    ]
    for fn in ("crm_me()", "crm_sees_all()"):
        out.append(f"ALTER FUNCTION public.{fn} OWNER TO {OWNER}")
        out.append(f"REVOKE ALL ON FUNCTION public.{fn} FROM PUBLIC")
        out.append(sql.SQL("GRANT EXECUTE ON FUNCTION public.{} TO {}").format(sql.SQL(fn), grantees))
    return out
