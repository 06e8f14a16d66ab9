"""The audit trail written by the database: a trigger on every business table.

``crm_audit_trail()`` is a SECURITY DEFINER trigger function owned by
``crm_owner``: it appends one row to ``audit_trail`` per inserted, updated or
deleted row, with ``actor = session_user`` (the user's own login, whatever the
client says) and the row before and after as jsonb. Sensitive columns (the
EntitySpec ``sensitive=`` declaration) are stored masked with the same masks
as the app; derived secrets (``customers.search_text`` holds phone digits,
``users.password_hash``) are left out. An UPDATE that changes nothing left in
the trail (e.g. the search text rebuilt) writes no row.

Only the owner writes the table: no group role gets INSERT, UPDATE, DELETE or
TRUNCATE; crm_admin and crm_manager (the roles with the audit READ right) may
SELECT it.
"""

from __future__ import annotations

from psycopg import sql

from crm_core.pgsecurity.masking import OWNER, SEARCH_PATH, group_roles, sensitive_columns

# Not business data: the logs themselves, bookkeeping and derived index tables. (audit_log has
# triggers of its own: crm_core.pgsecurity.bookkeeping puts its every change in the trail.)
NOT_AUDITED = frozenset({"audit_trail", "audit_log", "erasure_log", "login_throttle", "customer_search_grams",
                         "code_sequences", "backup_runs", "alembic_version",
                         # one row per imported record, each checked against the trail's own INSERT entry
                         "import_batch_records"})
OMITTED = (("customers", "search_text"), ("customers", "name_key"), ("users", "password_hash"))
READERS = ("crm_admin", "crm_manager")

TRIGGER_FUNCTION = """CREATE OR REPLACE FUNCTION public.crm_audit_trail() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {search_path} AS $$
DECLARE
  b jsonb;
  a jsonb;
  col text;
  how text;
  i integer;
BEGIN
  IF TG_OP <> 'INSERT' THEN b := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN a := to_jsonb(NEW); END IF;
  -- TG_ARGV: pairs of (column, sensitivity class or 'omit')
  FOR i IN 0 .. TG_NARGS / 2 - 1 LOOP
    col := TG_ARGV[2 * i];
    how := TG_ARGV[2 * i + 1];
    IF how = 'omit' THEN
      b := b - col;
      a := a - col;
    ELSE
      IF b ? col THEN b := jsonb_set(b, ARRAY[col], coalesce(to_jsonb(public.crm_mask_value(how, b ->> col)), 'null')); END IF;
      IF a ? col THEN a := jsonb_set(a, ARRAY[col], coalesce(to_jsonb(public.crm_mask_value(how, a ->> col)), 'null')); END IF;
    END IF;
  END LOOP;
  IF TG_OP = 'UPDATE' AND b = a THEN
    RETURN NULL;
  END IF;
  INSERT INTO public.audit_trail (actor, table_name, row_id, op, before, after)
  VALUES (session_user, TG_TABLE_NAME, (coalesce(a, b) ->> 'id')::bigint, TG_OP, b, a);
  RETURN NULL;
END $$"""


# Privacy erasure (crm_core/services/privacy.py) must reach the trail too. Only a role
# whose declaration lets it delete in the module (what the erasure requires) may blank
# columns of a row's trail entries: only of a row it can see, only the module's personal
# fields, and only after this transaction logged the erasure (erasure_log, whose actor and
# time the database sets: crm_core.pgsecurity.bookkeeping).
REDACT_FUNCTION = """CREATE OR REPLACE FUNCTION public.crm_redact_trail(tbl text, rid bigint, cols text[])
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER {search_path} AS $$
DECLARE
  n integer;
  visible boolean;
  mod text;
  personal text[];
BEGIN
  SELECT v.m, v.cols INTO mod, personal FROM (VALUES {personal}) AS v(m, t, cols) WHERE v.t = tbl;
  IF mod IS NULL OR NOT EXISTS (SELECT 1 FROM (VALUES {allowed}) AS v(r, t)
                  WHERE v.t = tbl AND pg_has_role(session_user, v.r, 'MEMBER')) THEN
    RAISE EXCEPTION 'permission denied to redact the audit trail of %', tbl USING ERRCODE = '42501';
  END IF;
  IF cols IS NULL OR NOT cols <@ personal THEN
    RAISE EXCEPTION 'only personal fields of % can be redacted', tbl USING ERRCODE = '42501';
  END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM public.%I WHERE id = $1)', tbl) INTO visible USING rid;
  IF NOT visible THEN  -- row-level security: not a row of his
    RAISE EXCEPTION 'permission denied to redact the audit trail of %', tbl USING ERRCODE = '42501';
  END IF;
  IF NOT public.crm_erasure_logged(mod, rid) THEN
    RAISE EXCEPTION 'redacting the trail needs the erasure logged first' USING ERRCODE = '42501';
  END IF;
  UPDATE public.audit_trail t
     SET before = public.crm_redact_json(t.before, cols), after = public.crm_redact_json(t.after, cols)
   WHERE t.table_name = tbl AND t.row_id = rid;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$"""


