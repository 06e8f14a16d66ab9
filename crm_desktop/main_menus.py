"""The main window's menu bar, and the words for the database it works on.

Kept beside :mod:`crm_desktop.main_window` so the window stays a small switchboard.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from crm_desktop.icons import icon

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate


def build_menus(window: Any, home_name: str) -> QMenu:
    """File, Records, Go and Help on ``window`` (a MainWindow); returns the Records menu.

    The Records menu starts hidden and empty: the window fills it with the shown
    module page's actions (New, Edit, Delete, …) when the page changes.
    """
    file_menu = window.menuBar().addMenu(translate("MainWindow", "&File"))
    sign_out = QAction(translate("MainWindow", "Sign &out"), window)
    sign_out.setObjectName("signOutAction")
    sign_out.triggered.connect(window.sign_out)
    quit_action = QAction(translate("MainWindow", "&Quit"), window)
    quit_action.setObjectName("quitAction")
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    quit_action.triggered.connect(window.close)
    settings = QAction(translate("MainWindow", "&Settings…"), window)
    settings.setObjectName("settingsAction")
    settings.setShortcut(QKeySequence("Ctrl+,"))
    settings.triggered.connect(window.open_settings)
    settings.setIcon(icon("settings"))
    sign_out.setIcon(icon("log-out"))
    file_menu.addActions([settings, sign_out, quit_action])
    # The shown module's record actions (New, Edit, Delete, …), refilled when the page changes.
    records_menu = window.menuBar().addMenu(translate("MainWindow", "&Records"))
    records_menu.setObjectName("recordsMenu")
    records_menu.menuAction().setVisible(False)
    go_menu = window.menuBar().addMenu(translate("MainWindow", "&Go"))
    home = go_menu.addAction(icon("house"), home_name)
    home.setShortcut(QKeySequence("Ctrl+Home"))
    home.triggered.connect(window.show_home)
    help_menu = window.menuBar().addMenu(translate("MainWindow", "&Help"))
    about = QAction(translate("MainWindow", "&About CRM Desktop"), window)
    about.triggered.connect(window.show_about)
    help_menu.addAction(about)
    return records_menu


def database_words(profile: Any) -> str:
    """Which database, in words for the clerk (the file path or server address belongs in a tooltip)."""
    if profile.backend == "sqlite":
        return translate("MainWindow", "Database on this computer")
    if profile.name and profile.name not in ("env", "default"):
        return translate("MainWindow", "Company database “%1”").replace("%1", profile.name)
    return translate("MainWindow", "Company database")
