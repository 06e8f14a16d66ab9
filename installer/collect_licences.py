"""Copy the licence files of every Python distribution that ships in the bundle (run in the build venv).

    python installer/collect_licences.py OUT_DIR

Writes ``OUT_DIR/<name>-<version>/`` with the distribution's licence files (``.dist-info/licenses``
or files named LICENSE/COPYING/NOTICE/AUTHORS in its RECORD) and ``OUT_DIR/INDEX.txt`` (name,
version, declared licence). Build tools that do not ship, and CRM Desktop itself (LICENSE), are left out.
"""

from __future__ import annotations

import importlib.metadata as md
import re
import shutil
import sys
from pathlib import Path

LEFT_OUT = {"pip", "setuptools", "wheel", "pyinstaller", "pyinstaller-hooks-contrib", "altgraph", "macholib",
              "pefile", "crm-desktop"}
LICENCE_NAME = re.compile(r"(^|/)(LICEN[CS]E|COPYING|NOTICE|AUTHORS)[^/]*$", re.IGNORECASE)


def licence_files(dist: md.Distribution) -> list[Path]:
    found = []
    for entry in dist.files or []:
        if LICENCE_NAME.search(str(entry)) and not str(entry).endswith((".py", ".pyc")):
            path = Path(dist.locate_file(entry))
            if path.is_file():
                found.append(path)
    return found


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    index = []
    for dist in sorted(md.distributions(), key=lambda d: d.metadata["Name"].lower()):
        name = dist.metadata["Name"]
        if re.sub(r"[-_.]+", "-", name).lower() in LEFT_OUT:
            continue
        declared = dist.metadata.get("License-Expression") or (dist.metadata.get("License") or "").splitlines()[0:1]
        declared = declared if isinstance(declared, str) else (declared[0] if declared else "")
        classifiers = [c.split("::")[-1].strip() for c in dist.metadata.get_all("Classifier") or []
                       if c.startswith("License")]
        target = out / f"{name}-{dist.version}"
        target.mkdir(exist_ok=True)
        files = licence_files(dist)
        for path in files:
            shutil.copy2(path, target / path.name)
        if not files:
            (target / "LICENSE-declared.txt").write_text(f"{name} {dist.version}: {declared or classifiers}\n"
                                                         f"(no licence file in the distribution; see its home page "
                                                         f"{dist.metadata.get('Home-page') or ''})\n", encoding="utf-8")
        index.append(f"{name} {dist.version}: {declared or ', '.join(classifiers) or 'see folder'}")
    (out / "INDEX.txt").write_text("\n".join(index) + "\n", encoding="utf-8")
    print(f"licences of {len(index)} Python distributions in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
