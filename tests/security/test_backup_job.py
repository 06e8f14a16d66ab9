"""Issue 11, findings 7 and 12: the server's backup job as docs/backups.md sets it up, and private files.

The job logs in as its own non-superuser login, a member of ``crm_backup``,
with the password in ``CRM_DB_PASSWORD``, exactly as the cron line of the docs
(``crm-admin backup --dest … --verify``), on the scram-only cluster.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from crm_core.pgsecurity.scram import scram_verifier

pytestmark = pytest.mark.security

JOB_PASSWORD = "Backup#Job#2026"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _crm_admin(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crm_core.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.getcwd(), **env}, timeout=300, check=False)


@pytest.fixture(params=["CRM_DB_PASSWORD", "pgpass"])
def backup_job(request, secure_db, tmp_path):
    """The docs' SQL, run by the administrator as a superuser in psql; the password as the docs keep it."""
    su = secure_db.superuser()
    su.execute(f"CREATE ROLE crm_backup_job LOGIN CREATEDB PASSWORD '{scram_verifier(JOB_PASSWORD)}'")
    su.execute("GRANT crm_backup TO crm_backup_job")
    cluster = secure_db.cluster
    env = {"CRM_DATABASE_URL": f"postgresql://crm_backup_job@{cluster.host}:{cluster.port}/{secure_db.name}"
                               "?sslmode=disable"}
    if request.param == "CRM_DB_PASSWORD":
        return {**env, "CRM_DB_PASSWORD": JOB_PASSWORD}
    pgpass = tmp_path / ".pgpass"
    pgpass.write_text(f"{cluster.host}:{cluster.port}:*:crm_backup_job:{JOB_PASSWORD}\n", encoding="utf-8")
    pgpass.chmod(0o600)
    return {**env, "PGPASSFILE": str(pgpass)}


def test_the_nightly_job_backs_up_every_row_as_a_member_of_the_backup_role(secure_db, backup_job, tmp_path):
    sales = secure_db.add_user("sales1", "sales")
    admin = secure_db.session("admin")
    for name in ("北京星辰软件有限公司", "上海海纳贸易有限公司"):
        admin.customers.create({"name": name, "owner_id": sales["id"]})
    dest = tmp_path / "srv" / "crm-backups"
    done = _crm_admin(["backup", "--dest", str(dest), "--verify", "--lang", "en"],
                      {**backup_job, "CRM_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 0, done.stderr
    assert "Verified:" in done.stdout and "counts and checksums equal" in done.stdout
    [dump] = dest.glob("*.dump")
    manifest = json.loads(Path(str(dump) + ".json").read_text(encoding="utf-8"))
    assert manifest["tables"]["customers"]["rows"] == 2  # past row-level security, which hides them from the login
    assert manifest["globals"].startswith("not saved")  # roles' verifiers: superusers only
    # 7: the dump and its manifest readable by their owner only, in a folder only he may enter
    assert (_mode(dump), _mode(Path(str(dump) + ".json")), _mode(dest), _mode(dest.parent)) == \
        (0o600, 0o600, 0o700, 0o700)
    assert _mode(tmp_path / "data" / "backups" / "backup.log") == 0o600
    runs = secure_db.superuser().execute("SELECT kind, ok FROM backup_runs").fetchall()
    assert runs == [("backup", True)]  # listed in Settings -> Backups


def test_the_login_itself_reads_only_what_row_level_security_allows(secure_db, backup_job):
    """Membership gives the tables, not BYPASSRLS: only SET ROLE crm_backup (what the job does) does."""
    secure_db.session("admin").customers.create({"name": "广州远航物流有限公司"})
    with secure_db.connect("crm_backup_job", JOB_PASSWORD) as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 0
        conn.execute("SET ROLE crm_backup")
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 1
        with pytest.raises(Exception, match="permission denied"):
            conn.execute("DELETE FROM customers")


def test_a_superusers_backup_keeps_the_role_verifiers_private(secure_db, tmp_path, monkeypatch):
    from crm_core.backup.operations import make_backup
    from crm_core.config import Profile

    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path / "data"))
    cluster = secure_db.cluster
    profile = Profile(name="su", backend="postgresql", host=cluster.host, port=cluster.port,
                      database=secure_db.name, sslmode="disable", auth="database")
    made, _ = make_backup(profile, tmp_path / "out", credentials=(cluster.superuser, cluster.password))
    verifiers = Path(str(made) + ".globals.sql")
    assert "SCRAM-SHA-256$" in verifiers.read_text(encoding="utf-8")
    assert (_mode(made), _mode(verifiers), _mode(tmp_path / "out")) == (0o600, 0o600, 0o700)


def test_the_embedded_database_and_its_backups_are_private(tmp_path, monkeypatch):
    from crm_core.backup.operations import make_backup
    from crm_core.config import Profile
    from crm_core.session import open_database

    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path / "data"))
    profile = Profile(name="embedded", backend="sqlite", path=str(tmp_path / "data" / "crm.sqlite3"))
    open_database(profile).dispose()
    made, _ = make_backup(profile, tmp_path / "data" / "backups")
    assert (_mode(profile.sqlite_path), _mode(profile.sqlite_path.parent)) == (0o600, 0o700)
    assert (_mode(made), _mode(Path(str(made) + ".json")), _mode(made.parent)) == (0o600, 0o600, 0o700)
    wal = Path(str(profile.sqlite_path) + "-wal")
    assert not wal.exists() or _mode(wal) == 0o600


def test_the_nightly_job_verifies_its_backup_under_step_3_s_pg_hba(secure_db, backup_job, tmp_path):
    """docs/security.md step 3: the job's own line lets --verify restore into a scratch database of its own
    (the CRM's line names the CRM database only)."""
    from tests.security.test_other_databases import documented_hba

    hba = secure_db.cluster.datadir / "pg_hba.conf"
    original = hba.read_text(encoding="utf-8")
    hba.write_text(documented_hba(secure_db.name), encoding="utf-8")
    su = secure_db.superuser()
    su.execute("SELECT pg_reload_conf()")
    try:
        dest = tmp_path / "srv" / "crm-backups"
        done = _crm_admin(["backup", "--dest", str(dest), "--verify", "--lang", "en"],
                          {**backup_job, "CRM_DATA_DIR": str(tmp_path / "data")})
        assert done.returncode == 0, done.stderr
        assert "Verified:" in done.stdout and "counts and checksums equal" in done.stdout
    finally:
        hba.write_text(original, encoding="utf-8")
        su.execute("SELECT pg_reload_conf()")
