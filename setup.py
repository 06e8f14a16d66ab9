"""Build step of the wheel (all metadata is in pyproject.toml).

``build_py`` puts what the client reads at run time inside the package
(:mod:`crm_desktop.assets` finds it with importlib.resources):

* ``ui/*.ui`` (Designer forms)              -> ``crm_desktop/ui/*.ui``
* ``ui/translations/*.ts`` (zh_CN catalogue) -> ``crm_desktop/ui/translations/*.qm``, compiled with
  Qt's lrelease from PySide6 (a build requirement), so no user machine compiles anything.
* ``resources/icons/crm-desktop.{svg,png}`` (the window icon) -> ``crm_desktop/ui/``

An editable install (``pip install -e``, ``dev.py``) skips this: a checkout reads ``ui/`` itself.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithAssets(build_py):
    """The standard build_py, then the forms and compiled catalogues into ``crm_desktop/ui``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "crm_desktop" / "ui"
        target.mkdir(parents=True, exist_ok=True)
        for form in sorted((ROOT / "ui").glob("*.ui")):
            shutil.copy2(form, target / form.name)
        for icon in ("crm-desktop.svg", "crm-desktop.png"):
            shutil.copy2(ROOT / "resources" / "icons" / icon, target / icon)
        sys.path.insert(0, str(ROOT))  # crm_desktop.assets of this tree (it imports no Qt at module level)
        try:
            from crm_desktop.assets import compile_ts
        finally:
            sys.path.pop(0)
        for source in sorted((ROOT / "ui" / "translations").glob("*.ts")):
            compile_ts(source, target / "translations" / source.with_suffix(".qm").name)


setup(cmdclass={"build_py": BuildPyWithAssets})
