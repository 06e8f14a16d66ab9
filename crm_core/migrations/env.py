"""Alembic environment: always run programmatically with a connection (see crm_core.db.migrate)."""

from alembic import context

import crm_core.models  # noqa: F401  (registers the tables)
from crm_core.db.base import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `crm-admin db upgrade` (crm_core.db.migrate)")



def include_object(obj, name, type_, reflected, compare_to):
    # The SQLite FTS5 search table and its shadow tables live outside the ORM.
    return not (type_ == "table" and name and name.startswith("customers_fts"))


context.configure(
    include_object=include_object,
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
