#!/usr/bin/env python3
"""Check an installed CRM Desktop end to end on a throw-away embedded database (Linux; CI runs it).

    python3 installer/smoke_test.py PROGRAM_DIR [--lang zh_CN]

PROGRAM_DIR holds ``crm-desktop`` and ``crm-admin`` (``dist/crm-desktop``, or ``opt/crm-desktop``
of an unpacked .deb). Everything goes to a temporary folder: ``crm-admin demo-data`` fills a new
embedded database, ``crm-desktop --smoke-test`` signs in as admin through the real sign-in window,
opens the customers grid and exports it to PDF (offscreen). Passes when both exit 0, the PDF holds
Chinese text in an embedded font (pdffonts), no crash log was written and nothing was written
into PROGRAM_DIR.
On Windows, installer/smoke_test.ps1 does the same for an office administrator.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("program_dir", type=Path)
    parser.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="crm-smoke-"))
    env = {**os.environ, "CRM_DATA_DIR": str(work / "data"), "CRM_LOG_DIR": str(work / "logs"),
           "CRM_CONFIG": str(work / "config.toml"), "XDG_CONFIG_HOME": str(work / "config"),
           "XDG_CACHE_HOME": str(work / "cache"), "QT_QPA_PLATFORM": "offscreen",
           "CRM_SMOKE_PASSWORD": "demo1234"}
    for name in ("CRM_PROFILE", "CRM_DATABASE_URL", "CRM_LANG"):
        env.pop(name, None)
    started = time.monotonic()
    before = snapshot(args.program_dir)
    admin = subprocess.run([str(args.program_dir / "crm-admin"), "--lang", "en", "demo-data", "--customers", "30"],
                           env=env, capture_output=True, text=True, timeout=600)
    if admin.returncode != 0:
        return fail(f"crm-admin demo-data exited {admin.returncode}:\n{admin.stdout}\n{admin.stderr}")
    print(f"crm-admin demo-data: ok ({time.monotonic() - started:.0f} s)", flush=True)
    out = work / "out"
    app = subprocess.run([str(args.program_dir / "crm-desktop"), "--lang", args.lang, "--smoke-test", str(out)],
                         env=env, capture_output=True, text=True, timeout=600)
    if app.returncode != 0:
        failed = out / "smoke-failed.txt"
        return fail(f"crm-desktop --smoke-test exited {app.returncode}: "
                    f"{failed.read_text(encoding='utf-8') if failed.exists() else ''}\n{app.stderr[-4000:]}")
    report = json.loads((out / "smoke.json").read_text(encoding="utf-8"))
    print(f"crm-desktop --smoke-test: ok {report}", flush=True)
    crashes = sorted((work / "logs").glob("crash-*.log"))
    if crashes:
        return fail(f"crash log written: {crashes[0].read_text(encoding='utf-8')}")
    written = sorted(set(snapshot(args.program_dir).items()) - set(before.items()))
    if written:
        return fail(f"the programs wrote into their own folder: {written[:5]}")
    pdf = out / "customers.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    embedded = [line for line in fonts.splitlines()[2:] if line.split()[-5:-4] == ["yes"]]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    print(fonts, flush=True)
    if not embedded:
        return fail("no font is embedded in the PDF")
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return fail(f"no Chinese text in the PDF:\n{text[:500]}")
    print(f"PASS in {time.monotonic() - started:.0f} s (work folder {work})")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0


def snapshot(folder: Path) -> dict[str, float]:
    """Every file under ``folder`` with its modification time (the install folder must stay untouched)."""
    return {str(path): path.stat().st_mtime for path in folder.rglob("*") if path.is_file()}


def fail(message: str) -> int:
    print(f"FAIL: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
