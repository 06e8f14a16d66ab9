"""Modules imported by a name string, which PyInstaller's import scan cannot see.

Our own are declared in three tables, read here so that each lives in one place:
``crm_core._EXPORTS`` (PEP 562 lazy names, so the sign-in window opens before
SQLAlchemy loads), ``crm_core.services.registry._EXTRA`` (services created on
first use) and ``crm_desktop.panels.PANELS`` (a form's action panel).
tests/packaging/test_lazy_modules.py fails when a new ``import_module`` appears elsewhere.
"""

from __future__ import annotations

# Third-party modules loaded by name: SQLAlchemy dialects from the URL, keyring backends,
# Alembic's per-database implementations and what the migration scripts (data files) import.
THIRD_PARTY = (
    "sqlalchemy.dialects.sqlite", "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlalchemy.dialects.postgresql", "sqlalchemy.dialects.postgresql.psycopg",
    "psycopg", "psycopg_binary",
    "alembic.ddl.sqlite", "alembic.ddl.postgresql", "alembic.runtime.migration", "alembic.op", "alembic.context",
    "keyring.backends.SecretService", "keyring.backends.Windows", "keyring.backends.chainer", "keyring.backends.fail",
    "keyring.backends.null",
    "crm_core.models", "crm_core.db.types", "crm_core.db.base",
)


def our_lazy_modules() -> list[str]:
    """Every module of ours that is imported by a name string."""
    from crm_core import _EXPORTS
    from crm_core.services.registry import _EXTRA
    from crm_desktop.panels import PANELS

    return sorted(set(_EXPORTS.values()) | {module for module, _ in _EXTRA.values()}
                  | {module for module, _ in PANELS.values()})


def hidden_imports() -> list[str]:
    """What the spec passes to PyInstaller as ``hiddenimports``."""
    return sorted(set(our_lazy_modules()) | set(THIRD_PARTY))
