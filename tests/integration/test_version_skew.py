"""A client of another version than the database says which CRM Desktop to install and where to get it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from crm_core import SchemaMismatch, open_database
from crm_core.db import migrate
from crm_core.db.migrate import Release
from crm_core.version import VERSION
from tests.integration.test_cli import on_test_db, run  # noqa: F401  (fixtures)

SHARE = r"\\files\crm\installers"


def stamp(db, revision: str, release: Release) -> None:
    """Make the database look as if CRM Desktop ``release.version`` had left it at ``revision``."""
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        migrate._write_stamp(conn, release)


def refusal(profile) -> SchemaMismatch:
    with pytest.raises(SchemaMismatch) as info:
        open_database(profile, upgrade=False)
    return info.value


def test_the_migrated_database_carries_this_programs_version(db):
    with db.engine.connect() as conn:
        assert migrate.read_release(conn).version == VERSION


def test_an_older_client_names_the_servers_version_and_where_its_installer_is(profile, db, backend):
    stamp(db, "0012_from_the_future", Release("0.9.0", SHARE))
    error = refusal(profile)
    assert error.too_new and error.database_version == "0.9.0"
    assert "please update the CRM client to CRM Desktop 0.9.0" in error.message.en
    assert "请升级 CRM 客户端，安装 CRM Desktop 0.9.0" in error.message.zh
    assert "crm-desktop-0.9.0-setup.exe (Windows) / crm-desktop_0.9.0_amd64.deb (Linux)" in error.message.en
    if backend == "postgresql":  # an embedded file keeps the version only: its clients share one computer
        assert f"The installers are in {SHARE}" in error.message.en and f"安装程序在 {SHARE}" in error.message.zh
    else:
        assert "Ask your administrator for the installer" in error.message.en


def test_a_newer_client_asks_for_the_server_upgrade_or_the_servers_version(profile, db):
    first = min(migrate.known_revisions())
    stamp(db, first, Release("0.0.9"))
    error = refusal(profile)
    assert not error.too_new and error.database_version == "0.0.9"
    assert (f"The database (revision {first}, CRM Desktop 0.0.9) is older than this program (CRM Desktop {VERSION}): "
            f"an administrator must upgrade it with crm-admin db upgrade of CRM Desktop {VERSION}, "
            "or install CRM Desktop 0.0.9 on this computer again.") == error.message.en


def test_db_upgrade_stamps_the_version_and_keeps_the_installers_location(run, on_test_db, db, backend):  # noqa: F811
    status, out, err = run("--lang", "en", "db", "upgrade", "--download-url", SHARE)
    assert status == 0, err
    with db.engine.connect() as conn:
        release = migrate.read_release(conn)
    assert release.version == VERSION
    if backend == "postgresql":
        assert release.download == SHARE
        assert f"Clients of another version are told to install CRM Desktop {VERSION} from {SHARE}." in out
        assert run("db", "upgrade")[0] == 0  # a later upgrade without --download-url keeps it
        with db.engine.connect() as conn:
            assert migrate.read_release(conn).download == SHARE
