"""The one entry point of a client: ``connect(profile, login, password)``.

It returns a :class:`CrmSession`: the authenticated actor plus every service.
The client does not care whether the database is an embedded SQLite file
(app accounts, argon2id) or an office PostgreSQL server where the user signs
in with his own database login.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from crm_core import auth
from crm_core.config import Profile, data_dir
from crm_core.db import migrate
from crm_core.db.engine import Database, make_engine
from crm_core.errors import AuthenticationFailed, DatabaseUnavailable, FieldError, PermissionDenied, ValidationError
from crm_core.i18n import Text
from crm_core.private_files import private_file
from crm_core.models import User
from crm_core.passwords import check_policy
from crm_core.services.context import Actor
from crm_core.services.registry import Services

_AUTH_FAILURE_MARKERS = ("password authentication failed", "role \"", "no password supplied",
                         "authentication failed")


class CrmSession:
    """A signed-in user's access to the CRM: ``session.customers.list(...)`` and so on.

    Every service method is its own unit of work and may be called from a
    worker thread; results are plain data.
    """

    def __init__(self, db: Database, actor: Actor, profile: Profile):
        self.db = db
        self.profile = profile
        self.services = Services(db, actor)

    @property
    def actor(self) -> Actor:
        """The signed-in user, with his role as of the last service call."""
        return self.services.context.actor

    @property
    def backend(self) -> str:
        return self.db.backend

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.services, name)

    def change_password(self, old: str, new: str) -> None:
        """Change the signed-in user's own password (his database login's, in database-auth mode)."""
        if self.profile.backend != "sqlite" and self.profile.auth == "database":
            auth.change_own_database_password(self.db, self.profile, self.actor, old, new)
            return
        auth.change_own_password(self.db, self.actor, old, new)

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> "CrmSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_database(profile: Profile, login: str | None = None, password: str | None = None,
                  *, upgrade: bool | None = None) -> Database:
    """Open the database of ``profile`` and make sure its schema fits this program.

    The embedded database is created or upgraded automatically (after a
    backup copy); a server's schema is upgraded by ``crm-admin db upgrade``.

    Raises:
        DatabaseUnavailable, AuthenticationFailed (database logins), SchemaMismatch.
    """
    if profile.backend == "sqlite":
        private_file(profile.sqlite_path)  # 0600 in a 0700 folder before SQLite creates it (and its -wal)
    if login and profile.backend == "postgresql" and profile.auth == "database":
        login = login.strip().lower()  # a CRM login's database role is its lower-case name
    engine = make_engine(profile.url(login, password))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        message = str(exc.orig).lower()
        if profile.backend == "postgresql" and profile.auth == "database" and any(m in message for m in _AUTH_FAILURE_MARKERS):
            raise AuthenticationFailed(auth.BAD_CREDENTIALS) from None
        raise DatabaseUnavailable(Text(f"无法连接数据库 {profile.describe()}：{exc.orig}",
                                       f"Cannot reach the database {profile.describe()}: {exc.orig}")) from None
    if upgrade if upgrade is not None else profile.backend == "sqlite":
        migrate.upgrade_embedded(engine, profile.sqlite_path, data_dir() / "backups") if profile.backend == "sqlite" \
            else migrate.upgrade(engine)
    migrate.check(engine)
    return Database(engine)


def connect(profile: Profile, login: str, password: str, *, upgrade: bool | None = None) -> CrmSession:
    """Sign in and return the session.

    Raises:
        AuthenticationFailed: wrong name or password, disabled account, or throttled.
        DatabaseUnavailable: the server cannot be reached.
        SchemaMismatch: the database is older or newer than this program.
    """
    database_login = profile.backend == "postgresql" and profile.auth == "database"
    if database_login:
        auth.local_throttle.check(profile.describe(), login)
    try:
        db = open_database(profile, login, password, upgrade=upgrade)
    except AuthenticationFailed:
        if database_login:
            raise auth.local_throttle.failed(profile.describe(), login) from None
        raise
    try:
        if database_login:
            actor = auth.actor_for_database_login(db, login)
            auth.local_throttle.succeeded(profile.describe(), login)
        else:
            actor = auth.authenticate(db, login, password)
    except BaseException:
        db.dispose()
        raise
    session = CrmSession(db, actor, profile)
    # An import killed half-way (power cut, crash) left a "running" batch: roll it back now, so
    # nothing half-written survives. Never stops the sign-in; the next one retries.
    session.imports.recover_interrupted()
    return session


def needs_first_admin(db: Database) -> bool:
    """True on an empty database: the first-run dialog must create an administrator."""
    with db.unit_of_work(write=False) as s:
        return s.scalar(select(User.id).limit(1)) is None


def check_first_admin(db: Database, values: dict[str, Any]) -> list[FieldError]:
    """Every problem :func:`create_first_admin` would find in ``values``, all at once, writing nothing.

    For the first-run dialog when it cannot create yet (the two passwords differ): the
    user still learns everything else that is wrong in one go.
    """
    values = {**values, "role": "admin"}
    password = values.pop("password", None)
    problems: list[FieldError] = []
    if not password:
        problems.append(FieldError("password", "required", Text("密码：不能为空", "Password: is required")))
    else:
        try:
            check_policy(password)
        except ValidationError as exc:
            problems += exc.errors
    users = Services(db, Actor(user_id=None, login="setup", name="setup", role="admin")).users  # type: ignore[arg-type]
    with db.unit_of_work(write=False) as s:
        try:
            users.check_new(s, values)
        except ValidationError as exc:
            problems += exc.errors
    return problems


def create_first_admin(db: Database, values: dict[str, Any]) -> dict[str, Any]:
    """Create the first administrator of an empty database (no built-in default password).

    Raises:
        PermissionDenied: the database already has users.
        ValidationError: as for any user.
    """
    if not needs_first_admin(db):
        raise PermissionDenied(Text("数据库中已有用户；请用管理员账户登录后添加用户。",
                                    "The database already has users; sign in as an administrator to add more."))
    bootstrap = Actor(user_id=None, login="setup", name="setup", role="admin")  # type: ignore[arg-type]
    values = {**values, "role": "admin"}
    if "password" not in values:
        raise ValidationError([FieldError("password", "required", Text("密码：不能为空", "Password: is required"))])
    return Services(db, bootstrap).users.create(values)
