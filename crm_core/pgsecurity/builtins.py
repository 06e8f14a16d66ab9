"""PostgreSQL's own functions that every role may call by default, taken from the CRM's logins.

``EXECUTE`` on the functions of ``pg_catalog`` is granted to PUBLIC by the server, and
two families of them let any login act beyond his rights in the CRM database:

* **Large objects** (``lo_create``, ``lo_creat``, ``lo_from_bytea``, ``lo_import``): a
  large object belongs to the login that created it and is private to him, so one of
  them made by a user is an object a CRM login owns, stored outside every table and
  quota, which ``crm_backup`` may not read: ``pg_dump --role=crm_backup`` then fails
  ("permission denied for large object") and the nightly backup with it. The CRM uses
  no large objects; nobody but a superuser creates one. Any that exist all the same
  (made before this was applied) are given to ``crm_owner`` and made readable by
  ``crm_backup``, so the backup runs and the evidence stays.
* **Advisory locks** (``pg_advisory_lock`` and its siblings): a session-level advisory
  lock outlives transactions, so no session limit ends it; with the key of
  ``crm_core.modules.admin.LAST_ADMIN_LOCK`` any login stopped administrators from ever
  demoting or deactivating an administrator again. Only the transaction-scoped
  exclusive lock the CRM takes stays callable, by the roles that take it.

Revoking from PUBLIC in a database changes that database's catalog only (a superuser's
work: ``crm-admin db init`` / ``db upgrade`` apply it). Superusers keep every function.
"""

from __future__ import annotations

from psycopg import sql

from crm_core.pgsecurity.roles import BACKUP, OWNER

LARGE_OBJECT_CREATORS = ("lo_creat(integer)", "lo_create(oid)", "lo_from_bytea(oid, bytea)",
                         "lo_import(text)", "lo_import(text, oid)")
# The advisory lock the CRM itself takes (crm_core.modules.admin: removing an administrator),
# and the group roles whose work takes it.
ADVISORY_LOCK = "pg_advisory_xact_lock(bigint)"
ADVISORY_LOCK_TAKERS = ("crm_admin",)

_ADVISORY = ("SELECT p.oid::pg_catalog.regprocedure AS fn FROM pg_catalog.pg_proc p "
             "WHERE p.pronamespace = 'pg_catalog'::pg_catalog.regnamespace "
             "AND p.proname ~ '^pg_(try_)?advisory_'")

_ADOPT_LARGE_OBJECTS = (
    "DO $$DECLARE r record; BEGIN FOR r IN SELECT m.oid FROM pg_catalog.pg_largeobject_metadata m "
    f"WHERE pg_catalog.pg_get_userbyid(m.lomowner) <> '{OWNER}' LOOP "
    f"EXECUTE format('ALTER LARGE OBJECT %s OWNER TO {OWNER}', r.oid); "
    f"EXECUTE format('GRANT SELECT ON LARGE OBJECT %s TO {BACKUP}', r.oid); END LOOP; END$$")


def statements() -> list[str | sql.Composed]:
    """Revoke large-object creation and advisory locks from PUBLIC; grant back the one lock the CRM takes."""
    out: list[str | sql.Composed] = [
        f"REVOKE EXECUTE ON FUNCTION pg_catalog.{fn} FROM PUBLIC" for fn in LARGE_OBJECT_CREATORS]
    out.append("DO $$DECLARE r record; BEGIN FOR r IN " + _ADVISORY + " LOOP "
               "EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', r.fn); END LOOP; END$$")
    out.append(sql.SQL("GRANT EXECUTE ON FUNCTION pg_catalog.{} TO {}").format(
        sql.SQL(ADVISORY_LOCK), sql.SQL(", ").join(sql.Identifier(r) for r in ADVISORY_LOCK_TAKERS)))
    out.append(_ADOPT_LARGE_OBJECTS)
    return out
