"""What every ``crm-admin`` command shares: which database, messages in the user's language, passwords, tables."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import unicodedata

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from crm_core.config import Profile, default_profile, load_profiles, profile_from_url
from crm_core.db.engine import make_engine
from crm_core.errors import ConfigurationError, CrmError, DatabaseUnavailable
from crm_core.i18n import Text
from crm_core.private_files import private_file
from crm_core.services.context import Actor
from crm_core.session import open_database

# Who the command line acts as: whoever can run it already holds the database file or server login.
CLI_ACTOR = Actor(user_id=None, login="crm-admin", name="crm-admin", role="admin")  # type: ignore[arg-type]


class CliError(CrmError):
    """A problem of the command line's own (missing pg_dump, passwords that differ, a failed backup)."""


def lang_from_env() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh_CN" if value.startswith("zh") else "en"
    return "en"


def say(lang: str, zh: str, en: str) -> None:
    print(Text(zh, en)(lang))


# ------------------------------------------------------------------- the database


def profile_of(args: argparse.Namespace) -> Profile:
    url, name = getattr(args, "url", None), getattr(args, "profile", None)
    if url:
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError as exc:
            raise ConfigurationError(Text(f"数据库地址无效：{exc}", f"Invalid database URL: {exc}")) from None
        if backend not in {"sqlite", "postgresql"}:
            raise ConfigurationError(Text("数据库地址应以 sqlite:// 或 postgresql:// 开头",
                                          "The database URL must start with sqlite:// or postgresql://"))
        return profile_from_url(url, name="url")
    if name:
        profiles = load_profiles()
        if name not in profiles:
            raise ConfigurationError(Text(f"没有名为“{name}”的连接配置（可用：{'、'.join(profiles)}）",
                                          f"There is no connection profile '{name}' (known: {', '.join(profiles)})"))
        return profiles[name]
    return default_profile()


def credentials_of(profile: Profile) -> tuple[str | None, str | None]:
    """The server login for a profile whose users sign in to PostgreSQL themselves."""
    if profile.backend == "postgresql" and profile.auth == "database":
        return os.environ.get("CRM_DB_USER") or os.environ.get("PGUSER"), os.environ.get("CRM_DB_PASSWORD")
    return None, None


def engine_of(profile: Profile) -> Engine:
    """An engine that has connected once (so a wrong host or login is reported, not a traceback)."""
    if profile.backend == "sqlite":
        private_file(profile.sqlite_path)  # 0600 in a 0700 folder before SQLite creates it (and its -wal)
    engine = make_engine(profile.url(*credentials_of(profile)))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseUnavailable(Text(f"无法连接数据库 {profile.describe()}：{exc.orig}",
                                       f"Cannot reach the database {profile.describe()}: {exc.orig}")) from None
    return engine


def open_db(profile: Profile):  # noqa: ANN202 - crm_core.db.engine.Database
    return open_database(profile, *credentials_of(profile))


# ------------------------------------------------------------------------ commands


def read_password(from_stdin: bool, lang: str, *, confirm: bool = True) -> str:
    """The password from stdin's first line, or typed twice at a hidden prompt."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CliError(Text("标准输入中没有密码", "No password on stdin"))
        return password
    if not sys.stdin.isatty():
        raise CliError(Text("没有终端可输入密码；请用 --password-stdin 从标准输入提供密码。",
                            "No terminal to type the password; pipe it in with --password-stdin."))
    first = getpass.getpass(Text("密码：", "Password: ")(lang))
    if confirm and getpass.getpass(Text("再次输入密码：", "Repeat the password: ")(lang)) != first:
        raise CliError(Text("两次输入的密码不一致", "The passwords do not match"))
    return first


def _width(s: str) -> int:
    # CJK characters take two columns in a terminal
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(pad(str(v), w) for v, w in zip(r, widths, strict=True)).rstrip())

