"""The program's version (the one place it is written; pyproject.toml reads it too).

``crm-admin db upgrade`` stamps it into the database (see :func:`crm_core.db.migrate.stamp_release`),
so a client of another version can say which version to install.
"""

VERSION = "0.1.0"
