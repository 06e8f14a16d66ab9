"""Reading the database-written audit trail (``audit_trail``) as plain entries.

On PostgreSQL with per-user logins the trail is the operation log the app
shows: triggers write it as the table owner, with the real login as actor, and
no user role can change it. Entries say who (login), when, which table and
row, the operation, the fields it changed and the values before and after
(sensitive ones masked by the trigger).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from crm_core.models import AuditTrailEntry, User
from crm_core.services.query import Page

BOOKKEEPING = frozenset({"version", "updated_at", "updated_by_id"})


def changed_fields(op: str, before: dict | None, after: dict | None) -> list[str]:
    """The fields an operation set, changed or removed (bookkeeping columns left out)."""
    if op == "UPDATE":
        keys = set(before or {}) | set(after or {})
        changed = {k for k in keys if (before or {}).get(k) != (after or {}).get(k)}
    else:
        changed = {k for k, v in (after if op == "INSERT" else before or {}).items() if v is not None}
    return sorted(changed - BOOKKEEPING - {"id"})


def table_of(module: str) -> str:
    """The table behind a module name (as the app's audit_log names it); else the name itself."""
    from crm_core.modules import SPECS

    spec = SPECS.get(module)
    return spec.model.__tablename__ if spec is not None else module


def _entry(e: AuditTrailEntry) -> dict[str, Any]:
    return {"id": e.id, "at": e.at, "actor": e.actor, "table": e.table_name, "row_id": e.row_id, "op": e.op,
            "changed": changed_fields(e.op, e.before, e.after), "before": e.before, "after": e.after}


def trail_page(s: Session, stmt: Select, limit: int) -> Page:
    """One page of ``stmt`` (newest first; the cursor is the last id, for ``before_id``)."""
    rows = list(s.scalars(stmt.order_by(AuditTrailEntry.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page([_entry(e) for e in rows], (rows[-1].id,) if more and rows else None)


def trail_query(s: Session, *, table: str | None = None, row_id: int | None = None, actor: str | None = None,
                actor_id: int | None = None, before_id: int | None = None) -> Select:
    stmt = select(AuditTrailEntry)
    if table:
        stmt = stmt.where(AuditTrailEntry.table_name == table)
    if row_id is not None:
        stmt = stmt.where(AuditTrailEntry.row_id == row_id)
    if actor_id is not None:
        login = s.scalar(select(User.login).where(User.id == actor_id))
        actor = (login or "").lower() or "\x00"  # an unknown user has no entries
    if actor:
        stmt = stmt.where(AuditTrailEntry.actor == actor.lower())
    if before_id is not None:
        stmt = stmt.where(AuditTrailEntry.id < before_id)
    return stmt


def as_log_entry(entry: dict[str, Any], actor_ids: dict[str, int]) -> dict[str, Any]:
    """A trail entry in the shape of an ``audit_log`` entry (for views written for that)."""
    return {"id": entry["id"], "at": entry["at"], "actor_id": actor_ids.get(entry["actor"]),
            "actor_login": entry["actor"], "action": entry["op"].lower(), "module": entry["table"],
            "record_id": entry["row_id"], "before": entry["before"], "after": entry["after"],
            "flagged": False, "changed": entry["changed"]}
