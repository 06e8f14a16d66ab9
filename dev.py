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
import shutil
import subprocess
import sys
import tempfile
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
    # setuptools 77+: the licence as an SPDX expression (tests build the wheel without build isolation).
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip", "setuptools>=77", "wheel"],
                   check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    stamp.write_text(digest)


# Linux: what Qt's xcb platform plugin (X11, XWayland) needs besides the PySide6 wheels, as Debian packages.
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
}


def missing_system_packages() -> list[str]:
    """Debian packages the client needs that this Linux lacks (none on Windows or offscreen)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or platform.startswith(("offscreen", "wayland")):
        return []
    try:
        known = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    missing = [package for library, package in XCB_LIBRARIES.items() if library not in known]
    fc_list = shutil.which("fc-list")
    fonts = subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True).stdout if fc_list else ""
    if not fonts.strip():
        missing += ["fonts-noto-cjk", "fonts-wqy-zenhei"]
    return missing


def run() -> int:
    """Fill the embedded database with demo data (first time only) and start the app."""
    missing = missing_system_packages()
    if missing:
        sys.exit("The client needs these system packages first:\n"
                 f"    sudo apt-get install {' '.join(missing)}")
    ensure_venv()
    admin = BIN / ("crm-admin.exe" if os.name == "nt" else "crm-admin")
    demo = subprocess.run([str(admin), "demo-data", "--if-empty"])
    if demo.returncode != 0:
        return demo.returncode
    return subprocess.run([str(PYTHON), "-m", "crm_desktop", *sys.argv[2:]]).returncode


NO_TESTS_COLLECTED = 5  # pytest's exit code when nothing was selected


def test() -> int:
    """Run the whole suite against SQLite and PostgreSQL.

    Without ``--backend`` the two backends run side by side in two processes (two cores): the
    PostgreSQL one takes only the tests parametrised by backend, the SQLite one also the tests
    that take none (the slower PostgreSQL half is the longer one: a fresh database per test on
    the server). Those tests use the server only through databases and clusters of their own.
    The PostgreSQL run prints as it goes; the SQLite run's output follows when both are done.
    """
    ensure_venv()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    args = sys.argv[2:]
    pytest = [str(PYTHON), "-m", "pytest"]
    if any(a == "--backend" or a.startswith("--backend=") for a in args):
        return subprocess.run([*pytest, *args], cwd=ROOT, env=env).returncode
    with tempfile.TemporaryDirectory(prefix="crm-tests-") as scratch:
        log_path = Path(scratch) / "sqlite.log"
        with open(log_path, "w", encoding="utf-8") as log:
            sqlite = subprocess.Popen([*pytest, "--backend=sqlite",
                                       f"--basetemp={Path(scratch) / 'sqlite'}", *args],
                                      cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                postgresql = subprocess.run([*pytest, "--backend=postgresql", "--backendless=exclude",
                                             f"--basetemp={Path(scratch) / 'postgresql'}", *args],
                                            cwd=ROOT, env=env).returncode
            finally:
                sqlite_code = sqlite.wait()
        print("\n=== the SQLite run (alongside; with the tests that take no backend) ===", flush=True)
        print(log_path.read_text(encoding="utf-8", errors="replace"), flush=True)
    print(f"PostgreSQL run: exit {postgresql}; SQLite run: exit {sqlite_code}", flush=True)
    # 5: that half selected no test (a path or -k of tests that take no backend); the other half decides.
    codes = [c for c in (postgresql, sqlite_code) if c != NO_TESTS_COLLECTED] or [NO_TESTS_COLLECTED]
    return max(codes)


if __name__ == "__main__":
    commands = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    sys.exit(commands[sys.argv[1]]())
