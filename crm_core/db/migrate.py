"""Schema versions: Alembic upgrades, the version check on connect, and the pre-upgrade backup."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from crm_core.errors import SchemaMismatch
from crm_core.i18n import Text
from crm_core.version import VERSION

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """What autogenerate compares: not the objects each backend keeps outside the ORM.

    The SQLite FTS5 search tables (and their shadow tables) are created by raw SQL;
    the pg_trgm indexes exist on PostgreSQL only; the search grams' foreign key exists
    on SQLite only (PostgreSQL keeps the grams consistent with two triggers, revision 0012); the
    NULLs-last sort indexes are expressions, written as raw SQL (revision 0014).
    """
    if type_ == "foreign_key_constraint" and name == "fk_customer_search_grams_customer_id_customers":
        return False
    if type_ == "table" and name and name.startswith(("customers_fts", "contacts_fts")):
        return False
    if type_ == "index" and name in ("ix_customers_search_text_trgm", "ix_contacts_name_trgm",
                                     "ix_contacts_email_trgm", "ix_contacts_phone_trgm"):
        return False
    if type_ == "index" and name and name.endswith("nulls_last_id"):  # expression indexes (revision 0014)
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
        if revision == "head":
            _write_stamp(conn, Release(VERSION, (read_release(conn) or Release("")).download))


@dataclass(frozen=True)
class Release:
    """The program version that last upgraded a database, and where an office gets its installers."""

    version: str
    download: str | None = None


def read_release(conn: Connection) -> Release | None:
    """The release stamped into the database by :func:`stamp_release` (None: never stamped)."""
    if conn.dialect.name == "sqlite":
        number = conn.exec_driver_sql("PRAGMA user_version").scalar() or 0
        return Release(f"{number // 1_000_000}.{number // 1_000 % 1_000}.{number % 1_000}") if number else None
    comment = conn.exec_driver_sql(
        "SELECT obj_description(to_regclass('alembic_version'), 'pg_class')").scalar()
    try:
        data = json.loads(comment) if comment else None
        return Release(str(data["crm_desktop"]), data.get("download")) if data else None
    except (ValueError, KeyError, TypeError):
        return None


def stamp_release(engine: Engine, download: str | None = None) -> Release:
    """Record this program's version (and, on a server, the installers' location) in the database.

    PostgreSQL keeps it as the comment of ``alembic_version`` (readable by every
    login, no grants or row policies involved); an embedded file as SQLite's
    ``user_version`` (the version only: its clients are on the same computer).
    ``download`` None keeps the location stamped before.
    """
    with engine.begin() as conn:
        before = read_release(conn)
        release = Release(VERSION, download if download is not None else (before.download if before else None))
        _write_stamp(conn, release)
    return release


def _write_stamp(conn: Connection, release: Release) -> None:
    if conn.dialect.name == "sqlite":
        major, minor, patch = ([int(n) for n in re.findall(r"\d+", release.version)] + [0, 0, 0])[:3]
        conn.exec_driver_sql(f"PRAGMA user_version = {major * 1_000_000 + minor * 1_000 + patch}")
        return
    data = {"crm_desktop": release.version, **({"download": release.download} if release.download else {})}
    literal = json.dumps(data, ensure_ascii=False).replace("'", "''")
    conn.exec_driver_sql(f"COMMENT ON TABLE alembic_version IS '{literal}'")


def _where(release: Release | None, version: str | None) -> Text:
    """Where to get the installer of ``version``."""
    version = version or "…"
    files = f"crm-desktop-{version}-setup.exe (Windows) / crm-desktop_{version}_amd64.deb (Linux)"
    if release is not None and release.download:
        return Text(f"安装程序在 {release.download}（{files}）。", f"The installers are in {release.download} ({files}).")
    return Text(f"安装程序（{files}）请向管理员索取。", f"Ask your administrator for the installer ({files}).")


def check(engine: Engine) -> None:
    """Raise :class:`SchemaMismatch` unless the database is at this program's revision.

    The message names the version to install (stamped into the database by the
    ``crm-admin`` that upgraded it) and where the installers are.
    """
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    with engine.connect() as conn:
        release = read_release(conn)
    too_new = current is not None and current not in known_revisions()
    server = release.version if release else None
    other = server if server != VERSION else None  # a version the user could install instead
    if too_new:
        zh_want, en_want = (server, server) if server else ("（更新的版本）", "(a newer version)")
        where = _where(release, server)
        msg = Text(f"数据库（版本 {current}）已由 CRM Desktop {zh_want} 升级，比本程序（{VERSION}）新：请升级 CRM 客户端，"
                   f"安装 CRM Desktop {zh_want}。{where.zh}",
                   f"The database (revision {current}) was upgraded by CRM Desktop {en_want} and is newer than this "
                   f"program ({VERSION}): please update the CRM client to CRM Desktop {en_want}. {where.en}")
    elif current is None:
        msg = Text(f"数据库是空的：请管理员用 CRM Desktop {VERSION} 的 crm-admin db upgrade 建立它。",
                   f"The database is empty: an administrator must create it with crm-admin db upgrade "
                   f"of CRM Desktop {VERSION}.")
    else:
        zh_older, en_older = (f"CRM Desktop {server}",) * 2 if server else ("较早的 CRM Desktop", "an older CRM Desktop")
        msg = Text(f"数据库（版本 {current}，{zh_older}）比本程序（CRM Desktop {VERSION}）旧：请管理员在服务器上用 "
                   f"CRM Desktop {VERSION} 的 crm-admin db upgrade 升级数据库"
                   + (f"，或在本机重新安装 CRM Desktop {other}。" if other else "。"),
                   f"The database (revision {current}, {en_older}) is older than this program (CRM Desktop "
                   f"{VERSION}): an administrator must upgrade it with crm-admin db upgrade of CRM Desktop {VERSION}"
                   + (f", or install CRM Desktop {other} on this computer again." if other else "."))
    raise SchemaMismatch(msg, database_revision=current, program_revision=head, too_new=too_new,
                         database_version=server)


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
