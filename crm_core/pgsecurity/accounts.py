"""Account management on PostgreSQL through SECURITY DEFINER functions.

Administrators need no CREATEROLE: the functions below belong to the
non-login owner ``crm_owner`` (which has it) and check the caller
(``session_user``) themselves. Every identifier is quoted with ``format('%I')``
and every literal with ``format('%L')``; the search path is fixed; EXECUTE is
revoked from PUBLIC and granted only to the group roles that may call them.
Passwords never reach the server in clear: callers pass a SCRAM verifier
(:func:`crm_core.pgsecurity.scram.scram_verifier`).

Only CRM logins can be managed: a role that is a member of a CRM group role,
named in lower case, not beginning with ``crm_`` or ``pg_``, not a superuser,
and (for creation) matching an existing row of ``users``.
"""

from __future__ import annotations

from psycopg import sql

from crm_core.pgsecurity.masking import OWNER, SEARCH_PATH, group_roles
from crm_core.pgsecurity.roles import CONNECTION_LIMIT, SESSION_LIMITS, group_role

_HELPERS = """
CREATE OR REPLACE FUNCTION public.crm_require_admin() RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER {search_path} AS $$
BEGIN
  IF NOT pg_has_role(session_user, 'crm_admin', 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied: only CRM administrators manage accounts' USING ERRCODE = '42501';
  END IF;
END $$;

CREATE OR REPLACE FUNCTION public.crm_check_login_name(login text) RETURNS void
LANGUAGE plpgsql IMMUTABLE {search_path} AS $$
BEGIN
  IF login IS NULL OR length(login) NOT BETWEEN 1 AND 63 OR login <> lower(login)
     OR left(login, 4) = 'crm_' OR left(login, 3) = 'pg_' THEN
    RAISE EXCEPTION 'invalid login name %', quote_literal(coalesce(login, '')) USING ERRCODE = '22023';
  END IF;
END $$;

CREATE OR REPLACE FUNCTION public.crm_check_group(grp text) RETURNS void
LANGUAGE plpgsql IMMUTABLE {search_path} AS $$
BEGIN
  IF grp IS NULL OR NOT grp = ANY({groups}) THEN
    RAISE EXCEPTION 'not a CRM role: %', quote_literal(coalesce(grp, '')) USING ERRCODE = '22023';
  END IF;
END $$;

CREATE OR REPLACE FUNCTION public.crm_require_crm_login(login text) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER {search_path} AS $$
BEGIN
  PERFORM public.crm_check_login_name(login);
  IF NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_roles r JOIN pg_catalog.pg_auth_members m ON m.member = r.oid
      JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
      WHERE r.rolname = login AND NOT r.rolsuper AND g.rolname = ANY({groups})) THEN
    RAISE EXCEPTION 'no CRM login %', quote_literal(login) USING ERRCODE = '42704';
  END IF;
END $$;

-- A SCRAM-SHA-256 verifier as pg_authid stores it, and nothing else: PostgreSQL hashes any
-- other string as if it were a clear password, so a malformed "verifier" would become one.
CREATE OR REPLACE FUNCTION public.crm_check_verifier(verifier text) RETURNS void
LANGUAGE plpgsql IMMUTABLE {search_path} AS $$
DECLARE
  m text[];
BEGIN
  m := regexp_match(coalesce(verifier, ''),
    '^SCRAM-SHA-256\\$([0-9]{{1,9}}):([A-Za-z0-9+/]+={{0,2}})\\$([A-Za-z0-9+/]+={{0,2}}):([A-Za-z0-9+/]+={{0,2}})$');
  IF m IS NULL THEN
    RAISE EXCEPTION 'a SCRAM-SHA-256 verifier is required' USING ERRCODE = '22023';
  END IF;
  BEGIN
    IF m[1]::integer < 4096 OR length(decode(m[2], 'base64')) < 16
       OR length(decode(m[3], 'base64')) <> 32 OR length(decode(m[4], 'base64')) <> 32 THEN
      RAISE EXCEPTION 'bad SCRAM-SHA-256 verifier' USING ERRCODE = '22023';
    END IF;
  EXCEPTION WHEN OTHERS THEN
    RAISE EXCEPTION 'a SCRAM-SHA-256 verifier is required (at least 4096 iterations, a salt of at least '
                    '16 bytes, 32-byte keys)' USING ERRCODE = '22023';
  END;
END $$;
"""

