"""The main window's 工作台 collaborator: the home page, the reminder watcher and the tray icon.

Kept out of :mod:`crm_desktop.main_window` so the window stays a small switchboard:
the window asks for :attr:`HomeDesk.page` and tells the desk when records changed
or the window closes; the desk shows the agenda and raises reminders itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QStatusBar, QSystemTrayIcon, QWidget

from crm_desktop.home.page import HomePage
from crm_desktop.home.reminders import ReminderWatcher
from crm_desktop.icons import app_icon

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

log = logging.getLogger(__name__)


class HomeDesk(QObject):
    """Owns the home page (created on first use), the :class:`ReminderWatcher` and the tray icon.

    Attributes:
        watcher: polls the workbench service in the background.
        tray: the system-tray icon, None where the desktop has no tray.
    """

    def __init__(self, workbench: Any, lang: str, *, open_record: Callable[[str, Any], None],
                 add_page: Callable[[QWidget], None], show_home: Callable[[], None], status_bar: QStatusBar,
                 watcher: ReminderWatcher | None = None, parent: QObject | None = None):
        """Wire the desk; nothing is asked of the database until :meth:`start`."""
        super().__init__(parent)
        self._workbench, self._lang = workbench, lang
        self._open_record, self._add_page, self._show_home = open_record, add_page, show_home
        self._status_bar = status_bar
        self._page: HomePage | None = None
        self._closed = False
        self.watcher = watcher or ReminderWatcher(workbench, parent=self)
        self.watcher.agenda_loaded.connect(self._on_watcher_agenda_loaded)
        self.watcher.reminded.connect(self._on_watcher_reminded)
        self.watcher.failed.connect(self._on_watcher_failed)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(app_icon(), self)
            self.tray.setToolTip(translate("MainWindow", "CRM Desktop"))
            self.tray.messageClicked.connect(self._on_tray_message_clicked)
            self.tray.show()

    @property
    def page(self) -> HomePage:
        """The 工作台 page, created (and added to the window) on first use."""
        if self._page is None:
            self._page = HomePage(self._workbench.sections(), self._lang, self._open_record,
                                  refresh=self.watcher.poll)
            self._add_page(self._page)
        return self._page

    def start(self) -> None:
        """Load the lists now, then every few minutes."""
        self.watcher.start()

    def refresh(self) -> None:
        """Look again (records changed)."""
        self.watcher.poll()

    def close(self) -> None:
        """The window closes: no more polls, the tray icon goes."""
        self._closed = True
        self.watcher.stop()
        if self.tray is not None:
            self.tray.hide()

    def _on_watcher_agenda_loaded(self, agenda: dict[str, list[dict[str, Any]]]) -> None:
        if not self._closed:
            self.page.show_agenda(agenda)

    def _on_watcher_reminded(self, items: list[dict[str, Any]]) -> None:
        if self._closed:
            return
        self.page.add_reminders(items)
        if self.tray is not None:
            first = items[0]
            text = f"{first['title']} — {first['customer']}" if first.get("customer") else first["title"]
            if len(items) > 1:
                text += "\n" + translate("MainWindow", "and %1 more").replace("%1", str(len(items) - 1))
            self.tray.showMessage(translate("MainWindow", "Now due"), text, app_icon(), 10_000)
        self._status_bar.showMessage(translate("MainWindow", "%1 new item(s) due: see My work.")
                                     .replace("%1", str(len(items))), 15_000)

    def _on_watcher_failed(self, exc: BaseException) -> None:
        log.warning("could not load the home page lists: %s", exc)

    def _on_tray_message_clicked(self) -> None:
        self._show_home()
