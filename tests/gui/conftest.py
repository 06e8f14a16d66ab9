"""GUI tests run offscreen; Qt warnings fail them (pyproject: qt_log_level_fail)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def zh_catalogue(tmp_path):
    """The compiled zh_CN catalogue installed for the test (compiled from the .ts with pyside6-lrelease)."""
    from PySide6.QtCore import QCoreApplication, QTranslator

    from crm_desktop.__main__ import compiled_catalogue

    catalogue = compiled_catalogue("zh_CN", tmp_path / "cache")
    if catalogue is None:
        pytest.fail("pyside6-lrelease (part of PySide6) is missing: the zh_CN catalogue cannot be compiled")
    translator = QTranslator()
    assert translator.load(str(catalogue))
    QCoreApplication.installTranslator(translator)
    yield translator
    QCoreApplication.removeTranslator(translator)


@pytest.fixture(autouse=True)
def _own_qsettings(tmp_path):
    """Client preferences (remembered columns, views, language) go to the test's folder, not the home."""
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
