"""Loading records when the database itself hides columns (PostgreSQL, per-user logins).

In database-auth mode a role has no SELECT on the columns it may not read in
full (phones for an engineer, ID numbers for sales, colleagues' private data;
``customers.search_text``, which holds phone digits). An ORM ``select(Model)``
would name those columns and fail. This hook, on every ORM select of whole
entities, defers the columns the connected login cannot read and then fills
them in one call per page and column: declared sensitive columns get the
masked value from ``crm_masked`` (so records show ``138****5678`` as in app
mode), other unreadable columns ``None``. The values are set as the loaded
state, so nothing tries to load them later and sending a masked value back
unchanged still keeps the real one.

On SQLite, and on PostgreSQL when the login may read every column (app mode,
superusers), nothing changes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import ORMExecuteState, Session, defer, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

_CRM_LOGIN = text("""
    SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                   JOIN pg_roles r ON r.oid = m.member
                   WHERE r.rolname = session_user AND NOT r.rolsuper AND g.rolname LIKE 'crm\\_%')""")

_HIDDEN = text("""
    SELECT c.relname, a.attname FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relkind IN ('r', 'p') AND has_any_column_privilege(c.oid, 'SELECT')
      AND NOT has_column_privilege(c.oid, a.attnum, 'SELECT')""")

_MASKED = text("SELECT id, value FROM crm_masked(:tbl, :col, CAST(:ids AS bigint[]))")


def database_auth(s: Session) -> bool:
    """True when ``s`` runs as a CRM user's own PostgreSQL login (database-auth mode).

    Decided by the server (the login is a member of a ``crm_`` group role), cached per
    pooled connection: membership in *some* CRM group does not change while a login exists.
    """
    if s.get_bind().dialect.name != "postgresql":
        return False
    info = s.connection().info
    if "crm_login" not in info:
        info["crm_login"] = bool(s.execute(_CRM_LOGIN).scalar())
    return info["crm_login"]


def hidden_columns(s: Session, role: str | None = None) -> dict[str, set[str]]:
    """Table -> columns the connected login may not SELECT.

    Without ``role``: read once per unit of work. With the actor's ``role`` (as the
    caller confirmed it in this transaction): read once per pooled connection and
    role. What a login may read changes only with its group role, which changes
    only with ``users.role`` (an admin's role change re-grants in the same
    transaction), so a role change reads it again; a grant made by hand is still
    enforced by the server (the statement fails with "permission denied").
    """
    if "crm_hidden" in s.info:
        return s.info["crm_hidden"]
    by_role = None
    if role is not None and s.get_bind().dialect.name == "postgresql":
        by_role = s.connection().info.setdefault("crm_hidden_by_role", {})
        if role in by_role:
            return by_role[role]
    hidden: dict[str, set[str]] = {}
    if database_auth(s):
        for table, column in s.execute(_HIDDEN):
            hidden.setdefault(table, set()).add(column)
    s.info["crm_hidden"] = hidden
    if by_role is not None:
        by_role[role] = hidden
    return hidden


def _sensitivity(model: Any, column: str) -> str | None:
    from crm_core.modules import SPECS

    for spec in SPECS.values():
        if spec.model is model:
            f = spec.all_fields.get(column)
            return f.sensitive if f is not None else None
    return None


def _entities(state: ORMExecuteState) -> list[Any]:
    try:
        descriptions = state.statement.column_descriptions
    except AttributeError:
        return []
    return [d["entity"] for d in descriptions if d.get("entity") is not None and d.get("expr") is d["entity"]]


def fill_hidden(s: Session, model: Any, objs: list[Any], columns: set[str]) -> None:
    """Set the masked value (declared sensitive columns) or None as the loaded state of ``columns``."""
    ids = [o["id"] if isinstance(o, dict) else o.id for o in objs]
    for column in sorted(columns):
        values: dict[int, Any] = {}
        if ids and _sensitivity(model, column) not in (None, "private"):  # private: not shown at all
            values = dict(s.execute(_MASKED, {"tbl": model.__tablename__, "col": column, "ids": ids}).all())
        for obj in objs:
            if isinstance(obj, dict):  # a row listed without the ORM (records.LoadedRow)
                obj[column] = values.get(obj["id"])
            else:
                set_committed_value(obj, column, values.get(obj.id))


def install(sessions: sessionmaker) -> None:
    """Register the hook on a session factory (every PostgreSQL :class:`~crm_core.db.engine.Database` does).

    Explicit, not an import side effect: a program that signs in with ``crm_core.connect``
    gets it whatever it imported before.
    """
    # Unconditionally (call it once per factory): event.contains() keys its registry by id(), and the id of
    # a factory's session class that was garbage-collected is handed out again to a new one.
    event.listen(sessions, "do_orm_execute", _hide_unreadable_columns)


def _hide_unreadable_columns(state: ORMExecuteState) -> Any:
    """Defer what the login cannot read, then fill it with masks (see the module note)."""
    if not state.is_select or state.is_column_load or state.is_relationship_load:
        return None
    entities = _entities(state)
    if not entities:
        return None
    hidden = hidden_columns(state.session)
    targets = {m: hidden[m.__tablename__] for m in entities if hidden.get(getattr(m, "__tablename__", ""))}
    if not targets:
        return None
    options = [defer(getattr(m, c)) for m, cols in targets.items() for c in cols if hasattr(m, c)]
    frozen = state.invoke_statement(statement=state.statement.options(*options)).freeze()
    for model, cols in targets.items():
        objs = list({id(o): o for row in frozen() for o in row if isinstance(o, model)}.values())
        fill_hidden(state.session, model, objs, {c for c in cols if hasattr(model, c)})
    return frozen()


_USES = {"filter": ("筛选", "filter by"), "sort": ("排序", "sort by"), "search": ("搜索", "search")}


def require_unmasked(field: Any, role: str, use: str) -> None:
    """Refuse to filter or sort by a field the role reads masked.

    A filter on a masked phone (``contains "1381234"``) or an ordering by it answers
    questions about the hidden digits one at a time: the rule must hold on every
    path that touches the value, not only where it is shown.

    Raises:
        PermissionDenied: names the field and the use (filter / sort).
    """
    from crm_core.errors import PermissionDenied
    from crm_core.i18n import Text
    from crm_core.permissions import sees

    if field.sensitive and not sees(role, field.sensitive):
        zh, en = _USES[use]
        raise PermissionDenied(Text(
            f"“{field.label.zh}”对您的角色是隐藏的（只显示部分），不能按它{zh}。",
            f"'{field.label.en}' is masked for your role and cannot be used to {en}."))