_FUNCTIONS = """
-- NOLOGIN and DROP ROLE stop new sign-ins only: the sessions a disabled login has open keep his
-- rights until they end (an idle one never does). The services call this once NOLOGIN or DROP ROLE
-- is committed, never inside that transaction: ended before the commit, a client that signs in again
-- before it keeps a working session, and a deactivation rolled back would still have ended his.
-- The role is named by its oid too, because a dropped role's sessions no longer show its name.
-- Only for a CRM login that can no longer sign in (or is gone), never one's own nor a superuser's;
-- waits up to 5 s for each session to go (crm_owner is a member of pg_signal_backend: roles.py).
-- Returns the sessions found and those that ended: one that did not end within 5 s (the server only
-- WARNs) keeps his rights, and the administrator must be told.
CREATE OR REPLACE FUNCTION public.crm_end_sessions(login text, role_oid oid, OUT sessions integer, OUT ended integer)
LANGUAGE plpgsql SECURITY DEFINER {search_path} AS $$
#variable_conflict use_variable
DECLARE
  a record;
  r record;
BEGIN
  PERFORM public.crm_require_admin();
  PERFORM public.crm_check_login_name(login);
  IF login = session_user::text OR role_oid = (SELECT o.oid FROM pg_catalog.pg_roles o
                                               WHERE o.rolname = session_user) THEN
    RAISE EXCEPTION 'you cannot end your own sessions here' USING ERRCODE = '42501';
  END IF;
  SELECT o.rolname, o.rolcanlogin INTO r FROM pg_catalog.pg_roles o WHERE o.oid = role_oid;
  IF FOUND THEN
    IF r.rolname <> login THEN
      RAISE EXCEPTION 'role % is not %', role_oid, quote_literal(login) USING ERRCODE = '22023';
    END IF;
    PERFORM public.crm_require_crm_login(login);  -- a CRM group's member, not a superuser
    IF r.rolcanlogin THEN
      RAISE EXCEPTION 'login % may still sign in: disable it first', quote_literal(login) USING ERRCODE = '42501';
    END IF;
  ELSIF EXISTS (SELECT 1 FROM pg_catalog.pg_roles o WHERE o.rolname = login) THEN
    RAISE EXCEPTION 'role % is not %', role_oid, quote_literal(login) USING ERRCODE = '22023';
  ELSIF EXISTS (SELECT 1 FROM public.users u WHERE lower(u.login) = login) THEN
    RAISE EXCEPTION 'CRM user % still exists', quote_literal(login) USING ERRCODE = '42501';
  END IF;
  sessions := 0;
  ended := 0;
  FOR a IN SELECT s.pid FROM pg_catalog.pg_stat_activity s
            WHERE s.usesysid = role_oid AND s.pid <> pg_catalog.pg_backend_pid() LOOP
    sessions := sessions + 1;
    IF pg_catalog.pg_terminate_backend(a.pid, 5000) THEN
      ended := ended + 1;
    END IF;
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION public.crm_create_login(login text, verifier text, role text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER {search_path} AS $$
#variable_conflict use_variable
BEGIN
  PERFORM public.crm_require_admin();
  PERFORM public.crm_check_login_name(login);
  PERFORM public.crm_check_group(role);
  PERFORM public.crm_check_verifier(verifier);
  IF NOT EXISTS (SELECT 1 FROM public.users u WHERE lower(u.login) = login) THEN
    RAISE EXCEPTION 'no CRM user %', quote_literal(login) USING ERRCODE = '42704';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = login) THEN
    RAISE EXCEPTION 'role % already exists', quote_literal(login) USING ERRCODE = '42710';
  END IF;
  EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT PASSWORD %L IN ROLE %I',
                 login, verifier, role);
  PERFORM public.crm_apply_session_limits(login, role);
END $$;

CREATE OR REPLACE FUNCTION public.crm_set_password(login text, verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER {search_path} AS $$
BEGIN
  IF login IS DISTINCT FROM session_user::text THEN
    PERFORM public.crm_require_admin();
  END IF;
  PERFORM public.crm_require_crm_login(login);
  PERFORM public.crm_check_verifier(verifier);
  EXECUTE format('ALTER ROLE %I PASSWORD %L', login, verifier);
END $$;

CREATE OR REPLACE FUNCTION public.crm_set_role(login text, role text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER {search_path} AS $$
DECLARE
  grp text;
BEGIN
  PERFORM public.crm_require_admin();
  PERFORM public.crm_require_crm_login(login);
  PERFORM public.crm_check_group(role);
  FOREACH grp IN ARRAY {groups} LOOP
    IF grp <> role AND EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m WHERE m.member = to_regrole(quote_ident(login))
                   AND m.roleid = to_regrole(quote_ident(grp))) THEN
      EXECUTE format('REVOKE %I FROM %I', grp, login);
    END IF;
  END LOOP;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m WHERE m.member = to_regrole(quote_ident(login))
                 AND m.roleid = to_regrole(quote_ident(role))) THEN
    EXECUTE format('GRANT %I TO %I', role, login);
  END IF;
  PERFORM public.crm_apply_session_limits(login, role);
END $$;

CREATE OR REPLACE FUNCTION public.crm_set_login_enabled(login text, enabled boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER {search_path} AS $$
BEGIN
  PERFORM public.crm_require_admin();
  PERFORM public.crm_require_crm_login(login);
  IF login = session_user::text AND NOT enabled THEN
    RAISE EXCEPTION 'you cannot disable your own login' USING ERRCODE = '42501';
  END IF;
  EXECUTE format('ALTER ROLE %I %s', login, CASE WHEN enabled THEN 'LOGIN' ELSE 'NOLOGIN' END);
END $$;

-- DROP ROLE fails while the login has entries in any database. In this one a login can make some
-- himself (ALTER DEFAULT PRIVILEGES for objects he would create: PostgreSQL lets every role, no CREATE
-- needed), and a DBA may have granted him privileges here: DROP OWNED BY clears both (it needs his
-- privileges: crm_owner, CREATEROLE, grants itself his role first). Objects he owns here (only a
-- superuser can have given him one) are not dropped, nor is anything in another database (a function
-- reaches only its own): refused with SQLSTATE 2BP01, the place in HINT (crm:this_database /
-- crm:other_databases), what and where in DETAIL (services.logins words the message).
CREATE OR REPLACE FUNCTION public.crm_drop_login(login text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER {search_path} AS $$
DECLARE
  here oid;
  who oid;
  what text;
BEGIN
  PERFORM public.crm_require_admin();
  PERFORM public.crm_require_crm_login(login);
  IF login = session_user::text THEN
    RAISE EXCEPTION 'you cannot drop your own login' USING ERRCODE = '42501';
  END IF;
  SELECT d.oid INTO here FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database();
  SELECT r.oid INTO who FROM pg_catalog.pg_roles r WHERE r.rolname = login;
  SELECT pg_catalog.string_agg(pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid), ', ') INTO what
    FROM pg_catalog.pg_shdepend d
   WHERE d.refobjid = who AND d.dbid = here AND d.deptype = 'o'
     AND d.classid <> 'pg_catalog.pg_default_acl'::pg_catalog.regclass;
  IF what IS NOT NULL THEN
    RAISE EXCEPTION 'role % owns objects in this database', quote_literal(login)
      USING ERRCODE = '2BP01', DETAIL = what, HINT = 'crm:this_database';
  END IF;
  SELECT pg_catalog.string_agg(DISTINCT db.datname::text, ', ') INTO what
    FROM pg_catalog.pg_shdepend d JOIN pg_catalog.pg_database db ON db.oid = d.dbid
   WHERE d.refobjid = who AND d.dbid <> here;
  IF what IS NOT NULL THEN
    RAISE EXCEPTION 'role % has objects or privileges in other databases', quote_literal(login)
      USING ERRCODE = '2BP01', DETAIL = what, HINT = 'crm:other_databases';
  END IF;
  EXECUTE format('GRANT %I TO crm_owner', login);  -- the owner of this function
  EXECUTE format('DROP OWNED BY %I', login);
  EXECUTE format('DROP ROLE %I', login);
END $$;

CREATE OR REPLACE FUNCTION public.crm_touch_login() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER {search_path} AS $$
BEGIN
  UPDATE public.users SET last_login_at = now()
   WHERE lower(users.login) = session_user::text AND users.is_active;
END $$;
"""

