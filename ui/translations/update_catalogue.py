#!/usr/bin/env python3
"""Bring the zh_CN catalogue up to date with the client's source strings.

    python ui/translations/update_catalogue.py [--check]

1. ``pyside6-lupdate`` collects every ``QCoreApplication.translate`` string
   of ``crm_desktop/`` and ``ui/*.ui`` into ``crm_desktop_zh_CN.ts`` (kept
   translations stay; strings no longer in the code are dropped).
2. Translations written while the strings were new, in
   ``pending_*.tsv`` files beside it (context TAB English TAB Chinese, one
   per line), are filled in, and those files are removed.
3. It fails, listing them, when any string is left without a translation.

``--check`` changes nothing and fails when the catalogue is out of date
(a test runs it, so an untranslated string cannot land).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CATALOGUE = HERE / "crm_desktop_zh_CN.ts"


def _lupdate() -> str:
    beside = Path(sys.executable).with_name("pyside6-lupdate")
    tool = str(beside) if beside.exists() else shutil.which("pyside6-lupdate")
    if tool is None:
        sys.exit("pyside6-lupdate (part of PySide6) was not found")
    return tool


def sources() -> list[str]:
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "crm_desktop").rglob("*.py"))
    return files + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "ui").glob("*.ui"))


def run_lupdate(target: Path) -> None:
    subprocess.run([_lupdate(), *sources(), "-no-obsolete", "-locations", "none", "-ts", str(target)],
                   cwd=ROOT, check=True, capture_output=True)


def pending() -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for tsv in sorted(HERE.glob("pending_*.tsv")):
        for number, line in enumerate(tsv.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                sys.exit(f"{tsv.name}:{number}: expected context<TAB>source<TAB>translation")
            found[(parts[0], parts[1])] = parts[2]
    return found


def fill(target: Path, translations: dict[tuple[str, str], str]) -> list[tuple[str, str]]:
    """Fill unfinished messages from ``translations``; returns those still missing."""
    tree = ET.parse(target)
    missing = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            source = message.findtext("source")
            translation = message.find("translation")
            if translation.get("type") == "unfinished" or not (translation.text or "").strip():
                text = translations.get((name, source))
                if text is None:
                    missing.append((name, source))
                    continue
                translation.text = text
                translation.attrib.pop("type", None)
    tree.write(target, encoding="utf-8", xml_declaration=True)
    return missing


def main() -> int:
    check = "--check" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / CATALOGUE.name
        shutil.copyfile(CATALOGUE, work)
        run_lupdate(work)
        missing = fill(work, pending())
        if missing:
            for context, source in missing:
                print(f"untranslated: [{context}] {source}", file=sys.stderr)
            return 1
        if check:
            run_lupdate(work)  # normalised the way lupdate writes it, as in the repository
            same = work.read_bytes() == CATALOGUE.read_bytes()
            if not same:
                print("crm_desktop_zh_CN.ts is out of date: run ui/translations/update_catalogue.py",
                      file=sys.stderr)
            return 0 if same else 1
        run_lupdate(work)
        shutil.copyfile(work, CATALOGUE)
    for tsv in HERE.glob("pending_*.tsv"):
        tsv.unlink()
    print(f"{CATALOGUE.name} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
