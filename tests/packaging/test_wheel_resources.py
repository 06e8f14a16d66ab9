"""An installed wheel finds its forms, catalogue and icon inside the package (importlib.resources), not in ui/."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Run in the installed copy: signs the login form and the zh_CN catalogue in, offscreen.
CHILD = r"""
import sys
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication, QWidget
import crm_desktop, crm_desktop.assets as assets
from crm_desktop.login import load_form
app = QApplication([])
print("package", crm_desktop.__file__)
form = load_form("login.ui", QWidget())
print("form", type(form.signInButton).__name__)
with assets.catalogue("zh_CN", cache_dir=None) as qm:
    print("catalogue", qm)
    translator = QTranslator()
    assert translator.load(str(qm))
QCoreApplication.installTranslator(translator)
print("zh", QCoreApplication.translate("Login", "Loading…"))
print("icon", len(assets.app_icon_bytes()))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(ROOT)], check=True, capture_output=True, cwd=out)
    (built,) = out.glob("crm_desktop-*.whl")
    return built


def test_wheel_carries_forms_compiled_catalogue_icon_and_licence(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"crm_desktop/ui/login.ui", "crm_desktop/ui/translations/crm_desktop_zh_CN.qm",
            "crm_desktop/ui/crm-desktop.png", "crm_core/migrations/env.py"} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: GPL-3.0-or-later" in metadata


def test_installed_wheel_loads_the_login_form_and_the_chinese_catalogue(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(site), "QT_QPA_PLATFORM": "offscreen",
           "XDG_CACHE_HOME": str(tmp_path / "no-cache")}
    result = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["package"].startswith(str(site))  # the installed copy, not this checkout
    assert lines["form"] == "QPushButton"
    assert lines["catalogue"].startswith(str(site))  # compiled at build time, shipped in the package
    assert lines["zh"] == "正在加载…"
    assert int(lines["icon"]) > 1000
    assert not (tmp_path / "no-cache").exists()  # nothing compiled on the user's machine
