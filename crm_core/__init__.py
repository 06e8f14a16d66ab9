"""CRM Desktop domain package: models, services, permissions. Never imports Qt.

Typical use::

    from crm_core import connect, default_profile
    session = connect(default_profile(), "zhangsan", "secret123")
    page = session.customers.list(ListQuery(search="华为"))

Names are imported on first use (PEP 562), so that ``crm_core.lists``,
``crm_core.errors`` and ``crm_core.i18n`` can be used without loading
SQLAlchemy: the desktop client shows its login window before that.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Profile": "crm_core.config", "default_profile": "crm_core.config", "load_profiles": "crm_core.config",
    "AuthenticationFailed": "crm_core.errors", "ConcurrencyConflict": "crm_core.errors",
    "ConfigurationError": "crm_core.errors", "CrmError": "crm_core.errors", "DatabaseUnavailable": "crm_core.errors",
    "DatabaseBusy": "crm_core.errors",
    "FieldError": "crm_core.errors", "InUse": "crm_core.errors", "NotFound": "crm_core.errors",
    "PermissionDenied": "crm_core.errors", "RecordInactive": "crm_core.errors", "SchemaMismatch": "crm_core.errors",
    "ValidationError": "crm_core.errors",
    "Text": "crm_core.i18n",
    "Count": "crm_core.lists", "Filter": "crm_core.lists", "ListQuery": "crm_core.lists", "Page": "crm_core.lists",
    "CrmSession": "crm_core.session", "connect": "crm_core.session", "create_first_admin": "crm_core.session",
    "needs_first_admin": "crm_core.session", "open_database": "crm_core.session",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'crm_core' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