def erasers() -> str:
    """``('crm_admin', 'contacts'), ...``: group roles that may erase personal data of each table."""
    from crm_core.modules import SPECS
    from crm_core.permissions import ROLES, Action

    pairs = [(f"crm_{code}", spec.model.__tablename__) for module, spec in sorted(SPECS.items())
             if any(f.personal for f in spec.fields)
             for code, rights in ROLES.items() if rights.may(module, Action.DELETE)]
    return ", ".join(f"('{role}', '{table}')" for role, table in pairs)


def _personal() -> str:
    """``('contacts', 'contacts', ARRAY['name', ...]::text[]), ...``: module, table, personal columns."""
    from crm_core.pgsecurity.bookkeeping import personal_fields

    return ", ".join(f"('{m}', '{t}', ARRAY[{', '.join(repr(c) for c in cols)}]::text[])"
                     for m, t, cols in personal_fields())


REDACT_JSON = """CREATE OR REPLACE FUNCTION public.crm_redact_json(doc jsonb, cols text[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE {search_path} AS $$
  SELECT CASE WHEN doc IS NULL THEN NULL ELSE (
    SELECT coalesce(jsonb_object_agg(k, CASE WHEN k = ANY(cols) AND v <> 'null'::jsonb
                                             THEN '"[erased]"'::jsonb ELSE v END), '{{}}'::jsonb)
      FROM jsonb_each(doc) AS e(k, v)) END
$$"""


def audited_tables() -> list[str]:
    """Every business table (all of the schema but the logs, bookkeeping and derived tables)."""
    from crm_core.models import Base

    return sorted(t for t in Base.metadata.tables if t not in NOT_AUDITED)


def _trigger_args(table: str) -> list[str]:
    args: list[str] = []
    for t, column, sensitivity in sensitive_columns():
        if t == table:
            args += [column, sensitivity]
    for t, column in OMITTED:
        if t == table:
            args += [column, "omit"]
    return args


def _trigger(table: str) -> list[sql.Composed]:
    args = sql.SQL(", ").join(sql.Literal(a) for a in _trigger_args(table))
    return [
        sql.SQL("DROP TRIGGER IF EXISTS crm_audit_trail ON public.{}").format(sql.Identifier(table)),
        sql.SQL("CREATE TRIGGER crm_audit_trail AFTER INSERT OR UPDATE OR DELETE ON public.{} "
                "FOR EACH ROW EXECUTE FUNCTION public.crm_audit_trail({})").format(sql.Identifier(table), args),
    ]


def statements() -> list[str | sql.Composed]:
    """Trigger function, triggers and the read-only grants of ``audit_trail`` (idempotent)."""
    everyone = sql.SQL(", ").join(sql.Identifier(r) for r in group_roles())
    out: list[str | sql.Composed] = [
        TRIGGER_FUNCTION.replace("{search_path}", SEARCH_PATH),
        f"ALTER FUNCTION public.crm_audit_trail() OWNER TO {OWNER}",
        "REVOKE ALL ON FUNCTION public.crm_audit_trail() FROM PUBLIC",
    ]
    for table in audited_tables():
        out += _trigger(table)
    from crm_core.models import Base

    for table in sorted(NOT_AUDITED & set(Base.metadata.tables)):  # taken out of the trail since
        out.append(sql.SQL("DROP TRIGGER IF EXISTS crm_audit_trail ON public.{}").format(sql.Identifier(table)))
    out += [
        REDACT_JSON.replace("{search_path}", SEARCH_PATH).replace("{{}}", "{}"),
        f"ALTER FUNCTION public.crm_redact_json(jsonb, text[]) OWNER TO {OWNER}",
        "REVOKE ALL ON FUNCTION public.crm_redact_json(jsonb, text[]) FROM PUBLIC",
        REDACT_FUNCTION.replace("{search_path}", SEARCH_PATH).replace("{allowed}", erasers())
        .replace("{personal}", _personal()),
        f"ALTER FUNCTION public.crm_redact_trail(text, bigint, text[]) OWNER TO {OWNER}",
        "REVOKE ALL ON FUNCTION public.crm_redact_trail(text, bigint, text[]) FROM PUBLIC",
        sql.SQL("GRANT EXECUTE ON FUNCTION public.crm_redact_trail(text, bigint, text[]) TO {}").format(everyone),
    ]
    out += [
        f"ALTER TABLE public.audit_trail OWNER TO {OWNER}",
        sql.SQL("REVOKE ALL ON TABLE public.audit_trail FROM PUBLIC, {}").format(everyone),
        sql.SQL("REVOKE ALL ON SEQUENCE public.audit_trail_id_seq FROM PUBLIC, {}").format(everyone),
        sql.SQL("GRANT SELECT ON TABLE public.audit_trail TO {}").format(
            sql.SQL(", ").join(sql.Identifier(r) for r in READERS)),
    ]
    return out