# Per login, because PostgreSQL applies ALTER ROLE ... SET only to the role that signs in, never
# through membership of a group role: the values of his group role (roles.SESSION_LIMITS), and
# the connections he may hold at once (roles.CONNECTION_LIMIT). A login may ALTER ROLE himself
# SET ... (PostgreSQL lets every role do that), and a setting of his role IN DATABASE crm wins over
# the role-wide one set here: those of the limits in the CRM database go first, or db upgrade put
# back nothing. Only the limits: RESET ALL also wiped what a DBA set for him on purpose (work_mem ...).
SESSION_LIMITS_FUNCTION = """
CREATE OR REPLACE FUNCTION public.crm_apply_session_limits(login text, role text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER {search_path} AS $$
DECLARE
  setting record;
BEGIN
  FOR setting IN SELECT DISTINCT v.name FROM (VALUES {limits}) AS v(grp, name, value) LOOP
    EXECUTE format('ALTER ROLE %I IN DATABASE %I RESET %I', login, current_database(), setting.name);
  END LOOP;
  FOR setting IN SELECT v.name, v.value FROM (VALUES {limits}) AS v(grp, name, value) WHERE v.grp = role LOOP
    EXECUTE format('ALTER ROLE %I SET %I = %L', login, setting.name, setting.value);
  END LOOP;
  EXECUTE format('ALTER ROLE %I CONNECTION LIMIT %s', login, {connections});
END $$;
"""

