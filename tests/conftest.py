"""Test fixtures: a real database per test, on SQLite and PostgreSQL.

Every test that takes ``backend`` (directly or through ``profile``, ``db``,
``admin`` ...) runs once per backend. The schema is built once per run by the
real migrations into a template (a SQLite file, a PostgreSQL template
database); each test gets its own copy.

Options / environment:
    --backend=sqlite|postgresql|all (CRM_TEST_BACKENDS), default all.
    CRM_TEST_PG_URL: server for the PostgreSQL runs
        (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
    CI=true: an unreachable PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import gc
import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "secret123"
_counter = itertools.count()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--backend", default=os.environ.get("CRM_TEST_BACKENDS", "all"),
                     choices=["sqlite", "postgresql", "all"], help="database backend(s) to test against")
    parser.addoption("--backendless", default="include", choices=["include", "exclude", "only"],
                     help="the tests that take no backend: run them too (default), leave them out, or run only "
                          "them (dev.py test runs the backends in two processes and these in one of them)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    choice = config.getoption("--backendless")
    if choice == "include":
        return

    def kept(item: pytest.Item) -> bool:
        callspec = getattr(item, "callspec", None)
        takes_backend = callspec is not None and "backend" in callspec.params
        return takes_backend if choice == "exclude" else not takes_backend

    config.hook.pytest_deselected(items=[item for item in items if not kept(item)])
    items[:] = [item for item in items if kept(item)]


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection built (modules, test items, their marks) lives to the end: out of the collector's
    sight, so that the automatic collections during the run walk only what tests make (as the client
    freezes its start-up objects: crm_desktop.heap)."""
    gc.collect()
    gc.freeze()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--backend")
        backends = ["sqlite", "postgresql"] if chosen == "all" else [chosen]
        metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Temp data and config dirs, no profile from the developer's environment, cheap hashing."""
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CRM_CONFIG", str(tmp_path / "config" / "config.toml"))
    for var in ("CRM_PROFILE", "CRM_DATABASE_URL", "CRM_DB_USER", "CRM_DB_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    import crm_core.passwords as pw

    # Real argon2id, small parameters: the suite hashes hundreds of passwords.
    monkeypatch.setattr(pw, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


# ----------------------------------------------------------------- templates

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from crm_core.db import migrate
    from crm_core.db.engine import make_engine

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> Iterator[dict]:
    """A template database with the migrated schema on the test server."""
    from crm_core.db import migrate
    from crm_core.db.engine import make_engine

    url = make_url(os.environ.get("CRM_TEST_PG_URL", DEFAULT_PG_URL))
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and is not reachable at {url}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {url} (set CRM_TEST_PG_URL): {exc}")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    template = f"crm_test_tpl_{os.getpid()}_{worker}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{template}"'))
        conn.execute(text(f'CREATE DATABASE "{template}" ENCODING \'UTF8\''))
    engine = make_engine(url.set(database=template))
    migrate.upgrade(engine)
    engine.dispose()
    databases = _TestDatabases(admin, template)
    yield {"admin": admin, "url": url, "template": template, "databases": databases}
    databases.close()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
    admin.dispose()


class _TestDatabases:
    """Each PostgreSQL test's fresh database, copied from the template one test ahead and dropped
    after it, on a thread of their own: a copy and a drop take 0.1-1 s each on the server (its
    files and their fsync), which the next test's Python no longer waits for.

    One worker thread does both in order, so a drop never races the copy that follows it.
    """

    def __init__(self, admin, template: str):
        self._admin, self._template = admin, template
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="test-databases")
        self._next: Future[str] | None = None

    def _run(self, sql: str) -> None:
        with self._admin.connect() as conn:
            conn.execute(text(sql))

    def _create(self) -> str:
        name = f"crm_test_{os.getpid()}_{next(_counter)}"
        self._run(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        # A test's commits need not wait for the server's disk (a crash loses nothing a test needs);
        # what they see is the same.
        self._run(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        return name

    def take(self) -> str:
        """A fresh database's name (the one copied ahead, or a new copy), and the next one started."""
        ahead, self._next = self._next, None
        try:
            name = ahead.result() if ahead is not None else self._create()
        except Exception:  # noqa: BLE001 - a copy ahead that failed: this test copies its own
            name = self._create()
        self._next = self._worker.submit(self._create)
        return name

    def give_back(self, name: str) -> None:
        self._worker.submit(self._run, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        if self._next is not None:
            try:
                self.give_back(self._next.result())
            except Exception:  # noqa: BLE001 - a copy that failed left nothing to drop
                pass
        self._worker.shutdown(wait=True)


# --------------------------------------------------------------- per test

@pytest.fixture
def profile(backend: str, request: pytest.FixtureRequest, tmp_path: Path):
    """A connection profile for a fresh, migrated database of ``backend``."""
    from crm_core.config import Profile

    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "crm.sqlite3"
        shutil.copyfile(template, path)
        yield Profile(name="test", backend="sqlite", path=str(path))
        return
    server = request.getfixturevalue("pg_server")
    name = server["databases"].take()
    url = server["url"]
    yield Profile(name="test", backend="postgresql", host=url.host or "127.0.0.1", port=url.port or 5432,
                  database=name, sslmode="disable", auth="app", db_user=url.username)
    server["databases"].give_back(name)


@pytest.fixture
def db(profile):
    """The test database, opened without upgrading (the template is current)."""
    from crm_core.session import open_database

    database = open_database(profile, upgrade=False)
    yield database
    database.dispose()


@pytest.fixture
def admin(db, profile):
    """A signed-in administrator of the test database."""
    from crm_core.session import connect, create_first_admin

    create_first_admin(db, {"login": "admin", "name": "系统管理员", "phone": "13800000000", "password": PASSWORD})
    session = connect(profile, "admin", PASSWORD, upgrade=False)
    yield session
    session.close()


@pytest.fixture
def login(admin, profile) -> Iterator[Callable[..., object]]:
    """``login(role_or_login, create=True)`` -> a signed-in session for a (new) user of that role."""
    from crm_core.session import connect

    opened = []
    created: dict[str, dict] = {}
    phones = itertools.count(13900000001)

    def _login(who: str, *, role: str | None = None, name: str | None = None):
        if who == "admin":
            return admin
        if who not in created:
            created[who] = admin.users.create({
                "login": who, "name": name or f"用户{who}", "role": role or who.rstrip("0123456789"),
                "phone": str(next(phones)), "password": PASSWORD})
        session = connect(profile, who, PASSWORD, upgrade=False)
        opened.append(session)
        return session

    yield _login
    for s in opened:
        s.close()


@pytest.fixture
def make_customer(admin):
    """Create a customer as the admin (owner given or the admin)."""
    def _make(name: str = "北京星辰软件有限公司", **values):
        return admin.customers.create({"name": name, **values})
    return _make
