"""docs/security.md, run as the office administrator would on a fresh server.

Steps 3, 4 and 7: ``crm-admin db init`` and ``db upgrade`` as the operating
system's user ``postgres`` over the server's socket, signed in by ``peer``
(the ``local all postgres peer`` line) -- no ``postgres`` password, which a
fresh install does not have. Then "Checking a server" as written there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.conftest import PASSWORD

pytestmark = pytest.mark.security

DATABASE = "crm_walkthrough"
CHECK_RLS = """SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
 WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1"""
CHECK_LOGINS = """SELECT rolname, rolsuper, rolbypassrls, rolcreaterole, left(rolpassword, 14)
  FROM pg_authid WHERE rolcanlogin ORDER BY 1"""


@pytest.fixture
def peer_for_postgres(secure_cluster):
    """Step 3's ``local all postgres peer`` in front of the cluster's own rules, for this test."""
    if os.geteuid() != 0:
        pytest.skip("acting as the OS user postgres needs root (runuser)")
    hba = secure_cluster.datadir / "pg_hba.conf"
    original = hba.read_text(encoding="utf-8")
    hba.write_text("local all postgres peer\n" + original, encoding="utf-8")
    su = psycopg.connect(**secure_cluster.conninfo("postgres"), autocommit=True)
    su.execute("SELECT pg_reload_conf()")
    yield secure_cluster
    hba.write_text(original, encoding="utf-8")
    su.execute("SELECT pg_reload_conf()")
    su.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)))
    su.execute("DROP ROLE IF EXISTS wangjg")
    su.close()


def _as_os_postgres(cluster, args: list[str], stdin: str = "") -> subprocess.CompletedProcess:
    """``sudo -u postgres crm-admin …`` (runuser: the same without sudo's configuration)."""
    home = cluster.root / "postgres-home"
    home.mkdir(exist_ok=True)
    os.chown(home, *_ids("postgres"))
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "CRM_DATA_DIR": str(home / "data"),
           "PYTHONPATH": str(Path.cwd()), "LANG": "C.UTF-8"}
    return subprocess.run(["runuser", "-u", "postgres", "--", sys.executable, "-m", "crm_core.cli", *args],
                          input=stdin, capture_output=True, text=True, env=env, timeout=600, cwd=str(home), check=False)


def _ids(user: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


def test_the_server_steps_of_the_docs_work_without_a_postgres_password(peer_for_postgres):
    cluster = peer_for_postgres
    socket = f"host={cluster.root}&port={cluster.port}"  # /var/run/postgresql on Debian, 5432
    # Step 4
    done = _as_os_postgres(cluster, ["db", "init", "--superuser-url", f"postgresql:///postgres?{socket}",
                                     "--database", DATABASE, "--login", "wangjg", "--name", "王建国",
                                     "--phone", "13800000000", "--password-stdin", "--lang", "en"],
                           stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    # Step 6: the administrator signs in with his own password
    with psycopg.connect(**cluster.conninfo(DATABASE, "wangjg", PASSWORD)) as conn:
        assert conn.execute("SELECT login, role FROM users").fetchall() == [("wangjg", "admin")]
    with psycopg.connect(**cluster.conninfo(DATABASE), autocommit=True) as su:
        su.execute("ALTER ROLE wangjg RESET ALL")  # drift that the upgrade puts right
    # Step 7
    done = _as_os_postgres(cluster, ["db", "upgrade", "--url", f"postgresql:///{DATABASE}?{socket}&auth=database",
                                     "--lang", "en"])
    assert done.returncode == 0, done.stderr
    # Checking a server
    with psycopg.connect(**cluster.conninfo(DATABASE), autocommit=True) as su:
        flags = {name: (rls, forced) for name, rls, forced in su.execute(CHECK_RLS)}
        logins = su.execute(CHECK_LOGINS).fetchall()
        limits = su.execute("SELECT setconfig FROM pg_db_role_setting WHERE setrole = 'wangjg'::regrole").fetchone()
    assert sorted(limits[0]) == ["idle_in_transaction_session_timeout=10min", "statement_timeout=5min"]
    assert flags["customers"] == flags["contacts"] == flags["import_batches"] == (True, True)
    [admin] = [row for row in logins if row[0] == "wangjg"]
    assert admin == ("wangjg", False, False, False, "SCRAM-SHA-256$")
