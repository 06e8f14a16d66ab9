"""``crm-admin``: the administrator's command line (schema upgrades, first admin, demo data, backups, users).

Shared helpers are in ``cli_common``, the backup commands in ``cli_backup``.

Usage::

    crm-admin db upgrade                       # create or upgrade the schema
    crm-admin db current
    crm-admin db init --superuser-url postgresql://postgres@dbhost/postgres --database crm \\
        --login admin --name 王建国 --phone 13800000000   # fresh server with database logins
    crm-admin create-admin --login admin --name 王建国 --phone 13800000000
    crm-admin demo-data --customers 3000
    crm-admin backup --dest /srv/backups --verify
    crm-admin restore /srv/backups/crm-crm-manual-….dump --yes-i-know
    crm-admin backup-runs
    crm-admin users list

The database is the default profile (``CRM_DATABASE_URL``, ``CRM_PROFILE``,
the config file, else the embedded SQLite file), or ``--url`` / ``--profile``.
For a PostgreSQL profile the server login comes from ``CRM_DB_USER`` /
``CRM_DB_PASSWORD``. Passwords are never command-line arguments (they would
show in the process list and the shell history): they are typed twice at a
prompt or piped in with ``--password-stdin``.

Errors the user can fix (a ``CrmError``) are printed in the user's language
(``--lang``, else ``LANG``) and exit with status 1; anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from crm_core import cli_backup, demo
from crm_core import mail as mail_mod
from crm_core.cli_common import (CLI_ACTOR, CliError, engine_of, lang_from_env, open_db, pad, print_table, profile_of,
                                 read_password, say)
from crm_core.config import data_dir
from crm_core.db import migrate
from crm_core.errors import ConfigurationError, CrmError, DatabaseUnavailable
from crm_core.i18n import Text
from crm_core.permissions import ROLES
from crm_core.pgsecurity import setup as pgsecurity_setup
from crm_core.services.query import ListQuery
from crm_core.services.registry import Services
from crm_core.session import create_first_admin



def main(argv: list[str] | None = None) -> int:
    """Run ``crm-admin`` with ``argv`` (default: the process arguments); returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help or a usage error: argparse has printed it already
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    lang = getattr(args, "lang", None) or lang_from_env()
    try:
        return args.run(args, lang)
    except CrmError as exc:
        print(Text("错误：", "Error: ")(lang) + exc.text(lang), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(Text("已中断。", "Interrupted.")(lang), file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    # Accepted before and after the command; SUPPRESS keeps a sub-command from resetting
    # what was given before it to None.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    where = common.add_mutually_exclusive_group()
    where.add_argument("--url", help="database URL, e.g. sqlite:////srv/crm.sqlite3 or postgresql://host/crm")
    where.add_argument("--profile", help="connection profile from the config file")
    common.add_argument("--lang", choices=["zh_CN", "en"], help="message language (default: from LANG)")

    parser = argparse.ArgumentParser(prog="crm-admin", description="CRM Desktop administration", parents=[common])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True, metavar="ACTION")
    p = db.add_parser("upgrade", parents=[common], help="create or upgrade the schema")
    p.add_argument("--download-url", metavar="WHERE",
                   help="where the office keeps the client installers (a share or web address); clients of "
                        "another version show it (kept for later upgrades)")
    p.set_defaults(run=cmd_db_upgrade)
    db.add_parser("current", parents=[common], help="show the schema revision").set_defaults(run=cmd_db_current)
    p = db.add_parser("init", parents=[common], help="set up a fresh PostgreSQL server for database logins "
                      "(roles, database, schema, grants and policies, first admin); run once as a superuser")
    p.add_argument("--superuser-url", required=True,
                   help="superuser connection, e.g. postgresql://postgres@dbhost/postgres "
                        "(password from PGPASSWORD or ~/.pgpass, never on the command line)")
    p.add_argument("--database", required=True, help="name of the new CRM database")
    p.add_argument("--login", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--phone", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the admin's password from the first line of stdin")
    p.set_defaults(run=cmd_db_init)

    p = sub.add_parser("create-admin", parents=[common], help="create the first administrator of an empty database")
    p.add_argument("--login", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--phone", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.set_defaults(run=cmd_create_admin)

    p = sub.add_parser("demo-data", parents=[common], help="fill an empty database with demo data")
    p.add_argument("--customers", type=int, default=3000)
    p.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
    p.add_argument("--password-stdin", action="store_true",
                   help=f"read the demo accounts' password from stdin (default {demo.DEFAULT_PASSWORD})")
    p.add_argument("--force", action="store_true", help="add demo data even if the database has customers")
    p.add_argument("--if-empty", action="store_true",
                   help="do nothing (and say so) when the database already has customers")
    p.set_defaults(run=cmd_demo_data)

    cli_backup.add_commands(sub, common)

    users = sub.add_parser("users", help="software users").add_subparsers(dest="users_command", required=True,
                                                                          metavar="ACTION")
    users.add_parser("list", parents=[common], help="list the users").set_defaults(run=cmd_users_list)

    mail = sub.add_parser("mail", help="ticket notices by e-mail").add_subparsers(dest="mail_command", required=True,
                                                                               metavar="ACTION")
    mail.add_parser("send", parents=[common],
                    help=f"send the queued notices (SMTP password from ${mail_mod.PASSWORD_ENV} or the keyring); "
                         "schedule it on the server").set_defaults(run=cmd_mail_send)
    return parser


def cmd_db_upgrade(args: argparse.Namespace, lang: str) -> int:
    """``db upgrade``: bring the schema to this program's revision (SQLite: after a backup copy)."""
    profile = profile_of(args)
    engine = engine_of(profile)
    try:
        old = migrate.current_revision(engine)
        if old is not None and old not in migrate.known_revisions():
            migrate.check(engine)  # raises "the database is newer than this program"
        backup = None
        if profile.backend == "sqlite":
            backup = migrate.upgrade_embedded(engine, profile.sqlite_path, data_dir() / "backups")
        elif profile.auth == "database":
            pgsecurity_setup.upgrade_database(engine)  # grants and policies follow the new schema
        else:
            migrate.upgrade(engine)
        new = migrate.current_revision(engine)
        release = migrate.stamp_release(engine, getattr(args, "download_url", None))
    finally:
        engine.dispose()
    empty = Text("（空）", "(empty)")(lang)
    say(lang, f"{profile.describe()}：{old or empty} → {new}", f"{profile.describe()}: {old or empty} → {new}")
    if old == new:
        say(lang, "数据库已是最新版本。", "The database is up to date.")
    if release.download:
        say(lang, f"其他版本的客户端会提示从 {release.download} 安装 CRM Desktop {release.version}。",
            f"Clients of another version are told to install CRM Desktop {release.version} from {release.download}.")
    if backup is not None:
        say(lang, f"升级前的备份：{backup}", f"Backup taken before the upgrade: {backup}")
    if profile.backend == "postgresql" and profile.auth == "database":
        say(lang, "数据库角色、授权和行级安全策略已按权限声明更新。",
            "Database roles, grants and row-level security policies updated from the permission declaration.")
    return 0


def cmd_db_init(args: argparse.Namespace, lang: str) -> int:
    """``db init``: set up a fresh server for database logins and create its first administrator."""
    try:
        if make_url(args.superuser_url).get_backend_name() != "postgresql":
            raise ArgumentError("not postgresql")
    except ArgumentError:
        raise ConfigurationError(Text("--superuser-url 应是 postgresql:// 地址",
                                      "--superuser-url must be a postgresql:// URL")) from None
    password = read_password(args.password_stdin, lang)
    first = {"login": args.login, "name": args.name, "phone": args.phone, "password": password}
    try:
        admin = pgsecurity_setup.init_database(args.superuser_url, args.database, first,
                                               progress=_step_printer(lang))
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(Text(f"无法连接数据库服务器：{exc}", f"Cannot reach the database server: {exc}")) from None
    say(lang, f"数据库“{args.database}”已建立；管理员“{admin['login']}”可以用自己的密码登录"
               f"（连接配置 auth = \"database\"）。",
         f"Database '{args.database}' is set up; the administrator '{admin['login']}' signs in with his own "
         f"password (connection profile auth = \"database\").")
    return 0


def _step_printer(lang: str) -> Callable[[int, int], None]:
    steps = [Text("角色", "roles"), Text("数据库", "database"), Text("表结构", "schema"),
             Text("授权与策略", "grants and policies"), Text("管理员", "administrator")]

    def show(done: int, total: int) -> None:
        print(f"[{done}/{total}] {steps[done - 1](lang)}", file=sys.stderr, flush=True)
    return show


def cmd_db_current(args: argparse.Namespace, lang: str) -> int:
    """``db current``: print the database's revision and the one this program expects."""
    profile = profile_of(args)
    if profile.backend == "sqlite" and not profile.sqlite_path.exists():
        say(lang, f"{profile.describe()}：数据库文件不存在（运行 crm-admin db upgrade 创建）",
            f"{profile.describe()}: no database file (crm-admin db upgrade creates it)")
        return 0
    engine = engine_of(profile)
    try:
        current = migrate.current_revision(engine)
    finally:
        engine.dispose()
    head = migrate.head_revision()
    if current == head:
        state = Text("（最新）", "(head)")
    elif current is not None and current not in migrate.known_revisions():
        state = Text(f"（比本程序新；本程序为 {head}）", f"(newer than this program, which expects {head})")
    else:
        state = Text(f"（需要升级到 {head}：crm-admin db upgrade）", f"(needs upgrading to {head}: crm-admin db upgrade)")
    print(f"{current or Text('（空）', '(empty)')(lang)} {state(lang)}")
    return 0


def cmd_create_admin(args: argparse.Namespace, lang: str) -> int:
    """``create-admin``: the first administrator of an empty database."""
    password = read_password(args.password_stdin, lang)
    db = open_db(profile_of(args))
    try:
        user = create_first_admin(db, {"login": args.login, "name": args.name, "phone": args.phone,
                                       "password": password})
    finally:
        db.dispose()
    say(lang, f"已创建系统管理员 {user['login']}（{user['name']}）。",
        f"Administrator {user['login']} ({user['name']}) created.")
    return 0


def cmd_demo_data(args: argparse.Namespace, lang: str) -> int:
    """``demo-data``: fill the database with demo data and say how to sign in."""
    if args.customers < 0:
        raise CliError(Text("--customers 不能为负数", "--customers must not be negative"))
    password = read_password(args.password_stdin, lang, confirm=False) if args.password_stdin else demo.DEFAULT_PASSWORD
    profile = profile_of(args)
    db = open_db(profile)
    started = time.monotonic()
    try:
        try:
            counts = demo.generate(db, seed=args.seed, customers=args.customers, password=password,
                                   progress=_progress_printer(lang), force=args.force)
        except demo.DatabaseNotEmpty:
            if not args.if_empty:
                raise
            say(lang, f"{profile.describe()} 中已有数据，未添加演示数据。",
                f"{profile.describe()} already has data; no demo data added.")
            _print_logins(lang, demo.demo_users(db))
            return 0
        users = demo.demo_users(db)
    finally:
        db.dispose()
    seconds = time.monotonic() - started
    say(lang, f"演示数据已写入 {profile.describe()}，用时 {seconds:.1f} 秒：",
        f"Demo data written to {profile.describe()} in {seconds:.1f} s:")
    for name, n in counts.items():
        print(f"  {name:<20} {n:>8}")
    _print_logins(lang, users)
    shown = "从标准输入读入的密码" if args.password_stdin else password
    say(lang, f"演示账户的密码：{shown}（已存在的账户保留原密码）",
        f"Password of the demo accounts: {'the one read from stdin' if args.password_stdin else password} "
        f"(accounts that existed keep theirs)")
    if profile.backend == "postgresql" and profile.auth == "database":
        say(lang, "注意：此配置使用数据库账户登录，演示用户还需要在服务器上创建对应的数据库角色。",
            "Note: this profile signs in with database logins; the demo users also need server roles.")
    return 0


def _print_logins(lang: str, users: dict) -> None:
    say(lang, "登录名（按角色）：", "Logins by role:")
    for role, rights in ROLES.items():
        logins = ", ".join(login for login, _ in users.get(role, []))
        print(f"  {pad(Text(rights.name_zh, rights.name_en)(lang), 16)} {logins}")


def _progress_printer(lang: str) -> Callable[[int, int], None]:
    """Progress on stderr: a live counter on a terminal, a line per 10 % otherwise."""
    tty = sys.stderr.isatty()
    label = Text("客户", "customers")(lang)
    shown = [0]  # tenths reported so far (progress comes a chunk at a time: a tenth may fall inside one)

    def show(done: int, total: int) -> None:
        if tty:
            print(f"\r{label} {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)
        elif total and done * 10 // total > shown[0]:
            shown[0] = done * 10 // total
            print(f"{label} {done}/{total}", file=sys.stderr, flush=True)
    return show


def cmd_users_list(args: argparse.Namespace, lang: str) -> int:
    """``users list``: every account, active or not."""
    db = open_db(profile_of(args))
    try:
        users, cursor = [], None
        service = Services(db, CLI_ACTOR).users
        while True:
            page = service.list(ListQuery(sort=("login",), after=cursor, limit=500, include_inactive=True))
            users += page.rows
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    finally:
        db.dispose()
    header = [Text("登录名", "Login")(lang), Text("姓名", "Name")(lang), Text("角色", "Role")(lang),
              Text("状态", "State")(lang), Text("最近登录", "Last sign-in")(lang)]
    rows = []
    for u in users:
        role = ROLES.get(u["role"])
        rows.append([u["login"], u["name"], Text(role.name_zh, role.name_en)(lang) if role else u["role"],
                     Text("有效", "active")(lang) if u["is_active"] else Text("停用", "disabled")(lang),
                     u["last_login_at"].astimezone().strftime("%Y-%m-%d %H:%M") if u["last_login_at"] else "-"])
    print_table(header, rows)
    say(lang, f"共 {len(users)} 个用户", f"{len(users)} users")
    return 0


def cmd_mail_send(args: argparse.Namespace, lang: str) -> int:
    """``mail send``: deliver the queued ticket notices; exit 1 when any failed (a scheduler notices)."""
    db = open_db(profile_of(args))
    try:
        report = Services(db, CLI_ACTOR).mail.send_pending()
    finally:
        db.dispose()
    say(lang, f"已发送 {report.sent} 封，失败 {report.failed} 封，其余 {report.left} 封由其他发送方处理。",
        f"Sent {report.sent}, failed {report.failed}, {report.left} taken by another sender.")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
