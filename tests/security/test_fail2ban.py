"""Issue 11, finding 10: the server-side brake on password guessing that the server set-up ships.

``auth_delay`` slows each attempt but not many in parallel; fail2ban blocks the
guessing address. What can be shown without root and a firewall: the shipped
filter, run by fail2ban's own ``fail2ban-regex``, finds every failed sign-in in
the log of a real server configured as docs/security.md says, with the
client's address, and nothing else. (The ban itself is fail2ban's job.)
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.security

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "fail2ban"
FILTER = DEPLOY / "filter.d" / "crm-postgresql.conf"
JAIL = DEPLOY / "jail.d" / "crm-postgresql.local"
# docs/security.md, step 2: what postgresql.conf must say for the filter
LOG_SETTINGS = {"log_line_prefix": "%m [%p] host=%h user=%u db=%d ", "lc_messages": "C"}


def _fail2ban_regex() -> str:
    found = shutil.which("fail2ban-regex")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("fail2ban-regex is missing (Debian package fail2ban)")
        pytest.skip("fail2ban-regex is not installed")
    return found


def test_the_filter_finds_every_failed_sign_in_and_its_address(secure_db, tmp_path):
    tool = _fail2ban_regex()
    su = secure_db.superuser()
    log = secure_db.cluster.root / "server.log"
    for name, value in LOG_SETTINGS.items():
        su.execute(f"ALTER SYSTEM SET {name} = '{value}'")
    su.execute("SELECT pg_reload_conf()")
    try:
        start = log.stat().st_size
        for login in ["admin"] * 4 + ["nobody"] * 3:  # a guessed password; a login that does not exist
            with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
                secure_db.connect(login, "guess-123456")
        secure_db.connect("admin").execute("SELECT 1")  # a good sign-in is no failure
    finally:
        for name in LOG_SETTINGS:
            su.execute(f"ALTER SYSTEM RESET {name}")
        su.execute("SELECT pg_reload_conf()")
    lines = log.read_bytes()[start:].decode("utf-8", errors="replace")
    excerpt = tmp_path / "postgresql.log"
    excerpt.write_text(lines, encoding="utf-8")
    assert lines.count("password authentication failed") == 7  # the real lines the filter must read
    done = subprocess.run([tool, "-o", "ip", str(excerpt), str(FILTER)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["127.0.0.1"] * 7, lines


def test_the_jail_uses_the_filter_and_bans_after_a_few_failures():
    jail = configparser.ConfigParser(inline_comment_prefixes=None)
    jail.read(JAIL, encoding="utf-8")
    section = jail["crm-postgresql"]
    assert section["filter"] == FILTER.stem and section.getboolean("enabled")
    assert int(section["maxretry"]) <= 5 and section["bantime"] == "1h"
