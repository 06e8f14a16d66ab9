"""Masked reading of sensitive columns on PostgreSQL, generated from the EntitySpec declaration.

In database-auth mode a role has no SELECT on the columns of sensitivity
classes it may not read in full (``permissions.sees``). It still shows the
masked value (``138****5678``, an ID number's last 4): ``crm_masked(table,
column, ids)`` is a SECURITY DEFINER function that returns the masked values
of one declared sensitive column for a page of rows. The masks are SQL twins of
:func:`crm_core.validation.mask_phone` / ``mask_id_number`` (tests compare
them); "private" values are not shown at all (NULL).

Which rows: the function reads as the table owner, whose reads are held to
the row-level-security policies (FORCE RLS, written in terms of
``session_user``), so it returns masks only of rows the caller may see, and only
for tables he may SELECT.
"""

from __future__ import annotations

from functools import cache

from psycopg import sql

OWNER = "crm_owner"
# Every function of ours: catalog first, the session's temp schema explicitly last (left out,
# PostgreSQL searches it FIRST for tables), and every CRM object named with its schema.
SEARCH_PATH = "SET search_path = pg_catalog, pg_temp"


@cache
def sensitive_columns() -> tuple[tuple[str, str, str], ...]:
    """(table, column, sensitivity class) of every declared sensitive field."""
    from crm_core.modules import SPECS

    found = {(spec.model.__tablename__, f.name, f.sensitive)
             for spec in SPECS.values() for f in spec.fields if f.sensitive}
    return tuple(sorted(found))


def group_roles() -> list[str]:
    """The CRM group roles, one per role of the permission declaration."""
    from crm_core.permissions import ROLES

    return [f"crm_{code}" for code in ROLES]


def _declared_values() -> sql.Composed:
    rows = [sql.SQL("({}, {}, {})").format(sql.Literal(t), sql.Literal(c), sql.Literal(s))
            for t, c, s in sensitive_columns()]
    return sql.SQL(", ").join(rows)


MASK_FUNCTIONS = [
    # _mask_tail: at most 4 characters and at most half of them stay visible.
    """CREATE OR REPLACE FUNCTION public.crm_mask_tail(v text) RETURNS text
    LANGUAGE sql IMMUTABLE {search_path} AS $$
      SELECT repeat('*', length(v) - least(4, length(v) / 2)) || right(v, least(4, length(v) / 2))
    $$""",
    """CREATE OR REPLACE FUNCTION public.crm_mask_phone(v text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE {search_path} AS $$
    DECLARE
      m text[];
      base text := v;
      ext text := '';
    BEGIN
      IF v IS NULL OR v = '' THEN RETURN v; END IF;
      m := regexp_match(v, '^(0[0-9]{2,3}-[0-9]{7,8}|[48]00-[0-9]{3}-[0-9]{4})-([0-9]{1,6})$');
      IF m IS NOT NULL THEN
        base := m[1];
        ext := '-' || repeat('*', length(m[2]));
      END IF;
      IF length(base) < 11 THEN RETURN public.crm_mask_tail(base) || ext; END IF;
      RETURN left(base, 3) || '****' || right(base, 4) || ext;
    END $$""",
    """CREATE OR REPLACE FUNCTION public.crm_mask_value(sensitivity text, v text) RETURNS text
    LANGUAGE sql IMMUTABLE {search_path} AS $$
      SELECT CASE
        WHEN v IS NULL OR sensitivity = 'private' THEN NULL
        WHEN v = '' THEN v
        WHEN sensitivity = 'id_number' THEN public.crm_mask_tail(v)
        ELSE public.crm_mask_phone(v) END
    $$""",
]

CRM_MASKED = """CREATE OR REPLACE FUNCTION public.crm_masked(tbl text, col text, ids bigint[])
RETURNS TABLE(id bigint, value text)
LANGUAGE plpgsql STABLE SECURITY DEFINER {search_path} AS $$
DECLARE
  sens text;
BEGIN
  SELECT d.s INTO sens FROM (VALUES {declared}) AS d(t, c, s) WHERE d.t = tbl AND d.c = col;
  IF sens IS NULL THEN
    RAISE EXCEPTION 'not a declared sensitive column: %.%', tbl, col USING ERRCODE = '22023';
  END IF;
  IF NOT has_any_column_privilege(session_user, format('public.%I', tbl), 'SELECT') THEN
    RAISE EXCEPTION 'permission denied for table %', tbl USING ERRCODE = '42501';
  END IF;
  RETURN QUERY EXECUTE format(
    'SELECT t.id::bigint, public.crm_mask_value(%L, t.%I::text) FROM public.%I t WHERE t.id = ANY($1)',
    sens, col, tbl) USING ids;
END $$"""


def statements() -> list[str | sql.Composed]:
    """The masking functions, owned by crm_owner; crm_masked callable by the group roles only."""
    out: list[str | sql.Composed] = [f.replace("{search_path}", SEARCH_PATH) for f in MASK_FUNCTIONS]
    out.append(sql.SQL(CRM_MASKED.replace("{search_path}", SEARCH_PATH).replace("{declared}", "{}"))
               .format(_declared_values()))
    for signature in ("crm_mask_tail(text)", "crm_mask_phone(text)", "crm_mask_value(text, text)",
                      "crm_masked(text, text, bigint[])"):
        out.append(f"ALTER FUNCTION public.{signature} OWNER TO {OWNER}")
    for signature in ("crm_mask_tail(text)", "crm_mask_phone(text)", "crm_mask_value(text, text)"):
        out.append(f"REVOKE ALL ON FUNCTION public.{signature} FROM PUBLIC")  # the owner's functions call them
    everyone = sql.SQL(", ").join(sql.Identifier(r) for r in group_roles())
    out.append(sql.SQL("REVOKE ALL ON FUNCTION public.crm_masked(text, text, bigint[]) FROM PUBLIC, {}").format(everyone))
    out.append(sql.SQL("GRANT EXECUTE ON FUNCTION public.crm_masked(text, text, bigint[]) TO {}").format(everyone))
    return out
