"""A CRM user's own PostgreSQL login, managed through the server's account functions.

Used in database-auth mode only (see :func:`crm_core.services.masked.database_auth`):
the login role is the CRM login in lower case, in the group role ``crm_<role>``.
Every call goes through the SECURITY DEFINER functions of
:mod:`crm_core.pgsecurity.accounts` inside the caller's transaction, so a
refused step rolls the users row back with it. The one exception: a disabled
or dropped login's open sessions are ended only once that transaction has
committed (:func:`_end_sessions_after_commit`). Only the SCRAM verifier of a
password is sent, so no password reaches a statement or the server log.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from crm_core.db.engine import after_commit
from crm_core.errors import FieldError, PermissionDenied, SavedWithWarning, ValidationError
from crm_core.i18n import Text

RESERVED_PREFIXES = ("crm_", "pg_")
RESERVED = Text("登录名：不能以 crm_ 或 pg_ 开头（数据库保留）",
                "Login name: must not begin with crm_ or pg_ (reserved by the database)")


def role_name(login: str) -> str:
    """The PostgreSQL login role of a CRM login."""
    return login.lower()


def is_reserved(login: str) -> bool:
    return role_name(login).startswith(RESERVED_PREFIXES)


def _verifier(password: str) -> str:
    from crm_core.pgsecurity.scram import scram_verifier

    return scram_verifier(password)


def _call(s: Session, sql: str, **params: object) -> None:
    """Run one account function; the server's refusals become the CRM's typed errors."""
    try:
        s.execute(text(sql), params)
    except DBAPIError as exc:
        state = getattr(exc.orig, "sqlstate", None)
        if state == "42501":
            raise PermissionDenied(Text("数据库拒绝了此账户操作（权限不足）。",
                                        "The database refused this account change (not permitted).")) from None
        if state == "42710":
            raise ValidationError([FieldError("login", "duplicate", Text(
                "登录名：数据库中已有同名登录", "Login name: a database login of that name already exists"))]) from None
        if state == "2BP01":  # DROP ROLE: what crm_drop_login may not clear (docs/security.md, Known limits)
            raise ValidationError([FieldError("login", "owns_objects", _still_owns(exc, str(params.get("l"))))]) from None
        if state in ("22023", "42704"):
            raise ValidationError([FieldError("login", "invalid", Text(
                "登录名：数据库不接受此登录名", "Login name: the database does not accept this login"))]) from None
        raise


def _still_owns(exc: DBAPIError, name: str) -> Text:
    """Why the login cannot be dropped, by where his remaining entries are (crm_drop_login's HINT)."""
    diag = getattr(exc.orig, "diag", None)
    hint = getattr(diag, "message_hint", None) or ""
    what = getattr(diag, "message_detail", None) or ""
    remedy = f'REASSIGN OWNED BY "{name}" TO postgres; DROP OWNED BY "{name}";'
    if hint == "crm:this_database":
        return Text(
            f"登录名：登录“{name}”在本 CRM 数据库中拥有对象（{what}，只有超级用户能让他拥有），数据库不能删除此登录。"
            f"请改为停用该用户；或由服务器管理员在 CRM 数据库中以超级用户执行 {remedy} 然后再删除。",
            f"Login: the login '{name}' owns objects in the CRM database itself ({what}; only a superuser can have "
            f"given them to him), so the database cannot delete it. Deactivate the user instead; or the server's "
            f"administrator runs, as a superuser in the CRM database, {remedy} and you delete it again.")
    where = f"数据库 {what}" if hint == "crm:other_databases" else what
    where_en = f"database {what}" if hint == "crm:other_databases" else what
    return Text(
        f"登录名：服务器上另一个数据库中还有登录“{name}”拥有的对象或权限（{where}），数据库不能删除此登录。"
        f"请改为停用该用户；或由服务器管理员在那个数据库中以超级用户执行 {remedy} 然后再删除。",
        f"Login: the login '{name}' still owns objects or holds privileges in another database of the server "
        f"({where_en}), so the database cannot delete it. Deactivate the user instead; or the server's "
        f"administrator runs, as a superuser in that database, {remedy} and you delete it again.")


def exists(s: Session, login: str) -> bool:
    return bool(s.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role_name(login)}).first())


