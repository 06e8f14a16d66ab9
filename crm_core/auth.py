"""Sign-in for app accounts: one message for every failure, throttling, last login.

Failures are counted per login name typed (``login_throttle``), whether the
account exists or not. From the 5th failure in a row the name is refused for
a while, doubling each time (30 s, 60 s, ... at most 15 minutes); while
refused, not even the right password gets in. Every failure is in the
operation log; those that trip the throttle are flagged as abnormal.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from crm_core import passwords
from crm_core.db.base import utcnow
from crm_core.config import Profile
from crm_core.db.engine import Database, make_engine
from crm_core.errors import AuthenticationFailed
from crm_core.i18n import Text
from crm_core.models import LoginThrottle, User
from crm_core.services.audit import write_audit
from crm_core.services.context import Actor

FREE_FAILURES = 4
FIRST_LOCK = dt.timedelta(seconds=30)
MAX_LOCK = dt.timedelta(minutes=15)
BAD_CREDENTIALS = Text("登录名或密码不正确，或账户已停用。", "Wrong login name or password, or the account is disabled.")

clock: Callable[[], dt.datetime] = utcnow  # replaced in tests


def _throttled(seconds: float) -> AuthenticationFailed:
    wait = max(1, int(seconds + 0.999))
    return AuthenticationFailed(Text(f"登录失败次数过多，请 {wait} 秒后再试。",
                                     f"Too many failed sign-ins; try again in {wait} seconds."), retry_after=wait)


def lock_for(failures: int) -> dt.timedelta:
    """How long a login name is refused after ``failures`` failures in a row."""
    if failures <= FREE_FAILURES:
        return dt.timedelta(0)
    doublings = min(failures - FREE_FAILURES - 1, 10)  # 30 s * 2**10 is already past the cap
    return min(FIRST_LOCK * (2 ** doublings), MAX_LOCK)


def _key(login: str) -> str:
    return (login or "").strip().lower()[:50]


class LocalThrottle:
    """The same doubling delay for database logins, kept in this program (per login name, per server).

    With database logins the server checks the password before the CRM has a
    connection to count failures with, so this process counts them itself: the
    sign-in window slows down after :data:`FREE_FAILURES` failures exactly as for
    app accounts. Someone bypassing the client meets the server's own delay
    (PostgreSQL's auth_delay; docs/security.md).
    """

    def __init__(self) -> None:
        self._failures: dict[tuple[str, str], tuple[int, dt.datetime | None]] = {}
        self._lock = threading.Lock()

    def check(self, server: str, login: str) -> None:
        """Raise the throttled AuthenticationFailed while ``login`` is locked on ``server``."""
        with self._lock:
            _count, until = self._failures.get((server, _key(login)), (0, None))
        now = clock()
        if until is not None and until > now:
            raise _throttled((until - now).total_seconds())

    def failed(self, server: str, login: str) -> AuthenticationFailed:
        """Count a failure; returns the error to raise (throttled once the free failures are used)."""
        key, now = (server, _key(login)), clock()
        with self._lock:
            count = self._failures.get(key, (0, None))[0] + 1
            lock = lock_for(count)
            self._failures[key] = (count, now + lock if lock else None)
        return _throttled(lock.total_seconds()) if lock else AuthenticationFailed(BAD_CREDENTIALS)

    def succeeded(self, server: str, login: str) -> None:
        with self._lock:
            self._failures.pop((server, _key(login)), None)


local_throttle = LocalThrottle()


def authenticate(db: Database, login: str, password: str) -> Actor:
    """Check an app account's password and return the actor.

    Raises:
        AuthenticationFailed: unknown name, wrong password, disabled account
            (all the same message), or throttled (with ``retry_after``).
    """
    key, now = _key(login), clock()
    with db.unit_of_work(write=True) as s:
        throttle = s.get(LoginThrottle, key)
        if throttle and throttle.locked_until and throttle.locked_until > now:
            raise _throttled((throttle.locked_until - now).total_seconds())
        user = s.scalar(select(User).where(func.lower(User.login) == key)) if key else None
        ok, rehash = passwords.verify(user.password_hash if user else None, password or "")
        if not ok or not user.is_active:
            throttle = throttle or LoginThrottle(login=key, failures=0)
            s.add(throttle)
            throttle.failures += 1
            throttle.last_failure_at = now
            lock = lock_for(throttle.failures)
            throttle.locked_until = now + lock if lock else None
            actor = Actor(user.id, user.login, user.name, user.role) if user else None
            write_audit(s, actor, "login_failed", "users", user.id if user else None, None,
                        {"login": key, "failures": throttle.failures}, flagged=bool(lock))
            try:
                s.commit()
            except IntegrityError:  # another client counted a failure for this new name first
                s.rollback()
            if lock:
                raise _throttled(lock.total_seconds())
            raise AuthenticationFailed(BAD_CREDENTIALS)
        if throttle:
            s.delete(throttle)
        # Sign-in bookkeeping is not an edit of the account: a plain UPDATE,
        # so it neither bumps the record version (an admin editing this user
        # would get a false conflict) nor trips over two sign-ins at once.
        changes: dict = {"last_login_at": now}
        if rehash:
            changes["password_hash"] = passwords.hasher.hash(password)
        s.execute(update(User).where(User.id == user.id).values(**changes)
                  .execution_options(synchronize_session=False))
        actor = Actor(user.id, user.login, user.name, user.role)
        write_audit(s, actor, "login", "users", user.id, None, None)
        s.commit()
        return actor


def actor_for_database_login(db: Database, login: str) -> Actor:
    """The actor for a user the database itself authenticated (PostgreSQL per-user roles)."""
    with db.unit_of_work(write=True) as s:
        user = s.scalar(select(User).where(func.lower(User.login) == _key(login)))
        if user is None or not user.is_active:
            raise AuthenticationFailed(BAD_CREDENTIALS)
        _touch_last_login(s, user.id)
        actor = Actor(user.id, user.login, user.name, user.role)
        write_audit(s, actor, "login", "users", user.id, None, None)
        s.commit()
        return actor


def _touch_last_login(s: Session, user_id: int) -> None:
    """Record the sign-in: through ``crm_touch_login()`` where the server has the CRM's account
    functions (a user's own login may not UPDATE users), else a plain UPDATE."""
    if s.scalar(text("SELECT to_regprocedure('public.crm_touch_login()') IS NOT NULL")):
        s.execute(text("SELECT crm_touch_login()"))
    else:
        s.execute(update(User).where(User.id == user_id).values(last_login_at=clock())
                  .execution_options(synchronize_session=False))


def change_own_database_password(db: Database, profile: Profile, actor: Actor, old: str, new: str) -> None:
    """Database-auth mode: a user changes his own login role's password (old one required).

    The old password is checked by the server itself (a one-off connection with it);
    the new one reaches the server only as a SCRAM verifier (``crm_set_password``).
    """
    from crm_core.errors import FieldError, ValidationError
    from crm_core.services import logins

    passwords.check_policy(new, "new_password")
    if old == new:
        raise ValidationError([FieldError("new_password", "same", Text("新密码：不能与原密码相同",
                                                                       "New password: must differ from the current one"))])
    probe = make_engine(profile.url(logins.role_name(actor.login), old or ""))
    try:
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError:
        raise ValidationError([FieldError("old_password", "wrong", Text("原密码：不正确", "Current password: is wrong"))]) from None
    finally:
        probe.dispose()
    with db.unit_of_work(write=True) as s:
        logins.set_password(s, actor.login, new)
        write_audit(s, actor, "change_password", "users", actor.user_id, None, {"password": "***"})
        s.commit()


def change_own_password(db: Database, actor: Actor, old: str, new: str) -> None:
    """A user changes his own password (old one required)."""
    from crm_core.errors import FieldError, ValidationError

    passwords.check_policy(new, "new_password")
    with db.unit_of_work(write=True) as s:
        user = s.get(User, actor.user_id)
        ok, _ = passwords.verify(user.password_hash if user else None, old or "")
        if not ok:
            raise ValidationError([FieldError("old_password", "wrong", Text("原密码：不正确", "Current password: is wrong"))])
        if old == new:
            raise ValidationError([FieldError("new_password", "same", Text("新密码：不能与原密码相同",
                                                                           "New password: must differ from the current one"))])
        user.password_hash, user.password_changed_at = passwords.hasher.hash(new), clock()
        write_audit(s, actor, "change_password", "users", user.id, None, {"password": "***"})
        s.commit()
