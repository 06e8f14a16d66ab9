"""Schema versions: Alembic upgrades, the version check on connect, and the pre-upgrade backup."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from crm_core.errors import SchemaMismatch
from crm_core.i18n import Text

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """What autogenerate compares: not the objects each backend keeps outside the ORM.

    The SQLite FTS5 search tables (and their shadow tables) are created by raw SQL;
    the pg_trgm indexes exist on PostgreSQL only.
    """
    if type_ == "table" and name and name.startswith(("customers_fts", "contacts_fts")):
        return False
    if type_ == "index" and name in ("ix_customers_search_text_trgm", "ix_contacts_name_trgm",
                                     "ix_contacts_email_trgm", "ix_contacts_phone_trgm"):
        return False
    return True


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The schema revision this program expects."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head", *, role: str | None = None) -> None:
    """Bring the schema to ``revision`` (head by default).

    ``role`` (PostgreSQL): run the migrations after ``SET LOCAL ROLE role``, so
    that role (``crm_owner``) owns the tables they create.
    """
    cfg = _config()
    with engine.begin() as conn:
        if role is not None:
            conn.exec_driver_sql(f"SET LOCAL ROLE {conn.dialect.identifier_preparer.quote(role)}")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def check(engine: Engine) -> None:
    """Raise :class:`SchemaMismatch` unless the database is at this program's revision."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    too_new = current is not None and current not in known_revisions()
    if too_new:
        msg = Text(f"数据库版本（{current}）比本程序新，请升级 CRM 客户端。",
                   f"The database (revision {current}) is newer than this program; please update the CRM client.")
    else:
        msg = Text(f"数据库版本（{current or '空'}）比本程序旧，请管理员运行 crm-admin db upgrade。",
                   f"The database (revision {current or 'empty'}) is older than this program; an administrator must run crm-admin db upgrade.")
    raise SchemaMismatch(msg, database_revision=current, program_revision=head, too_new=too_new)


def backup_sqlite(source: Path, dest_dir: Path, label: str) -> Path:
    """Copy a live SQLite database with the online backup API (never a file copy)."""
    from crm_core.private_files import private_dir, private_file

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = private_file(private_dir(dest_dir) / f"crm-{label}-{stamp}.sqlite3")
    src = sqlite3.connect(str(source))
    try:
        dst = sqlite3.connect(str(dest))
        try:
            src.backup(dst)
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if ok != "ok":
        dest.unlink(missing_ok=True)
        raise RuntimeError(f"backup of {source} failed its integrity check: {ok}")
    return dest


def upgrade_embedded(engine: Engine, path: Path, backup_dir: Path) -> Path | None:
    """Upgrade an embedded database on start, after a backup copy when it already has data.

    Returns the backup made, if any.
    """
    current = current_revision(engine)
    if current == head_revision():
        return None
    if current is not None and current not in known_revisions():
        check(engine)  # raises "too new"
    backup = None
    if current is not None and path.exists():
        backup = backup_sqlite(path, backup_dir, f"before-upgrade-{current}")
    upgrade(engine)
    return backup
