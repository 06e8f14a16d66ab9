"""CRM Desktop domain package: models, services, permissions. Never imports Qt.

Typical use::

    from crm_core import connect, default_profile
    session = connect(default_profile(), "zhangsan", "secret123")
    page = session.customers.list(ListQuery(search="华为"))
"""

from crm_core.config import Profile, default_profile, load_profiles
from crm_core.errors import (AuthenticationFailed, ConcurrencyConflict, ConfigurationError, CrmError,
                             DatabaseUnavailable, FieldError, InUse, NotFound, PermissionDenied, RecordInactive,
                             SchemaMismatch, ValidationError)
from crm_core.i18n import Text
from crm_core.services.query import Filter, ListQuery, Page
from crm_core.session import CrmSession, connect, create_first_admin, needs_first_admin, open_database

__all__ = [
    "AuthenticationFailed", "ConcurrencyConflict", "ConfigurationError", "CrmError", "CrmSession",
    "DatabaseUnavailable", "FieldError", "Filter", "InUse", "ListQuery", "NotFound", "Page", "PermissionDenied",
    "Profile", "RecordInactive", "SchemaMismatch", "Text", "ValidationError", "connect", "create_first_admin",
    "default_profile", "load_profiles", "needs_first_admin", "open_database",
]
