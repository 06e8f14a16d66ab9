"""A private PostgreSQL cluster for the security tests: scram-sha-256 only, nothing trusted.

The ordinary test server trusts every local connection, so it cannot show
that a password is needed or that a role is limited. This cluster is made by
``initdb`` in a temp dir, listens on 127.0.0.1 on a free port (and a unix
socket inside the temp dir) and accepts nothing but SCRAM passwords.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"


class BinaryMissing(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def bindir() -> Path:
    """Where initdb/pg_ctl live: ``pg_config --bindir``, else the newest /usr/lib/postgresql/*/bin."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for path in candidates:
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            return path
    raise BinaryMissing("initdb/pg_ctl not found (pg_config --bindir, /usr/lib/postgresql/*/bin)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SecureCluster:
    """A running private cluster and how to reach it as its superuser."""

    root: Path
    port: int
    password: str
    bin: Path
    host: str = "127.0.0.1"
    superuser: str = SUPERUSER

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres", user: str | None = None, password: str | None = None,
            driver: str = "postgresql+psycopg") -> str:
        """A URL for ``user`` (default: the superuser with its password)."""
        from sqlalchemy.engine import URL

        if user is None:
            user, password = self.superuser, self.password
        return URL.create(driver, username=user, password=password, host=self.host, port=self.port,
                          database=database, query={"sslmode": "disable"}).render_as_string(hide_password=False)

    def conninfo(self, database: str, user: str | None = None, password: str | None = None) -> dict:
        """Keyword arguments for ``psycopg.connect``."""
        if user is None:
            user, password = self.superuser, self.password
        return {"host": self.host, "port": self.port, "dbname": database, "user": user,
                "password": password, "sslmode": "disable", "connect_timeout": 10}


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb and the server refuse to run as root: run them as the ``postgres`` OS user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _run(cmd: list[str]) -> None:
    done = subprocess.run(_as_postgres(cmd), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def start(password: str) -> SecureCluster:
    """initdb with scram-sha-256 everywhere, own port and socket dir, listening on 127.0.0.1 only.

    The cluster lives in its own fresh dir under the system temp dir (pytest's
    temp dirs are private to root, out of reach of the ``postgres`` OS user).
    """
    binaries = bindir()
    root = Path(tempfile.mkdtemp(prefix="crm-pgsecure-"))
    pwfile = root / "pwfile"
    pwfile.write_text(password + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(pwfile, "postgres", "postgres")
    os.chmod(pwfile, 0o600)
    cluster = SecureCluster(root=root, port=free_port(), password=password, bin=binaries)
    _run([str(binaries / "initdb"), "-D", str(cluster.datadir), "-U", SUPERUSER, "--auth=scram-sha-256",
          f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
    pwfile.unlink()
    (cluster.datadir / "pg_hba.conf").write_text(
        "local all all scram-sha-256\n"
        "host all all 127.0.0.1/32 scram-sha-256\n", encoding="utf-8")
    with (cluster.datadir / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {cluster.port}\n"
                   f"unix_socket_directories = '{root}'\npassword_encryption = 'scram-sha-256'\n"
                   "fsync = off\nmax_connections = 60\n")
    _run([str(binaries / "pg_ctl"), "-D", str(cluster.datadir), "-l", str(root / "server.log"),
          "-w", "-t", "60", "start"])
    return cluster


def stop(cluster: SecureCluster) -> None:
    """Stop the server (fast shutdown) and remove its files."""
    try:
        _run([str(cluster.bin / "pg_ctl"), "-D", str(cluster.datadir), "-m", "fast", "-w", "stop"])
    finally:
        shutil.rmtree(cluster.root, ignore_errors=True)
