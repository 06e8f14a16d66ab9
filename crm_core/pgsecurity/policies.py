"""Row-level security on customers and everything that hangs off them, generated from the declaration.

Per group role that may touch a customer-scoped table, one policy
``crm_<role>`` FOR ALL with USING and WITH CHECK:

* roles whose customer scope is ALL: ``true``;
* own-scope roles (sales): on ``customers`` the rows they own or that are
  shared with them; on ``customer_shares`` their own shares; on every other
  table ``customer_id IN (SELECT id FROM customers)`` (or the parent link,
  e.g. ``contract_id IN (SELECT id FROM contracts)``): the subquery applies
  the parent's own policy, so the rule exists once and nothing recurses.

The owner role gets a policy too (``crm_owner``): its SECURITY DEFINER
functions read as the owner and must still see only what the signed-in user
(``session_user``) may; a superuser session (migrations) sees everything.
RLS is ENABLEd and FORCEd (so it holds for the owner as well). Policies are
dropped and created again by name on every apply.
"""

from __future__ import annotations

from psycopg import sql

from crm_core.permissions import CUSTOMER_SCOPED, ROLES, Scope, scope_of
from crm_core.permissions_tables import (CUSTOM_VALUES, CUSTOMER_LINKS, MODULE_TABLES,
                                         customer_scoped_tables, table_privileges)
from crm_core.pgsecurity.roles import GROUP_ROLES, OWNER, function_statements

ME = "(SELECT public.crm_me())"
OWN_RULES: dict[str, str] = {
    "customers": f"owner_id = {ME} OR id IN (SELECT customer_id FROM public.customer_shares WHERE user_id = {ME})",
    "customer_shares": f"user_id = {ME}",
}


def protected_tables() -> list[str]:
    """Tables with row-level security: the customer-scoped ones and the custom field values."""
    return [*customer_scoped_tables(), CUSTOM_VALUES]


def own_rule(table: str) -> str:
    """The USING/WITH CHECK expression of ``table`` for a role limited to its own customers."""
    if table in OWN_RULES:
        return OWN_RULES[table]
    if table == CUSTOM_VALUES:
        return _custom_values_rule()
    column, parent = CUSTOMER_LINKS[table]
    return f"{column} IN (SELECT id FROM public.{parent})"


def _custom_values_rule() -> str:
    """A custom value follows the record it belongs to, found through its definition's module."""
    scoped = sorted(m for m in CUSTOMER_SCOPED if MODULE_TABLES[m])
    per_module = " OR ".join(
        f"(d.module = '{m}' AND record_id IN (SELECT id FROM public.{MODULE_TABLES[m][0]}))" for m in scoped)
    names = ", ".join(f"'{m}'" for m in scoped)
    return (f"EXISTS (SELECT 1 FROM public.custom_field_definitions d WHERE d.id = definition_id "
            f"AND (d.module NOT IN ({names}) OR {per_module}))")


def _policy(table: str, name: str, role: str, rule: str) -> list[sql.Composed]:
    return [
        sql.SQL("CREATE POLICY {} ON public.{} AS PERMISSIVE FOR ALL TO {} USING ({}) WITH CHECK ({})").format(
            sql.Identifier(name), sql.Identifier(table), sql.Identifier(role), sql.SQL(rule), sql.SQL(rule)),
    ]


def _drop_stale(table: str) -> sql.Composed:
    """Remove every policy of ours on the table (one of a role that no longer exists, too)."""
    return sql.SQL(
        "DO $$DECLARE p text; BEGIN FOR p IN SELECT policyname FROM pg_catalog.pg_policies "
        "WHERE schemaname = 'public' AND tablename = {t} AND policyname LIKE 'crm\\_%' LOOP "
        "EXECUTE format('DROP POLICY %I ON public.%I', p, {t}); END LOOP; END$$").format(t=sql.Literal(table))


def table_policies(table: str) -> list[sql.Composed]:
    """ENABLE + FORCE RLS on ``table`` and its policies, one per group role that touches it, and the owner's."""
    out = [_drop_stale(table),
           sql.SQL("ALTER TABLE public.{} ENABLE ROW LEVEL SECURITY").format(sql.Identifier(table)),
           sql.SQL("ALTER TABLE public.{} FORCE ROW LEVEL SECURITY").format(sql.Identifier(table))]
    for code, role in GROUP_ROLES.items():
        if table not in table_privileges(code):
            continue
        rule = "true" if scope_of(code, "customers") is Scope.ALL else own_rule(table)
        out += _policy(table, role, role, rule)
    out += _policy(table, OWNER, OWNER, f"public.crm_sees_all() OR {own_rule(table)}")
    return out


def all_scope_roles() -> list[str]:
    """Group roles that see every customer."""
    return [GROUP_ROLES[c] for c in ROLES if scope_of(c, "customers") is Scope.ALL]


def policy_statements() -> list[str | sql.Composed]:
    """The functions the policies call, then RLS and the policies of every protected table."""
    out: list[str | sql.Composed] = list(function_statements(all_scope_roles()))
    for table in protected_tables():
        out += table_policies(table)
    return out