def create(s: Session, login: str, password: str, role: str) -> None:
    _call(s, "SELECT crm_create_login(:l, :v, :r)", l=role_name(login), v=_verifier(password), r=f"crm_{role}")


def set_password(s: Session, login: str, password: str) -> None:
    _call(s, "SELECT crm_set_password(:l, :v)", l=role_name(login), v=_verifier(password))


def set_role(s: Session, login: str, role: str) -> None:
    if exists(s, login):
        _call(s, "SELECT crm_set_role(:l, :r)", l=role_name(login), r=f"crm_{role}")


def set_enabled(s: Session, login: str, enabled: bool) -> None:
    if exists(s, login):
        _call(s, "SELECT crm_set_login_enabled(:l, :e)", l=role_name(login), e=enabled)
        if not enabled:
            _end_sessions_after_commit(s, login, Text("已停用", "deactivated"))


def drop(s: Session, login: str) -> None:
    if exists(s, login):
        _end_sessions_after_commit(s, login, Text("已删除", "deleted"))  # first: the role's oid, which its sessions keep
        _call(s, "SELECT crm_drop_login(:l)", l=role_name(login))


def _end_sessions_after_commit(s: Session, login: str, done: Text) -> None:
    """End the sessions ``login`` has open, once ``s`` has committed its NOLOGIN or DROP ROLE.

    NOLOGIN and DROP ROLE only refuse the next sign-in. Ended inside the
    transaction instead, a client signing in again before the commit kept a
    working session, and a change that was rolled back still ended them.
    The sessions are found by the role's oid: a dropped role's show no name.

    Raises (after the commit):
        SavedWithWarning: the sessions could not be ended (the server refused, or the
            connection broke): the change is saved, and the message says how to end them.
    """
    name = role_name(login)
    oid = s.scalar(text("SELECT oid FROM pg_roles WHERE rolname = :r"), {"r": name})
    engine = s.get_bind()

    def end_them() -> None:
        try:
            with engine.begin() as conn:  # a transaction of its own, as the same administrator
                found, ended = conn.execute(text("SELECT sessions, ended FROM crm_end_sessions(:l, :o)"),
                                            {"l": name, "o": oid}).one()
        except Exception as exc:  # noqa: BLE001 - the change is committed: say so, and what is left to do
            raise SavedWithWarning(sessions_not_ended(login, oid, done, exc)) from exc
        if ended < found:  # pg_terminate_backend gave up after its wait: the server only warned
            raise SavedWithWarning(sessions_not_ended(login, oid, done, Text(
                f"{found - ended} 个（共 {found} 个）连接在 5 秒内没有结束",
                f"{found - ended} of {found} did not end within 5 seconds")))

    after_commit(s, end_them)


def sessions_not_ended(login: str, oid: int, done: Text, exc: BaseException | Text) -> Text:
    """The change of ``login`` is saved; his open sessions are not ended: why, and how to end them.

    ``exc``: the failure of the call (the server's own words are quoted), or a Text saying why.
    Named by the role's oid: once the role is dropped its sessions show no name (``usename`` is NULL).
    """
    if isinstance(exc, Text):
        reason, reason_zh = exc.en, exc.zh
    else:
        said = str(getattr(exc, "orig", None) or exc).strip()  # the server's own words, first line
        reason = reason_zh = said.splitlines()[0][:200] if said else type(exc).__name__
    sql = f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usesysid = {int(oid)}"
    return Text(
        f"用户“{login}”{done.zh}（已保存），但他在数据库中已打开的连接未能结束：{reason_zh}。"
        f"这些连接在结束之前仍有他的权限。请服务器管理员以超级用户执行：{sql}",
        f"User '{login}' is {done.en} (saved), but the connections he has open to the database could not be "
        f"ended: {reason}. Until they end they keep his rights. The server's administrator ends them as a "
        f"superuser: {sql}")
