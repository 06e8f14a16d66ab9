"""Writing and reading the operation log (操作日志)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_core.models import AuditEntry
from crm_core.services.context import Actor


def write_audit(s: Session, actor: Actor | None, action: str, module: str, record_id: int | None,
                before: dict[str, Any] | None, after: dict[str, Any] | None, *, flagged: bool = False) -> None:
    """Add one audit entry to the current unit of work (it commits or rolls back with the change)."""
    s.add(AuditEntry(
        actor_id=actor.user_id if actor else None,
        actor_login=actor.login if actor else None,
        action=action, module=module, record_id=record_id,
        before=before, after=after, flagged=flagged,
    ))
