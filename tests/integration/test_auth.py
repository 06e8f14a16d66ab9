"""Signing in: one message for every failure, throttling, last login, rehash, first admin."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher

import crm_core.auth as auth
import crm_core.passwords as pw
from crm_core import AuthenticationFailed, PermissionDenied, ValidationError, connect, create_first_admin
from tests.conftest import PASSWORD
from tests.helpers import version_of


def _fail(profile, login, password) -> AuthenticationFailed:
    with pytest.raises(AuthenticationFailed) as info:
        connect(profile, login, password, upgrade=False)
    return info.value


def test_right_password_signs_in_and_records_last_login(admin, profile):
    session = connect(profile, "admin", PASSWORD, upgrade=False)
    assert session.actor.login == "admin" and session.actor.role == "admin"
    assert session.users.get(session.actor.user_id)["last_login_at"] is not None
    session.close()


def test_login_name_is_case_insensitive(admin, profile):
    connect(profile, "ADMIN", PASSWORD, upgrade=False).close()


def test_unknown_user_wrong_password_and_disabled_account_get_the_same_message(admin, login, profile):
    login("sales1")
    uid = admin.users.list().rows
    sales = next(u for u in uid if u["login"] == "sales1")
    admin.users.deactivate(sales["id"], "离职", version=version_of(admin.users, sales["id"]))
    messages = {
        _fail(profile, "nobody", PASSWORD).message,
        _fail(profile, "admin", "wrong-password1").message,
        _fail(profile, "sales1", PASSWORD).message,
    }
    assert messages == {auth.BAD_CREDENTIALS}
    assert "登录名或密码不正确" in auth.BAD_CREDENTIALS.zh and "Wrong login name or password" in auth.BAD_CREDENTIALS.en


def test_repeated_failures_lock_the_name_for_a_growing_time(admin, profile, monkeypatch):
    now = [dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone.utc)]
    monkeypatch.setattr(auth, "clock", lambda: now[0])
    for _ in range(auth.FREE_FAILURES):
        assert _fail(profile, "admin", "wrong-password1").retry_after is None
    first = _fail(profile, "admin", "wrong-password1")
    assert first.retry_after == 30
    assert "30" in first.message.zh and "30" in first.message.en
    # While locked, even the right password is refused.
    assert _fail(profile, "admin", PASSWORD).retry_after is not None
    now[0] += dt.timedelta(seconds=31)
    assert _fail(profile, "admin", "wrong-password1").retry_after == 60
    now[0] += dt.timedelta(seconds=61)
    connect(profile, "admin", PASSWORD, upgrade=False).close()
    # Success resets the count.
    assert _fail(profile, "admin", "wrong-password1").retry_after is None


def test_unknown_names_are_throttled_too(db, profile, monkeypatch):
    monkeypatch.setattr(auth, "clock", lambda: dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone.utc))
    for _ in range(auth.FREE_FAILURES):
        _fail(profile, "ghost", "whatever1")
    assert _fail(profile, "ghost", "whatever1").retry_after == 30


def test_lock_never_exceeds_fifteen_minutes():
    assert auth.lock_for(4) == dt.timedelta(0)
    assert auth.lock_for(5) == dt.timedelta(seconds=30)
    assert auth.lock_for(50) == dt.timedelta(minutes=15)


def test_failed_sign_ins_are_logged_and_lockouts_flagged(admin, profile, monkeypatch):
    monkeypatch.setattr(auth, "clock", lambda: dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone.utc))
    for _ in range(auth.FREE_FAILURES + 1):
        _fail(profile, "admin", "wrong-password1")
    entries = admin.audit.list(module="users").rows
    failed = [e for e in entries if e["action"] == "login_failed"]
    assert len(failed) == auth.FREE_FAILURES + 1
    assert [e["flagged"] for e in failed].count(True) == 1


def test_password_is_rehashed_when_parameters_change(admin, profile, monkeypatch):
    monkeypatch.setattr(pw, "hasher", PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    connect(profile, "admin", PASSWORD, upgrade=False).close()
    from sqlalchemy import select

    from crm_core.models import User
    with admin.db.unit_of_work(write=False) as s:
        stored = s.scalar(select(User.password_hash).where(User.login == "admin"))
    assert stored.startswith("$argon2id$") and "m=2048,t=2" in stored
    connect(profile, "admin", PASSWORD, upgrade=False).close()


def test_first_admin_can_be_created_only_on_an_empty_database(admin, db):
    with pytest.raises(PermissionDenied):
        create_first_admin(db, {"login": "second", "name": "第二", "phone": "13800000001", "password": PASSWORD})


def test_first_admin_needs_a_password_that_meets_the_policy(db):
    with pytest.raises(ValidationError) as info:
        create_first_admin(db, {"login": "boss", "name": "老板", "phone": "13800000001", "password": "short"})
    assert info.value.for_field("password")


def test_user_changes_own_password(login, profile):
    session = login("sales1")
    with pytest.raises(ValidationError) as info:
        session.change_password("not-my-password1", "newpass123")
    assert info.value.for_field("old_password")
    session.change_password(PASSWORD, "newpass123")
    _fail(profile, "sales1", PASSWORD)
    connect(profile, "sales1", "newpass123", upgrade=False).close()


def test_database_login_profile_signs_in_as_the_crm_user_of_that_login(admin, profile, backend):
    """auth="database": the server checks the password (trust here), the CRM finds the user by login."""
    if backend != "postgresql":
        pytest.skip("database logins exist on PostgreSQL only")
    from dataclasses import replace

    db_login = profile.db_user or "postgres"
    admin.users.create({"login": db_login, "name": "数据库用户", "role": "manager", "phone": "13700000000",
                        "password": "unused-here1"})
    as_user = replace(profile, auth="database", db_user=None)
    with connect(as_user, db_login, "whatever-the-server-checks", upgrade=False) as session:
        assert session.actor.login == db_login and session.actor.role == "manager"
    # A server login without a CRM account gets the same one message.
    admin.users.deactivate(session.actor.user_id, "离职", version=version_of(admin.users, session.actor.user_id))
    with pytest.raises(AuthenticationFailed) as info:
        connect(as_user, db_login, "x", upgrade=False)
    assert info.value.message == auth.BAD_CREDENTIALS


def test_unreachable_server_is_reported_as_such(profile, backend):
    if backend != "postgresql":
        pytest.skip("an embedded file is never unreachable")
    from dataclasses import replace

    from crm_core import DatabaseUnavailable
    with pytest.raises(DatabaseUnavailable) as info:
        connect(replace(profile, port=1), "admin", PASSWORD, upgrade=False)
    assert "无法连接数据库" in info.value.message.zh and "Cannot reach the database" in info.value.message.en
