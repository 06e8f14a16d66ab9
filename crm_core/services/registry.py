"""All services of one signed-in session, created on first use."""

from __future__ import annotations

from typing import Any

from crm_core.db.engine import Database
from crm_core.services.context import Actor, Context


class Services:
    """``services.customers``, ``services["contacts"]``, ``services.audit``, ``services.privacy``."""

    def __init__(self, db: Database, actor: Actor):
        self._ctx = Context(db, actor, self)
        self._cache: dict[str, Any] = {}

    @property
    def context(self) -> Context:
        return self._ctx

    def __getitem__(self, name: str) -> Any:
        if name not in self._cache:
            from crm_core.modules import SERVICE_CLASSES

            cls = SERVICE_CLASSES.get(name) or _extra_service(name)
            if cls is None:
                raise KeyError(name)
            self._cache[name] = cls(self._ctx)
        return self._cache[name]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


# Services that are not one module's records, imported on first use.
_EXTRA = {
    "audit": ("crm_core.modules.admin", "AuditService"),
    "privacy": ("crm_core.services.privacy", "PrivacyService"),
    "imports": ("crm_core.importing.service", "ImportService"),
    "exports": ("crm_core.exporting", "ExportService"),
    "reports": ("crm_core.reports.service", "ReportService"),
    "dashboard": ("crm_core.reports.dashboard", "DashboardService"),
    "settings": ("crm_core.settings", "SettingsService"),
    "mail": ("crm_core.mail", "MailService"),
    "backups": ("crm_core.backup.service", "BackupService"),
    "workbench": ("crm_core.modules.workbench", "WorkbenchService"),
}


def _extra_service(name: str) -> Any:
    import importlib

    where = _EXTRA.get(name)
    if where is None:
        return None
    return getattr(importlib.import_module(where[0]), where[1])
