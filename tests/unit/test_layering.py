"""The three tiers: crm_core never imports Qt; crm_desktop never imports SQLAlchemy or runs SQL."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_crm_core_source_has_no_qt_import():
    offenders = {f: n & {"PySide6", "PyQt5", "PyQt6", "shiboken6"} for f, n in _imports("crm_core").items()}
    assert not {f: n for f, n in offenders.items() if n}


def test_importing_every_crm_core_module_loads_no_qt():
    code = (
        "import importlib, pkgutil, sys, crm_core\n"
        "for m in pkgutil.walk_packages(crm_core.__path__, 'crm_core.'):\n"
        "    if '.migrations' not in m.name: importlib.import_module(m.name)\n"
        "print(sorted(k for k in sys.modules if k.split('.')[0] in {'PySide6','PyQt5','PyQt6','shiboken6'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_crm_desktop_has_no_sqlalchemy_or_driver_import():
    offenders = {f: n & {"sqlalchemy", "psycopg", "sqlite3", "alembic"} for f, n in _imports("crm_desktop").items()}
    assert not {f: n for f, n in offenders.items() if n}


def test_plain_types_and_messages_load_without_sqlalchemy():
    """The client's login window must not wait for SQLAlchemy to import."""
    code = ("import sys, crm_core, crm_core.lists, crm_core.errors, crm_core.i18n, crm_core.metadata\n"
            "print(sorted(k for k in sys.modules if k.split('.')[0] in {'sqlalchemy', 'psycopg', 'alembic'}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
