"""``crm-admin`` backup commands: backup [--verify], verify, restore, backup-runs (see crm_core.backup)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crm_core import backup
from crm_core.backup import postgres as backup_postgres
from crm_core.backup.service import BackupService
from crm_core.cli_common import CLI_ACTOR, CliError, engine_of, print_table, profile_of, say
from crm_core.config import Profile
from crm_core.db.engine import Database
from crm_core.errors import DatabaseUnavailable
from crm_core.i18n import Text
from crm_core.services.registry import Services

KEEP_BACKUPS = backup.KEEP_BACKUPS


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register the backup commands on ``crm-admin``'s sub-command parser."""
    p = sub.add_parser("backup", parents=[common], help="back up the database")
    p.add_argument("--dest", type=Path, help="folder for the backup (default: the data folder's backups)")
    p.add_argument("--keep", type=int, default=KEEP_BACKUPS, help=f"generations to keep (default {KEEP_BACKUPS})")
    p.add_argument("--verify", action="store_true",
                   help="then verify it (PostgreSQL: restore into a scratch database and compare checksums)")
    p.set_defaults(run=cmd_backup)

    p = sub.add_parser("verify", parents=[common], help="verify a backup file")
    p.add_argument("file", type=Path)
    p.set_defaults(run=cmd_verify)

    p = sub.add_parser("restore", parents=[common],
                       help="replace the database with a backup (after a safety backup of the current state)")
    p.add_argument("file", type=Path)
    p.add_argument("--yes-i-know", action="store_true", dest="yes_i_know",
                   help="required: the database's current content is replaced")
    p.add_argument("--confirm", metavar="NAME", help="the database (file) name, instead of typing it on stdin")
    p.add_argument("--force", action="store_true", help="PostgreSQL: restore although other clients are connected")
    p.set_defaults(run=cmd_restore)

    p = sub.add_parser("backup-runs", parents=[common], help="list the recorded backup, verify and restore runs")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(run=cmd_backup_runs)


def cmd_backup(args: argparse.Namespace, lang: str) -> int:
    """``backup [--verify]``: an online copy of the database, keeping the newest ``--keep`` generations."""
    if args.keep < 1:
        raise CliError(Text("--keep 至少为 1", "--keep must be at least 1"))
    profile = profile_of(args)
    _backup_tools_present(profile)
    service, db = _backup_service(profile)
    try:
        run = service.backup_now(args.dest, keep=args.keep, verify=args.verify)
    finally:
        db.dispose()
    made = Path(run["path"])
    say(lang, f"备份已完成：{made}（{made.stat().st_size / 1048576:.1f} MB）",
        f"Backup written: {made} ({made.stat().st_size / 1048576:.1f} MB)")
    if run["removed"]:
        say(lang, f"已删除 {len(run['removed'])} 个较旧的备份，保留最新的 {args.keep} 个。",
            f"Removed {len(run['removed'])} older backups, keeping the newest {args.keep}.")
    if run["report"] is not None:
        print(run["report"].message(lang))
    return 0 if run["ok"] else 1


def cmd_verify(args: argparse.Namespace, lang: str) -> int:
    """``verify FILE``: integrity, row counts and checksums of a backup; exit 1 when it does not verify."""
    profile = profile_of(args)
    _backup_tools_present(profile)
    service, db = _backup_service(profile)
    try:
        run = service.verify(args.file)
    finally:
        db.dispose()
    print(run["report"].message(lang))
    return 0 if run["ok"] else 1


def cmd_restore(args: argparse.Namespace, lang: str) -> int:
    """``restore FILE --yes-i-know``: say what will happen, take the database name as confirmation, restore."""
    profile = profile_of(args)
    _backup_tools_present(profile)
    service, db = _backup_service(profile)
    try:
        name = service.confirm_name()
        say(lang, f"将用备份 {args.file} 替换 {profile.describe()} 的全部内容。\n"
                   f"恢复前会先把当前状态备份到 {service.default_dir()}。其他用户应先退出 CRM。",
             f"The whole content of {profile.describe()} will be replaced by the backup {args.file}.\n"
             f"The current state is backed up to {service.default_dir()} first. Other users should sign out of the CRM.")
        if not args.yes_i_know:
            raise CliError(Text("未恢复：请加上 --yes-i-know 确认。", "Nothing restored: add --yes-i-know to confirm."))
        confirm = args.confirm
        if confirm is None:
            print(Text(f"请输入数据库名称“{name}”以确认：", f"Type the database name “{name}” to confirm: ")(lang),
                  end="", flush=True)
            confirm = sys.stdin.readline().strip()
        run = service.restore(args.file, confirm=confirm, force=args.force)
    finally:
        db.dispose()
    print(run["message"](lang))
    return 0


def cmd_backup_runs(args: argparse.Namespace, lang: str) -> int:
    """``backup-runs``: the latest recorded runs, newest first."""
    service, db = _backup_service(profile_of(args))
    try:
        runs = service.runs(args.limit)
    finally:
        db.dispose()
    header = [Text("时间", "Time")(lang), Text("类型", "Kind")(lang), Text("结果", "Result")(lang),
              Text("文件", "File")(lang), Text("执行人", "By")(lang), Text("说明", "Message")(lang)]
    rows = [[r["started_at"].astimezone().strftime("%Y-%m-%d %H:%M"), r["kind"],
             Text("成功", "ok")(lang) if r["ok"] else Text("失败", "FAILED")(lang),
             Path(r["path"]).name if r["path"] else "-", r["by_login"], r["message"](lang)] for r in runs]
    print_table(header, rows)
    return 0


def _backup_tools_present(profile: Profile) -> None:
    """Say what is missing before contacting anything: the database file, or pg_dump."""
    if profile.backend == "sqlite" and not profile.sqlite_path.is_file():
        raise DatabaseUnavailable(Text(f"数据库文件不存在：{profile.sqlite_path}",
                                       f"The database file does not exist: {profile.sqlite_path}"))
    if profile.backend == "postgresql":
        backup_postgres.tool("pg_dump")


def _backup_service(profile: Profile) -> tuple[BackupService, Database]:
    """The backup service acting as crm-admin, on a database whose schema may be older than this program."""
    db = Database(engine_of(profile))
    return BackupService(Services(db, CLI_ACTOR).context), db