# signature -> who may call it (besides the owner)
_ADMIN = ("crm_admin",)
GRANTS: dict[str, tuple[str, ...] | None] = {
    "crm_require_admin()": (),
    "crm_check_login_name(text)": (),
    "crm_check_group(text)": (),
    "crm_require_crm_login(text)": (),
    "crm_check_verifier(text)": (),
    "crm_apply_session_limits(text, text)": (),
    "crm_create_login(text, text, text)": _ADMIN,
    "crm_set_password(text, text)": None,  # None: every group role (a user changes his own)
    "crm_set_role(text, text)": _ADMIN,
    "crm_set_login_enabled(text, boolean)": _ADMIN,
    "crm_end_sessions(text, oid)": _ADMIN,  # after the commit of NOLOGIN / DROP ROLE (services.logins)
    "crm_drop_login(text)": _ADMIN,
    "crm_touch_login()": None,
}


def _sql(template: str) -> list[sql.Composed]:
    groups = sql.SQL("ARRAY[{}]::text[]").format(sql.SQL(", ").join(sql.Literal(g) for g in group_roles()))
    limits = sql.SQL(", ").join(
        sql.SQL("({}, {}, {})").format(sql.Literal(group_role(code)), sql.Literal(name), sql.Literal(value))
        for code, settings in SESSION_LIMITS.items() for name, value in settings.items())
    body = template.replace("{search_path}", SEARCH_PATH)
    return [sql.SQL(part.strip() + " END $$").format(groups=groups, limits=limits,
                                                    connections=sql.Literal(CONNECTION_LIMIT))
            for part in body.split("END $$;") if part.strip()]


def session_limit_statements() -> list[str]:
    """Put the session limits of his group role on every existing CRM login (run as a superuser)."""
    groups = ", ".join(f"'{g}'" for g in group_roles())
    return ["DO $$DECLARE r record; BEGIN FOR r IN "
            "SELECT m.rolname AS login, g.rolname AS grp FROM pg_catalog.pg_auth_members a "
            "JOIN pg_catalog.pg_roles m ON m.oid = a.member JOIN pg_catalog.pg_roles g ON g.oid = a.roleid "
            f"WHERE g.rolname = ANY(ARRAY[{groups}]) AND NOT m.rolsuper LOOP "
            "PERFORM public.crm_apply_session_limits(r.login, r.grp); END LOOP; END$$"]


def statements() -> list[str | sql.Composed]:
    """The account functions, owned by crm_owner, EXECUTE only where needed (idempotent)."""
    out: list[str | sql.Composed] = [
        # The version that ended sessions inside the caller's transaction (see crm_end_sessions).
        "DROP FUNCTION IF EXISTS public.crm_end_sessions(text)",
        # The version that returned the ended sessions only (a return type cannot be replaced).
        "DO $$BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_proc p WHERE p.oid = "
        "pg_catalog.to_regprocedure('public.crm_end_sessions(text, oid)') AND p.prorettype = 'integer'::regtype) "
        "THEN DROP FUNCTION public.crm_end_sessions(text, oid); END IF; END$$",
        *_sql(_HELPERS), *_sql(SESSION_LIMITS_FUNCTION), *_sql(_FUNCTIONS)]
    everyone = sql.SQL(", ").join(sql.Identifier(r) for r in group_roles())
    for signature, callers in GRANTS.items():
        out.append(f"ALTER FUNCTION public.{signature} OWNER TO {OWNER}")
        # From the group roles too: a right taken out of GRANTS disappears at the next apply.
        out.append(sql.SQL("REVOKE ALL ON FUNCTION public.{} FROM PUBLIC, {}").format(sql.SQL(signature), everyone))
        if callers is None:
            out.append(sql.SQL("GRANT EXECUTE ON FUNCTION public.{} TO {}").format(sql.SQL(signature), everyone))
        elif callers:
            out.append(sql.SQL("GRANT EXECUTE ON FUNCTION public.{} TO {}").format(
                sql.SQL(signature), sql.SQL(", ").join(sql.Identifier(r) for r in callers)))
    return out + session_limit_statements()
