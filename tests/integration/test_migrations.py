"""Schema versions: migrations match the models, the embedded database upgrades itself after a backup."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from crm_core import SchemaMismatch, open_database
from crm_core.config import Profile, data_dir
from crm_core.db import migrate
from crm_core.db.engine import make_engine
from crm_core.models import Base


# SQLite's reflection skips (with a warning) the expression indexes of revision 0014; include_object leaves them out.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning")
def test_migrations_create_exactly_the_models(db):
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": migrate.include_object})
        assert compare_metadata(ctx, Base.metadata) == []


def test_search_index_of_the_backend_exists(db, backend):
    with db.engine.connect() as conn:
        if backend == "sqlite":
            assert conn.execute(text("SELECT name FROM sqlite_master WHERE name='customers_fts'")).scalar()
        else:
            assert conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname='ix_customers_search_text_trgm'"))\
                .scalar().endswith("gin (search_text gin_trgm_ops)")


def test_seed_roles_and_dictionary(admin):
    entries = admin.dictionary.entries("source")
    assert {e["label_zh"] for e in entries} >= {"展会推广", "线上广告", "转介绍"}


def test_embedded_database_is_created_on_first_start(tmp_path):
    profile = Profile(path=str(tmp_path / "new.sqlite3"))
    database = open_database(profile)
    assert migrate.current_revision(database.engine) == migrate.head_revision()
    database.dispose()
    assert not (data_dir() / "backups").exists()  # nothing to back up on a new file


def test_embedded_database_is_backed_up_before_an_upgrade(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, revision="0001")  # a file written by an older program
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO code_sequences (key, last_value) VALUES ('C20260101', 7)"))
    real_upgrade = migrate.upgrade
    upgraded = []

    def watched_upgrade(e, revision="head"):
        upgraded.append(sorted((tmp_path / "backups").glob("*.sqlite3")))
        real_upgrade(e, revision)

    monkeypatch.setattr(migrate, "upgrade", watched_upgrade)
    backup = migrate.upgrade_embedded(engine, path, tmp_path / "backups")
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()
    assert upgraded == [[backup]]  # the copy existed before the upgrade ran
    assert "before-upgrade-0001" in backup.name
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT last_value FROM code_sequences").fetchone()[0] == 7


def test_unknown_revision_in_the_file_is_refused_not_upgraded(tmp_path):
    path = tmp_path / "odd.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    engine.dispose()
    with pytest.raises(SchemaMismatch) as info:
        open_database(Profile(path=str(path)))
    assert info.value.too_new


def test_database_newer_than_the_program_is_refused_with_a_clear_message(profile, db):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    with pytest.raises(SchemaMismatch) as info:
        open_database(profile, upgrade=False)
    assert info.value.too_new and "请升级" in info.value.message.zh and "newer" in info.value.message.en


def test_empty_server_database_is_reported_as_too_old(profile, db, backend):
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
    with pytest.raises(SchemaMismatch) as info:
        open_database(profile, upgrade=False)
    assert not info.value.too_new and "crm-admin db upgrade" in info.value.message.en


def test_upgrade_backup_is_an_online_copy_that_passes_integrity_check(tmp_path):
    path = tmp_path / "live.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO code_sequences (key, last_value) VALUES ('C20260101', 7)"))
    backup = migrate.backup_sqlite(path, tmp_path / "backups", "manual")
    engine.dispose()
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT last_value FROM code_sequences").fetchone()[0] == 7
