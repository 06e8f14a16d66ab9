"""A database whose names sort by ICU's rules while it reports ``datcollate 'C'`` (PostgreSQL 15+).

The names starting with a word are one range of ``ix_customers_name`` only when names sort by
code point (the C library's C collation). An ICU database created with ``LC_COLLATE 'C'`` says
``datcollate = 'C'`` and still sorts by ICU: there the pages are read by the walk of the name
order, and they are the walk's pages. Every test here overrides ``profile`` with such a database.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from crm_core import ListQuery
from tests.integration.test_search_name_start import _reference, _walk_noting_plans, common, towns  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("common")


@pytest.fixture
def profile(backend, request):
    """A fresh, migrated PostgreSQL database with ICU as its collation provider and datcollate 'C'."""
    if backend != "postgresql":
        pytest.skip("a database's collation provider is PostgreSQL's")
    from crm_core.config import Profile
    from crm_core.db import migrate
    from crm_core.db.engine import make_engine

    server = request.getfixturevalue("pg_server")
    name = f"crm_test_icu_{os.getpid()}"
    with server["admin"].connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu "
                          "ICU_LOCALE 'en' LC_COLLATE 'C' LC_CTYPE 'C'"))
    url = server["url"]
    engine = make_engine(url.set(database=name))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT datcollate FROM pg_database WHERE datname = current_database()")
                                ).scalar() == "C"
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    yield Profile(name="test", backend="postgresql", host=url.host or "127.0.0.1", port=url.port or 5432,
                  database=name, sslmode="disable", auth="app", db_user=url.username)
    with server["admin"].connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.parametrize("sort", ["name", "-name"])
def test_an_icu_database_reading_datcollate_c_gets_the_walks_pages(admin, towns, monkeypatch, sort):
    used: list[bool] = []
    for session in (admin, towns):
        query = ListQuery(search="co", sort=(sort,), limit=9)
        expected = _reference(session, query, monkeypatch)
        assert _walk_noting_plans(session, query, monkeypatch, used) == expected, session.actor.login
        assert len(expected) > 1  # several pages
    assert used and not any(used)  # never the range of the name index
