#!/usr/bin/env python3
"""Build the installable CRM Desktop: ``python installer/build.py linux|windows``.

1. a build virtualenv (``build/installer/venv``) with exactly the locked, hash-checked
   dependencies and build tools of ``installer/requirements.lock``;
2. the project's wheel, built in that virtualenv (forms and compiled catalogues inside) and installed there;
3. the PyInstaller one-folder bundle ``dist/crm-desktop/`` (``installer/crm-desktop.spec``):
   ``crm-desktop`` (GUI) and ``crm-admin`` (console), the licence and the third-party notices;
4. linux: ``dist/crm-desktop_<version>_amd64.deb`` (dpkg-deb), windows: ``dist/crm-desktop-<version>-setup.exe``
   (Inno Setup's ISCC.exe, from ``ISCC`` or its default install folder).

``--skip-bundle`` reuses an existing ``dist/crm-desktop/`` (e.g. to rebuild only the .deb).
See installer/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = ROOT / "build" / "installer"
DIST = ROOT / "dist"
BUNDLE = DIST / "crm-desktop"
VENV = WORK / "venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
LOCK = HERE / "requirements.lock"


def version() -> str:
    """The program's version (crm_core/version.py, which pyproject.toml reads too)."""
    namespace: dict[str, str] = {}
    exec((ROOT / "crm_core" / "version.py").read_text(encoding="utf-8"), namespace)
    return namespace["VERSION"]


def run(*cmd: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=cwd, env=env)


def build_venv() -> None:
    """Create the build virtualenv from the lock file (reused while the lock is unchanged)."""
    stamp = VENV / ".lock-sha256"
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if PYTHON.exists() and stamp.exists() and stamp.read_text() == digest:
        return
    if VENV.exists():
        shutil.rmtree(VENV)
    venv.EnvBuilder(with_pip=True).create(VENV)
    run(PYTHON, "-m", "pip", "install", "--quiet", "--require-hashes", "--no-deps", "-r", LOCK)
    stamp.write_text(digest)


def build_wheel() -> Path:
    """Build the project's wheel in the build virtualenv and install it there (no dependency changes)."""
    wheels = WORK / "wheel"
    shutil.rmtree(wheels, ignore_errors=True)
    shutil.rmtree(ROOT / "build" / "lib", ignore_errors=True)  # no stale files from an earlier build
    run(PYTHON, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", wheels, ROOT)
    (wheel,) = wheels.glob("crm_desktop-*.whl")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", wheel)
    return wheel


def build_bundle() -> None:
    """PyInstaller one-folder bundle in dist/crm-desktop (run outside the checkout so the wheel is analysed)."""
    started = time.monotonic()
    run(PYTHON, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", DIST, "--workpath", WORK / "pyinstaller", HERE / "crm-desktop.spec", cwd=WORK)
    shutil.copy2(ROOT / "LICENSE", BUNDLE / "LICENSE.txt")
    shutil.copytree(ROOT / "resources" / "notices", BUNDLE / "notices", dirs_exist_ok=True)
    run(PYTHON, HERE / "collect_licences.py", BUNDLE / "notices" / "python-packages")
    size = sum(f.stat().st_size for f in BUNDLE.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"bundle {BUNDLE}: {size / 1e6:.0f} MB, PyInstaller took {time.monotonic() - started:.0f} s", flush=True)


def build_deb() -> Path:
    """dist/crm-desktop_<version>_amd64.deb: the bundle in /opt/crm-desktop, menu entry, icons, metainfo."""
    sys.path.insert(0, str(HERE))
    from debian_package import make_deb

    return make_deb(BUNDLE, ROOT, WORK / "deb", DIST, version())


def build_windows_installer() -> Path:
    """dist/crm-desktop-<version>-setup.exe with Inno Setup 6 (installer/crm-desktop.iss)."""
    iscc = os.environ.get("ISCC") or shutil.which("ISCC") or \
        r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe"
    if not Path(iscc).exists():
        sys.exit(f"Inno Setup 6 not found ({iscc}); install it from https://jrsoftware.org/isinfo.php "
                 "or set ISCC to its ISCC.exe. The bundle is ready in dist/crm-desktop.")
    run(iscc, f"/DAppVersion={version()}", f"/DBundleDir={BUNDLE}", f"/DRepoRoot={ROOT}", f"/O{DIST}",
        HERE / "crm-desktop.iss")
    return DIST / f"crm-desktop-{version()}-setup.exe"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=("linux", "windows"))
    parser.add_argument("--skip-bundle", action="store_true", help="reuse dist/crm-desktop")
    args = parser.parse_args()
    if (args.target == "windows") != (os.name == "nt"):
        sys.exit(f"build the {args.target} installer on {args.target} (PyInstaller does not cross-build)")
    WORK.mkdir(parents=True, exist_ok=True)
    if not args.skip_bundle:
        build_venv()
        build_wheel()
        build_bundle()
    output = build_deb() if args.target == "linux" else build_windows_installer()
    print(f"built {output}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
