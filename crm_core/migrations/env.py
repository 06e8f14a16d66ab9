"""Alembic environment: always run programmatically with a connection (see crm_core.db.migrate)."""

from alembic import context

import crm_core.models  # noqa: F401  (registers the tables)
from crm_core.db.base import Base
from crm_core.db.migrate import include_object

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `crm-admin db upgrade` (crm_core.db.migrate)")



context.configure(
    include_object=include_object,
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
