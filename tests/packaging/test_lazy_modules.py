"""Modules imported by a name string are declared where the PyInstaller spec reads them (installer/lazy_modules.py)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The files allowed to import by name: the three tables installer/lazy_modules.py reads.
DECLARED_IN = {"crm_core/__init__.py", "crm_core/services/registry.py", "crm_desktop/panels/__init__.py"}


def lazy_modules():
    spec = importlib.util.spec_from_file_location("lazy_modules", ROOT / "installer" / "lazy_modules.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_import_by_name_is_in_one_of_the_declared_tables():
    dynamic = {str(path.relative_to(ROOT)) for package in ("crm_core", "crm_desktop")
               for path in (ROOT / package).rglob("*.py")
               if re.search(r"import_module\(|__import__\(", path.read_text(encoding="utf-8"))}
    assert dynamic <= DECLARED_IN, f"declare these in installer/lazy_modules.py: {sorted(dynamic - DECLARED_IN)}"


def test_every_declared_module_exists():
    hidden = lazy_modules().hidden_imports()
    assert "crm_core.session" in hidden and "crm_desktop.panels.tickets" in hidden
    missing = [name for name in hidden
               if not name.startswith(("keyring.backends.Windows", "psycopg_binary"))  # platform / build specific
               and importlib.util.find_spec(name) is None]
    assert not missing
