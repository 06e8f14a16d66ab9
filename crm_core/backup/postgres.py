"""The office server: ``pg_dump -Fc`` from an exported snapshot, verification in a scratch database, restore.

Verification needs a yardstick that holds while people keep working: the dump
is taken with ``pg_dump --snapshot`` from a snapshot this module exports in a
REPEATABLE READ transaction, and the per-table row counts and checksums of the
manifest are computed in that same transaction. They describe exactly what the
dump holds, so restoring the dump into a scratch database must give the same.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from crm_core.backup.files import (BackupError, Progress, globals_path, read_manifest, remove_backup, report, stamp,
                                   write_manifest)
from crm_core.backup.sqlite import compare
from crm_core.config import Profile
from crm_core.db.engine import make_engine
from crm_core.i18n import Text
from crm_core.private_files import private_dir, private_file

# Same text form of values on both sides of a comparison, whatever the role's or server's defaults.
_SESSION_SETTINGS = ("SET LOCAL TimeZone = 'UTC'", "SET LOCAL DateStyle = 'ISO, YMD'",
                     "SET LOCAL IntervalStyle = 'iso_8601'", "SET LOCAL extra_float_digits = 3",
                     "SET LOCAL bytea_output = 'hex'")
Credentials = tuple[str | None, str | None]


def backup(profile: Profile, credentials: Credentials, dest_dir: Path, label: str, progress: Progress = None) -> Path:
    """Dump the database into ``dest_dir`` with its manifest (and the server's roles when permitted)."""
    pg_dump = tool("pg_dump")
    # pg_dump writes into the file made 0600 here (it truncates, keeping the mode).
    dest = private_file(private_dir(dest_dir) / f"crm-{profile.database}-{label}-{stamp()}.dump")
    url = profile.url(*credentials)
    engine = make_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True) as conn:
            with conn.begin():
                role = _backup_role(conn)
                if role:  # a backup job's own login: read as crm_backup, past row-level security
                    conn.execute(text(f'SET ROLE "{role}"'))
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                report(progress, 0, 3)
                run(url, profile, [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--file", str(dest),
                                   *([f"--role={role}"] if role else [])],
                    Text("pg_dump 失败", "pg_dump failed"), dbname=profile.database)
                run(url, profile, [tool("pg_restore"), "--list", str(dest)],
                    Text("备份文件无法读取", "The backup cannot be read back"), connect=False)
                report(progress, 1, 3)
                tables, revision = table_checksums(conn), _revision(conn)
        report(progress, 2, 3)
        note = _dump_globals(profile, url, dest)
        write_manifest(dest, {"backend": "postgresql", "database": profile.database, "revision": revision,
                              "created_at": dt.datetime.now(dt.timezone.utc).isoformat(), "snapshot": snapshot,
                              "globals": note, "tables": tables})
        report(progress, 3, 3)
    except DBAPIError as exc:
        remove_backup(dest)
        raise BackupError(Text(f"备份失败：{exc.orig}", f"The backup failed: {exc.orig}")) from None
    except BaseException:
        remove_backup(dest)
        raise
    finally:
        engine.dispose()
    return dest


