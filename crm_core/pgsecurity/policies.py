"""Row-level security on customers and everything that hangs off them, generated from the declaration.

Per group role that may touch a customer-scoped table, one policy
``crm_<role>`` FOR ALL with USING and WITH CHECK:

* roles whose customer scope is ALL: ``true``;
* own-scope roles (sales): on ``customers`` the rows they own or that are
  shared with them; on ``customer_shares`` their own shares; on every other
  table ``customer_id IN (SELECT id FROM customers)`` (or the parent link,
  e.g. ``contract_id IN (SELECT id FROM contracts)``): the subquery applies
  the parent's own policy, so the rule exists once and nothing recurses.

Besides the customer scope, a role's rows are narrowed where the declaration says more:

* ``custom_field_values``: one policy per command; a value is read with the
  module rights of the record it belongs to (READ/EXPORT) and written with
  CREATE/UPDATE/IMPORT there, as the services do;
* ``customer_search_grams``: only entries derived from what the role may read
  (an engineer, who may not read contacts, sees no pair of a contact's name);
* ``import_batches``: only batches of modules the role imports, and for an
  own-scope role only his own; ``import_batch_records`` follow their batch.

The owner role gets a policy too (``crm_owner``): its SECURITY DEFINER
functions read as the owner and must still see only what the signed-in user
(``session_user``) may; a superuser session (migrations) sees everything.
RLS is ENABLEd and FORCEd (so it holds for the owner as well). Policies are
dropped and created again by name on every apply.
"""

from __future__ import annotations

from psycopg import sql

from crm_core.permissions import CUSTOMER_SCOPED, ROLES, Action, Scope, rights, scope_of, sees
from crm_core.permissions_tables import (CUSTOM_VALUES, CUSTOMER_LINKS, MODULE_TABLES,
                                         customer_scoped_tables, table_privileges)
from crm_core.pgsecurity.roles import GROUP_ROLES, OWNER, function_statements

ME = "(SELECT public.crm_me())"
OWN_RULES: dict[str, str] = {
    "customers": f"owner_id = {ME} OR id IN (SELECT customer_id FROM public.customer_shares WHERE user_id = {ME})",
    "customer_shares": f"user_id = {ME}",
    "import_batches": f"created_by_id = {ME}",
    "import_batch_records": "batch_id IN (SELECT id FROM public.import_batches)",
}
IMPORT_TABLES = ("import_batches", "import_batch_records")
GRAMS = "customer_search_grams"
# Kinds of customer_search_grams entries (crm_core.services.search_index): n the customer's name
# and e-mail, s the name's first pair (as n, kept apart), c contact names, p the customer's phone digits, q contact phone digits.
GRAM_SOURCES = {"n": (), "s": (), "c": ("contacts",), "p": ("phone",), "q": ("contacts", "phone")}
READ, WRITE = (Action.READ, Action.EXPORT), (Action.CREATE, Action.UPDATE, Action.IMPORT)


def protected_tables() -> list[str]:
    """Tables with row-level security: the customer-scoped ones and the custom field values."""
    return [*customer_scoped_tables(), CUSTOM_VALUES, *IMPORT_TABLES]


def own_rule(table: str) -> str:
    """The USING/WITH CHECK expression of ``table`` for a role limited to its own customers."""
    if table in OWN_RULES:
        return OWN_RULES[table]
    if table == CUSTOM_VALUES:
        return _custom_values_rule()
    column, parent = CUSTOMER_LINKS[table]
    return f"{column} IN (SELECT id FROM public.{parent})"


def _custom_values_rule(modules: list[str] | None = None, *, scoped: bool = True) -> str:
    """A custom value follows the record it belongs to, found through its definition's module.

    Args:
        modules: only values of these modules (None: of every module).
        scoped: the record must be visible (its table's policy); False for an all-customers role.
    """
    names = sorted(_custom_modules() if modules is None else modules)
    if not names:
        return "false"
    per_module = " OR ".join(
        f"(d.module = '{m}' AND record_id IN (SELECT id FROM public.{MODULE_TABLES[m][0]}))"
        if scoped and m in CUSTOMER_SCOPED else f"d.module = '{m}'" for m in names)
    return f"EXISTS (SELECT 1 FROM public.custom_field_definitions d WHERE d.id = definition_id AND ({per_module}))"


