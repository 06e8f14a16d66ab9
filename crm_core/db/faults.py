"""Environment faults of the database, told apart from bugs and turned into domain errors.

A database that is locked, busy resolving a conflict, restarting or gone is not
a bug: the user gets "database busy / unavailable" in his language, and the
caller learns whether running the work again is safe (``retry_safe``). It is
safe when the database itself rolled the transaction back (lock, serialization
failure, deadlock, timeout) or when the connection broke before COMMIT was sent;
a connection lost during COMMIT leaves the outcome unknown, so that work is not
repeated automatically.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from crm_core.errors import DatabaseBusy, DatabaseUnavailable
from crm_core.i18n import Text

# PostgreSQL SQLSTATEs: the transaction was rolled back by the server, nothing committed.
BUSY_STATES = {
    "40001": Text("数据库正忙：另一位用户同时修改了相同的数据（序列化冲突）",
                  "The database is busy: another user changed the same data at the same time (serialization failure)"),
    "40P01": Text("数据库正忙：两项操作互相等待（死锁），其中一项已被取消",
                  "The database is busy: two operations waited for each other (deadlock) and one was cancelled"),
    "55P03": Text("数据库正忙：所需的数据被其他操作锁定", "The database is busy: the data is locked by other work"),
    "57014": Text("数据库正忙：操作超时被取消", "The database is busy: the operation took too long and was cancelled"),
}
# Server shutting down, restarting or refusing connections; connection classes 08xxx.
GONE_STATES = {"57P01", "57P02", "57P03", "3D000"}
_SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")
_SQLITE_GONE = ("unable to open database", "disk i/o error", "database disk image is malformed",
                "file is not a database")

RETRYING_HINT = Text("您输入的内容已保留，请稍后重试。", "What you typed is kept; please try again in a moment.")


def translate_fault(exc: DBAPIError, *, commit_started: bool) -> DatabaseUnavailable | None:
    """The domain error for an environment fault, or None when ``exc`` is something else (a bug)."""
    state = getattr(exc.orig, "sqlstate", None)
    if state in BUSY_STATES:
        return DatabaseBusy(_with_hint(BUSY_STATES[state], "。", ". "))
    text = str(exc.orig).lower()
    if any(m in text for m in _SQLITE_BUSY):
        return DatabaseBusy(_with_hint(Text("数据库正忙：其他程序正在写入数据库", "The database is busy: another program "
                                                                         "is writing to it"), "。", ". "))
    lost = exc.connection_invalidated or state in GONE_STATES or (state or "").startswith("08") \
        or (state is None and _is_driver_operational(exc)) or any(m in text for m in _SQLITE_GONE)
    if not lost:
        return None
    return DatabaseUnavailable(_with_hint(Text(
        "数据库暂时无法访问（连接中断、服务器重启或数据库文件不可用）",
        "The database is unavailable (connection lost, server restarting or database file missing)"), "。", ". "),
        retry_safe=not commit_started)


def _with_hint(message: Text, zh_sep: str, en_sep: str) -> Text:
    return Text(message.zh + zh_sep + RETRYING_HINT.zh, message.en + en_sep + RETRYING_HINT.en)


def _is_driver_operational(exc: DBAPIError) -> bool:
    """psycopg raises OperationalError without an SQLSTATE when the socket dies."""
    return type(exc.orig).__name__ == "OperationalError" and "sqlite3" not in type(exc.orig).__module__
