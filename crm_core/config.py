"""Connection profiles: where the database is, from a config file and the environment.

The config file (``config.toml`` in the platformdirs user config dir, or the
file named by ``CRM_CONFIG``) holds profiles and never a secret: a profile
with a password in it is refused. Passwords come from the sign-in dialog,
the OS keyring (client) or the environment (``CRM_DB_PASSWORD``, for servers).

Environment:
    CRM_CONFIG: path of the config file.
    CRM_PROFILE: name of the profile to use.
    CRM_DATA_DIR: folder of the embedded database, backups and logs.
    CRM_DATABASE_URL: a one-off profile, e.g. ``sqlite:////tmp/crm.sqlite3`` or
        ``postgresql://host:5432/crm?sslmode=require``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy.engine import URL, make_url

from crm_core.errors import ConfigurationError
from crm_core.i18n import Text

APP_NAME = "crm-desktop"
APP_AUTHOR = "crm-desktop"
SECRET_KEYS = {"password", "passwd", "pwd", "secret", "db_password"}
SSL_MODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


def data_dir() -> Path:
    """Folder for the embedded database, backups and logs."""
    return Path(os.environ.get("CRM_DATA_DIR") or platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def config_path() -> Path:
    return Path(os.environ.get("CRM_CONFIG") or Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)) / "config.toml")


@dataclass(frozen=True)
class Profile:
    """Where one CRM database lives.

    Attributes:
        name: shown in the sign-in window.
        backend: "sqlite" (embedded file) or "postgresql" (office server).
        path: the SQLite file (default: ``crm.sqlite3`` in :func:`data_dir`).
        host, port, database, sslmode: the PostgreSQL server.
        auth: "app" checks the CRM's own accounts (always so on SQLite);
            "database" signs in to PostgreSQL with the user's own login.
        db_user: PostgreSQL login used in "app" mode (its password comes from
            ``CRM_DB_PASSWORD``, never from this file).
    """

    name: str = "embedded"
    backend: str = "sqlite"
    path: str | None = None
    host: str = "localhost"
    port: int = 5432
    database: str = "crm"
    sslmode: str = "prefer"
    auth: str = "app"
    db_user: str | None = None
    options: dict[str, str] = field(default_factory=dict)

    @property
    def sqlite_path(self) -> Path:
        return Path(self.path) if self.path else data_dir() / "crm.sqlite3"

    def url(self, login: str | None = None, password: str | None = None) -> URL:
        """SQLAlchemy URL; ``login``/``password`` are the database credentials where they apply."""
        if self.backend == "sqlite":
            return URL.create("sqlite+pysqlite", database=str(self.sqlite_path))
        if self.auth == "database":
            user, secret = login, password
        else:
            user, secret = self.db_user or os.environ.get("CRM_DB_USER"), os.environ.get("CRM_DB_PASSWORD")
        query = {"sslmode": self.sslmode, "application_name": APP_NAME, **self.options}
        return URL.create("postgresql+psycopg", username=user, password=secret, host=self.host,
                          port=self.port, database=self.database, query=query)

    def describe(self) -> str:
        """Human-readable location (for the status bar and messages)."""
        if self.backend == "sqlite":
            return f"SQLite {self.sqlite_path}"
        return f"PostgreSQL {self.host}:{self.port}/{self.database}"


def _check(profile: dict[str, Any], where: str) -> Profile:
    bad = SECRET_KEYS & {k.lower() for k in profile}
    if bad:
        raise ConfigurationError(Text(
            f"配置文件 {where} 中不能保存密码（{', '.join(sorted(bad))}）。请删除该项；密码在登录时输入或保存在系统钥匙串中。",
            f"The config file {where} must not hold passwords ({', '.join(sorted(bad))}). Remove it; passwords are typed at sign-in or kept in the OS keyring."))
    known = {f for f in Profile.__dataclass_fields__}
    unknown = set(profile) - known
    if unknown:
        raise ConfigurationError(Text(f"配置文件 {where}：未知的设置 {', '.join(sorted(unknown))}",
                                      f"Config file {where}: unknown settings {', '.join(sorted(unknown))}"))
    p = Profile(**profile)
    if p.backend not in {"sqlite", "postgresql"}:
        raise ConfigurationError(Text(f"配置文件 {where}：数据库类型应为 sqlite 或 postgresql",
                                      f"Config file {where}: backend must be sqlite or postgresql"))
    if p.sslmode not in SSL_MODES:
        raise ConfigurationError(Text(f"配置文件 {where}：sslmode 无效", f"Config file {where}: invalid sslmode"))
    if p.backend == "sqlite" and p.auth != "app":
        p = replace(p, auth="app")
    return p


def profile_from_url(url: str, name: str = "env") -> Profile:
    """A profile from a database URL (``CRM_DATABASE_URL``)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return Profile(name=name, backend="sqlite", path=u.database)
    query = dict(u.query)
    sslmode = str(query.pop("sslmode", "prefer"))
    return Profile(name=name, backend="postgresql", host=u.host or "localhost", port=u.port or 5432,
                   database=u.database or "crm", sslmode=sslmode, auth=str(query.pop("auth", "app")),
                   db_user=u.username, options={k: str(v) for k, v in query.items()})


def load_profiles(path: Path | None = None) -> dict[str, Profile]:
    """Profiles from the config file; the embedded profile is always there."""
    path = path or config_path()
    profiles: dict[str, Profile] = {"embedded": Profile()}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigurationError(Text(f"配置文件 {path} 格式错误：{exc}", f"Config file {path} is not valid TOML: {exc}")) from None
        for name, body in (raw.get("profiles") or {}).items():
            profiles[name] = _check({"name": name, **body}, str(path))
    return profiles


def default_profile() -> Profile:
    """The profile to use: ``CRM_DATABASE_URL``, else ``CRM_PROFILE``, else the file's default, else embedded."""
    if os.environ.get("CRM_DATABASE_URL"):
        return profile_from_url(os.environ["CRM_DATABASE_URL"])
    profiles = load_profiles()
    wanted = os.environ.get("CRM_PROFILE")
    if wanted is None and config_path().exists():
        wanted = tomllib.loads(config_path().read_text(encoding="utf-8")).get("default")
    if wanted and wanted not in profiles:
        raise ConfigurationError(Text(f"没有名为“{wanted}”的连接配置", f"There is no connection profile '{wanted}'"))
    return profiles[wanted or "embedded"]


def save_profiles(profiles: dict[str, Profile], default: str | None = None, path: Path | None = None) -> None:
    """Write profiles (never secrets) to the config file."""
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f'default = "{_esc(default)}"', ""] if default else []
    for name, p in profiles.items():
        if name == "embedded" and p == Profile():
            continue
        lines.append(f'[profiles."{_esc(name)}"]')
        for key, value in asdict(p).items():
            if key == "name" or value in (None, {}):
                continue
            if key == "options":
                lines.append("options = { " + ", ".join(f'"{_esc(k)}" = "{_esc(v)}"' for k, v in value.items()) + " }")
            elif isinstance(value, int):
                lines.append(f"{key} = {value}")
            else:
                lines.append(f'{key} = "{_esc(str(value))}"')
        lines.append("")
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.replace(path)


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')
