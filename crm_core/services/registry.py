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
            from crm_core.modules.admin import AuditService
            from crm_core.services.privacy import PrivacyService

            extra = {"audit": AuditService, "privacy": PrivacyService}
            cls = SERVICE_CLASSES.get(name) or extra.get(name)
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