def _custom_modules() -> list[str]:
    """Modules whose records may have custom field values (as in permissions_tables)."""
    return sorted({m for m in CUSTOMER_SCOPED if MODULE_TABLES[m]} | {"users"})


def _modules_with(code: str, actions: tuple[Action, ...]) -> list[str]:
    return [m for m in _custom_modules() if any(rights(code).may(m, a) for a in actions)]


def custom_values_policies(code: str, role: str) -> list[sql.Composed]:
    """Per command: read the values of records of modules the role reads, write those of modules it writes."""
    scoped = scope_of(code, "customers") is not Scope.ALL
    read = _custom_values_rule(_modules_with(code, READ), scoped=scoped)
    write = _custom_values_rule(_modules_with(code, WRITE), scoped=scoped)
    out = _policy(CUSTOM_VALUES, role, role, read, command="SELECT")
    for command in ("INSERT", "UPDATE", "DELETE"):
        out += _policy(CUSTOM_VALUES, f"{role}_{command.lower()}", role, write, command=command)
    return out


def gram_rule(code: str) -> str | None:
    """The entries of the search index ``code`` may read (None: all of them).

    Raises:
        ValueError: the role writes the index but may not read all of it (its writes would
            collide with entries it cannot see): the declaration needs another design.
    """
    allowed = [k for k, needs in GRAM_SOURCES.items()
               if all(rights(code).may(n, Action.READ) if n == "contacts" else sees(code, n) for n in needs)]
    if len(allowed) == len(GRAM_SOURCES):
        return None
    if table_privileges(code).get(GRAMS, frozenset()) - {"SELECT"}:
        raise ValueError(f"{code} writes {GRAMS} but may not read all of it")
    from crm_core.pgsecurity.grants import tables

    if "kind" in tables()[GRAMS].columns:
        return "kind IN (" + ", ".join(f"'{k}'" for k in allowed) + ")"
    # An index without kinds holds pairs of customer and contact names: show only the customer's.
    folded = "regexp_replace(lower(c.name), '{}', '', 'g')"
    return ("EXISTS (SELECT 1 FROM public.customers c WHERE c.id = customer_id AND (strpos("
            + folded.format("[[:space:][:punct:]]+") + ", gram) > 0 OR strpos("
            + folded.format("[[:space:]]+") + ", gram) > 0))")


def role_rule(code: str, table: str) -> str:
    """USING/WITH CHECK of ``table`` for the group role of ``code`` (not custom values: per command)."""
    rule = "true" if scope_of(code, "customers") is Scope.ALL else own_rule(table)
    if table == "import_batches":
        modules = sorted(m for m in rights(code).modules if rights(code).may(m, Action.IMPORT))
        rule = f"module IN ({', '.join(repr(m) for m in modules) or 'NULL'}) AND ({rule})"
    elif table == "import_batch_records":
        rule = own_rule(table)
    elif table == GRAMS and gram_rule(code) is not None:
        rule = f"({rule}) AND {gram_rule(code)}"
    return rule


def _policy(table: str, name: str, role: str, rule: str, *, command: str = "ALL") -> list[sql.Composed]:
    using = sql.SQL(" USING ({})").format(sql.SQL(rule)) if command != "INSERT" else sql.SQL("")
    check = sql.SQL(" WITH CHECK ({})").format(sql.SQL(rule)) if command not in ("SELECT", "DELETE") else sql.SQL("")
    return [
        sql.SQL("CREATE POLICY {} ON public.{} AS PERMISSIVE FOR " + command + " TO {}{}{}").format(
            sql.Identifier(name), sql.Identifier(table), sql.Identifier(role), using, check),
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
        if table == CUSTOM_VALUES:
            out += custom_values_policies(code, role)
        else:
            out += _policy(table, role, role, role_rule(code, table))
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
