#!/usr/bin/env python3
"""Developer commands that set everything up themselves (Windows and Linux).

    python3 dev.py run    # virtualenv + install + demo data on the embedded database, then the app
    python3 dev.py test   # virtualenv + install + the whole test suite on SQLite and PostgreSQL

The virtualenv lives in ``.venv`` and is reinstalled when pyproject.toml changes.
Extra arguments after ``test`` go to pytest (e.g. ``python3 dev.py test --backend=sqlite -k auth``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_venv() -> None:
    """Create .venv and install the project with its test extras when needed."""
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]}).")
    if not PYTHON.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / ".installed"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("Installing CRM Desktop and its dependencies ...", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    stamp.write_text(digest)


def run() -> int:
    """Fill the embedded database with demo data (first time only) and start the app."""
    ensure_venv()
    admin = BIN / ("crm-admin.exe" if os.name == "nt" else "crm-admin")
    demo = subprocess.run([str(admin), "demo-data", "--if-empty"])
    if demo.returncode != 0:
        return demo.returncode
    return subprocess.run([str(PYTHON), "-m", "crm_desktop", *sys.argv[2:]]).returncode


def test() -> int:
    """Run the whole suite against SQLite and PostgreSQL."""
    ensure_venv()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return subprocess.run([str(PYTHON), "-m", "pytest", "--backend=all", *sys.argv[2:]], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    commands = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    sys.exit(commands[sys.argv[1]]())
