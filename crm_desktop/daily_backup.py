"""The automatic daily backup of the embedded database, started after an administrator signs in.

On a workstation's SQLite file nobody runs a server job, so the first
administrator sign-in of the day makes the backup (when the last one is older
than a day). PostgreSQL servers schedule ``crm-admin backup --verify`` instead
(docs/backups.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from crm_core.permissions import Action, rights
from crm_desktop.background import Operation, run_in_background

log = logging.getLogger(__name__)


def start_daily_backup(session: Any, on_done: Callable[[dict[str, Any] | None], None],
                       on_failed: Callable[[BaseException], None] | None = None) -> Operation | None:
    """Run ``session.backups.run_daily_if_due()`` in the background for an admin on the embedded database.

    ``on_done`` receives the recorded run, or None when no backup was due.
    Returns the operation, or None when this session does not make daily backups.
    A failure is logged (and recorded by crm_core) unless ``on_failed`` is given:
    it must not stop anyone from working.
    """
    if session.backend != "sqlite" or not rights(session.actor.role).may("users", Action.ADMIN):
        return None
    return run_in_background(session.backups.run_daily_if_due, done=on_done, failed=on_failed or _log_failure)


def _log_failure(exc: BaseException) -> None:
    log.warning("the daily backup failed: %s", exc)