def verify(profile: Profile, credentials: Credentials, path: Path, progress: Progress = None) -> dict[str, Any]:
    """Restore the dump into a scratch database and compare it table by table with its manifest.

    The scratch database (``crm_verify_<random>``) is dropped afterwards in
    every case; creating it needs the CREATEDB right.
    """
    if not path.is_file():
        raise BackupError(Text(f"备份文件不存在：{path}", f"The backup file does not exist: {path}"))
    manifest = read_manifest(path)
    url = profile.url(*credentials)
    scratch = f"crm_verify_{secrets.token_hex(6)}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        _create_scratch(admin, scratch)
        try:
            report(progress, 0, 2)
            run(url, profile, [tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", str(path)],
                Text("还原到临时数据库失败", "Restoring into the scratch database failed"), dbname=scratch)
            report(progress, 1, 2)
            engine = make_engine(url.set(database=scratch))
            try:
                with engine.connect() as conn, conn.begin():
                    _lift_row_security(conn)
                    tables, revision = table_checksums(conn), _revision(conn)
            finally:
                engine.dispose()
            report(progress, 2, 2)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    finally:
        admin.dispose()
    mismatches = compare(manifest["tables"], tables) if manifest else []
    return {"integrity": "ok", "revision": revision, "tables": tables, "mismatches": mismatches,
            "manifest": manifest is not None}


def other_connections(conn: Connection) -> int:
    """Client connections to this database other than this one (other CRM clients, psql ...)."""
    return conn.execute(text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")).scalar_one()


def dump_revision(profile: Profile, path: Path) -> str | None:
    """The schema revision inside a dump (its ``alembic_version`` row), read without a server."""
    done = run(profile.url(), profile, [tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-",
                                        str(path)], Text("备份文件无法读取", "The backup cannot be read"), connect=False)
    lines = done.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and i + 1 < len(lines) and lines[i + 1] != "\\.":
            return lines[i + 1].strip()
    return None


def restore(profile: Profile, credentials: Credentials, path: Path) -> None:
    """``pg_restore --clean --if-exists --single-transaction``: all of the backup or, on an error, nothing."""
    url = profile.url(*credentials)
    run(url, profile, [tool("pg_restore"), "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
                       str(path)], Text("还原失败（数据库未改变）", "The restore failed (the database is unchanged)"),
        dbname=profile.database, lock_timeout=True)


def table_checksums(conn: Connection) -> dict[str, dict[str, Any]]:
    """Per table of the schema: row count and ``md5`` over the rows' text in primary-key order.

    Computed by the server in SQL, identically on the source and on a restored
    copy (same settings for the text form of values, same collation).
    """
    for statement in _SESSION_SETTINGS:
        conn.execute(text(statement))
    names = conn.execute(text(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1")).scalars().all()
    result = {}
    for name in names:
        order = _order_by(conn, name)
        rows, checksum = conn.execute(text(
            f'SELECT count(*), md5(coalesce(string_agg(md5(crm_row_::text), \'\' ORDER BY {order}), \'\')) '
            f'FROM "{name}" AS crm_row_')).one()
        result[name] = {"rows": rows, "checksum": checksum}
    return result


def tool(name: str) -> str:
    """The path of a PostgreSQL client program, or a message saying what to install."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(Text(f"找不到 {name}。请安装 PostgreSQL 客户端工具（与服务器版本相同或更新）并加入 PATH。",
                               f"{name} was not found. Install the PostgreSQL client tools (same version as the "
                               f"server or newer) and put them on PATH."))
    return found


def run(url: URL, profile: Profile, cmd: list[str], failure: Text, *, dbname: str | None = None,
        connect: bool = True, lock_timeout: bool = False) -> str:
    """Run a client program with the connection in its arguments and the password in its environment."""
    env = {**os.environ, "PGSSLMODE": profile.sslmode, "PGAPPNAME": "crm-backup"}
    if url.password:
        env["PGPASSWORD"] = url.password  # the environment, not the argument list, which others can read
    if lock_timeout:  # a client holding a table must make the restore fail, not hang
        env["PGOPTIONS"] = "-c lock_timeout=60s"
    if connect:
        cmd = [*cmd, "--no-password", "--host", profile.host, "--port", str(profile.port)]
        cmd += ["--username", url.username] if url.username else []
        cmd += ["--dbname", dbname] if dbname else []
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        detail = done.stderr.strip()
        raise BackupError(Text(f"{failure.zh}（退出码 {done.returncode}）：{detail}",
                               f"{failure.en} (exit status {done.returncode}): {detail}"))
    return done.stdout


# ------------------------------------------------------------------ helpers

def _dump_globals(profile: Profile, url: URL, dest: Path) -> str:
    """The server's roles next to the dump; a role that may not read them is noted, not a failure."""
    try:
        private_file(globals_path(dest))  # password verifiers: 0600 before pg_dumpall writes them
        run(url, profile, [tool("pg_dumpall"), "--globals-only", "--file", str(globals_path(dest)),
                           "--database", profile.database], Text("pg_dumpall 失败", "pg_dumpall failed"))
    except BackupError as exc:
        globals_path(dest).unlink(missing_ok=True)
        return f"not saved (not permitted for this login): {exc.message.en}"
    return globals_path(dest).name


BACKUP_ROLE = "crm_backup"  # crm_core.pgsecurity.roles.BACKUP: reads every table, BYPASSRLS


def _backup_role(conn: Connection) -> str | None:
    """``crm_backup`` when the login is a plain member of it (a backup job's login), else None.

    Role attributes are not inherited: the login itself cannot read past row-level
    security, only after ``SET ROLE crm_backup`` (and ``pg_dump --role``).
    """
    return conn.execute(text(
        "SELECT CASE WHEN r.rolsuper OR r.rolbypassrls OR to_regrole(:role) IS NULL THEN NULL "
        "WHEN pg_has_role(r.oid, to_regrole(:role), 'MEMBER') THEN :role END "
        "FROM pg_roles r WHERE r.rolname = current_user"), {"role": BACKUP_ROLE}).scalar()


def _lift_row_security(conn: Connection) -> None:
    """In the scratch copy (owned by the login that restored it): rows are counted without policies.

    A superuser reads past them anyway; a backup job's login owns the copy, and its
    FORCEd policies would hide every row from it.
    """
    if conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar():
        return
    for (name,) in conn.execute(text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relrowsecurity")).all():
        conn.execute(text(f'ALTER TABLE "{name}" DISABLE ROW LEVEL SECURITY'))


def _create_scratch(admin: Any, name: str) -> None:
    """A scratch database with the source's collation, so text keys sort the same on both sides."""
    with admin.connect() as conn:
        collate, ctype = conn.execute(text(
            "SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()")).one()
        try:
            conn.execute(text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                              f"LC_COLLATE '{collate}' LC_CTYPE '{ctype}'"))
        except DBAPIError as exc:
            raise BackupError(Text(
                f"无法创建用于校验的临时数据库（连接账户需要 CREATEDB 权限）：{exc.orig}",
                f"Cannot create the scratch database for the verification (the login needs CREATEDB): {exc.orig}"
            )) from None


def _order_by(conn: Connection, table: str) -> str:
    pk = conn.execute(text(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = CAST(:t AS regclass) AND i.indisprimary "
        "ORDER BY array_position(CAST(i.indkey AS int2[]), a.attnum)"), {"t": f'"{table}"'}).scalars().all()
    if pk:
        return ", ".join(f'crm_row_."{c}"' for c in pk)
    return "md5(crm_row_::text)"


def _revision(conn: Connection) -> str | None:
    exists = conn.execute(text("SELECT to_regclass('alembic_version')")).scalar()
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if exists else None
