"""GUI tests run offscreen; Qt warnings fail them (pyproject: qt_log_level_fail)."""

from __future__ import annotations

import gc
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
def _collect_between_tests():
    """One test's garbage is freed at its end, not at a random moment inside the next test.

    Closed windows of a test (forms, dialogs, their wrappers in reference cycles) are otherwise
    freed whenever Python's cyclic collector next runs: in a later test, in the middle of Qt's
    own work (a full suite on PostgreSQL crashed once in QDialog.accept() that way). The program
    itself freezes its start-up objects for the same reason (crm_desktop.heap).
    """
    # Nor inside this test: the automatic collector, started by whichever thread allocates, freed Qt
    # objects in the GUI thread while a worker thread was in SQLAlchemy's compiler (a segfault in a
    # full PostgreSQL run). Collected here, between tests, with nothing else running.
    gc.disable()
    try:
        yield
    finally:
        from PySide6.QtCore import QCoreApplication, QEvent

        if QCoreApplication.instance() is not None:
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        # What outlives the test (modules, session fixtures, caches) is moved out of the collector's
        # sight, so the next collection reads only the next test's objects: a full collection over the
        # whole suite's heap took half a second after every test (about a third of the GUI tests' time).
        # Reference counting still frees frozen objects; only a cycle among them would stay.
        gc.freeze()
        gc.enable()


@pytest.fixture(autouse=True)
def _own_qsettings(tmp_path):
    """Client preferences (remembered columns, views, language) go to the test's folder, not the home."""
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))


@pytest.fixture
def open_page(qtbot, tmp_path, monkeypatch):
    """``open_page(session, module="customers", lang="en", labels=None, lookup=None)`` -> a shown, loaded ModulePage.

    The page of a signed-in user (bulk actions, import/export buttons, views kept in a
    temporary settings file); ``lookup`` replaces ``module -> getattr(session, module)``.
    """
    from PySide6.QtCore import QCoreApplication, QSettings

    from crm_desktop.background import wait_for_all
    from crm_desktop.changes import ChangeBus
    from crm_desktop.grid.grid_view import ModulePage
    from tests.gui.helpers import WAIT, wait_loaded

    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    settings = QSettings(str(tmp_path / "views.ini"), QSettings.Format.IniFormat)

    def _open(session, module="customers", lang="en", labels=None, lookup=None):
        changes = ChangeBus()
        page = ModulePage(getattr(session, module), lang, labels, changes=changes,
                          open_form=lambda *a, **k: None, actor=session.actor,
                          services_lookup=lookup or (lambda m: getattr(session, m)), settings=settings)
        page._test_changes = changes  # kept alive with the page
        qtbot.addWidget(page)
        page.resize(1100, 500)
        page.show()
        wait_loaded(qtbot, page)
        return page

    yield _open
    assert wait_for_all(WAIT)
    QCoreApplication.processEvents()


@pytest.fixture
def open_main(qtbot, monkeypatch, tmp_path):
    """``open_main(session, lang="zh_CN", home=False)`` -> a shown MainWindow whose first module page is loaded.

    Every window opened is closed at the end (it waits for background work, then closes the session).
    """
    from PySide6.QtCore import QCoreApplication

    from crm_desktop.background import wait_for_all
    from crm_desktop.main_window import MainWindow
    from tests.gui.helpers import WAIT, wait_loaded

    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    windows = []

    def _open(session, lang="zh_CN", home=False):
        """``home`` True: stay on 工作台 (the first page); else open the first module as a user would."""
        window = MainWindow(session, lang)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        if not home and window.modules:
            window.show_module(window.modules[0])
        page = window.current_page()
        if page is not None:
            wait_loaded(qtbot, page)
        return window

    yield _open
    for window in windows:
        window.close()
    assert wait_for_all(WAIT)
    QCoreApplication.processEvents()


@pytest.fixture
def settle(qtbot, login):
    """Background work ends before the sessions close (``login`` tears down after this)."""
    from PySide6.QtCore import QCoreApplication

    from crm_desktop.background import wait_for_all
    from tests.gui.helpers import WAIT

    yield
    assert wait_for_all(WAIT)
    QCoreApplication.processEvents()
