"""The main window: module navigation, the module pages, menus and the status bar.

The first page is the 工作台 (:mod:`crm_desktop.home`): the user's lists of what is
due, fed by a :class:`~crm_desktop.home.ReminderWatcher` that also raises desktop
reminders (tray and in-app) while the program is open.

Deliberately small (no god window): each module page is a
:class:`~crm_desktop.grid.grid_view.ModulePage`, created the first time it is
chosen, and so are the dashboard and reports pages listed after the modules
(their clicks come back through :meth:`MainWindow.open_filtered`); records are
opened through :meth:`MainWindow.open_form` (a customer opens its 360° view,
:meth:`MainWindow.open_customer`); saved records are broadcast on the
:class:`~crm_desktop.changes.ChangeBus` and the pages catch up by themselves.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (QDialog, QLabel, QMainWindow, QMessageBox, QPushButton, QSplitter,
                               QStackedWidget, QWidget)

from crm_core.i18n import Text
from crm_core.lists import Filter
from crm_core.permissions import BUSINESS_MODULES, MODULE_NAMES, Action, rights
from crm_desktop.background import cancel_all, run_in_background, when_idle
from crm_desktop.changes import ChangeBus
from crm_desktop.grid.display import DictionaryLabels, dictionary_labels
from crm_desktop.grid.grid_view import ModulePage
from crm_desktop.grid.record_actions import add_to_menu
from crm_desktop.home.desk import HomeDesk
from crm_desktop.home.page import HomePage
from crm_desktop.icons import app_icon
from crm_desktop.main_menus import build_menus, database_words
from crm_desktop.navigation import NavigationList, count_records

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

log = logging.getLogger(__name__)

# Navigation order: the customer first, then what hangs off it, then service and sales work.
MODULE_ORDER = ("customers", "contacts", "contracts", "payments", "products", "licenses", "tickets",
                "submitters", "followups", "needs", "opportunities")
assert set(MODULE_ORDER) == set(BUSINESS_MODULES)
# After the modules: the views over them (管理看板, 报表), for roles that may read them.
VIEW_ORDER = ("dashboard", "reports")
DUE_REFRESH_MS = 5 * 60 * 1000
GEOMETRY_KEY = "window/main_geometry"
HOME_NAME = Text("工作台", "My work")  # beside the module names, which are Texts too


class MainWindow(QMainWindow):
    """The signed-in user's workspace.

    Signals:
        closed(bool): the window closed and the session is closed; True when the
            user chose "Sign out" (show the sign-in window again), False to quit.
        language_switched(str): the user chose another interface language in the
            settings; the program builds a new window in it on the same session and
            calls :meth:`hand_over` on this one.
    """

    closed = Signal(bool)
    language_switched = Signal(str)

    def __init__(self, session: Any, lang: str, parent: QWidget | None = None, *,
                 settings: QSettings | None = None):
        """Build the window for ``session`` (a :class:`crm_core.session.CrmSession`) in ``lang``.

        ``settings`` keeps the window's size and place (default: the app's QSettings).
        """
        super().__init__(parent)
        self._settings = settings or QSettings("crm-desktop", "crm-desktop")
        self._session = session
        self._lang = lang
        self._labels: DictionaryLabels = {}
        self._pages: dict[str, ModulePage] = {}
        self._views: dict[str, QWidget] = {}
        self._customer_views: dict[int, Any] = {}  # open 360° views by customer id
        self._settings_dialog: Any = None
        self._signing_out = False
        self._handing_over = False
        self._closed = False
        self.changes = ChangeBus(self)
        actor = session.actor
        self._rights = rights(actor.role)
        self.modules = [m for m in MODULE_ORDER if self._rights.may(m, Action.READ)]
        self.views = [v for v in VIEW_ORDER if self._rights.may(v, Action.READ)]
        self.setObjectName("mainWindow")
        self.setWindowTitle(translate("MainWindow", "CRM Desktop — %1").replace("%1", actor.name))
        self.setWindowIcon(app_icon())

        self.nav = NavigationList([("home", HOME_NAME(lang))]
                                  + [(key, MODULE_NAMES[key](lang)) for key in self.modules + self.views])
        self.stack = QStackedWidget()
        self.stack.setObjectName("pageStack")
        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([self.nav.minimumWidth(), 1000])
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)

        self._build_menus()
        self._build_status_bar(actor)
        self.desk = HomeDesk(session.workbench, lang, open_record=self.open_record, add_page=self.stack.addWidget,
                             show_home=self._show_home_raised, status_bar=self.statusBar(), parent=self)
        self.changes.changed.connect(self._on_changes_changed)
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self._due_timer = QTimer(self)
        self._due_timer.setInterval(DUE_REFRESH_MS)
        self._due_timer.timeout.connect(self.refresh_due)
        run_in_background(session.dictionary.entries, done=self._on_dictionary_loaded,
                          failed=self._on_dictionary_failed)
        if self._rights.may("followups", Action.READ):
            self.refresh_due()
            self._due_timer.start()
        self.nav.setCurrentRow(0)  # 工作台 first
        self.desk.start()
        QTimer.singleShot(0, self.refresh_counts)  # after the window is up: counts never delay it
        self.resize(1366, 800)
        geometry = self._settings.value(GEOMETRY_KEY)
        if geometry is not None:
            self.restoreGeometry(geometry)

    # -------------------------------------------------------------- building

    def _build_menus(self) -> None:
        self.records_menu = build_menus(self, HOME_NAME(self._lang))

    def _build_status_bar(self, actor: Any) -> None:
        bar = self.statusBar()
        role = self._rights.name_en if self._lang.startswith("en") else self._rights.name_zh
        self.user_label = QLabel(f"{actor.name}（{role}）" if not self._lang.startswith("en")
                                 else f"{actor.name} ({role})")
        self.user_label.setObjectName("userLabel")
        self.server_label = QLabel(database_words(self._session.profile))
        self.server_label.setObjectName("serverLabel")
        self.server_label.setToolTip(self._session.profile.describe())  # the technical place, on demand
        self.due_button = QPushButton()
        self.due_button.setObjectName("dueButton")
        self.due_button.setFlat(True)
        self.due_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.due_button.setToolTip(translate("MainWindow", "Open next steps of your follow-ups due today or earlier"))
        self.due_button.clicked.connect(self._on_due_button_clicked)
        self.due_button.hide()  # shown once counted (never for roles without follow-ups)
        bar.addWidget(self.user_label)
        bar.addWidget(self.server_label, 1)
        bar.addPermanentWidget(self.due_button)

    # --------------------------------------------------------------- pages

    def show_home(self) -> HomePage:
        """Select 工作台 in the navigation and show it."""
        self.nav.setCurrentRow(0)
        return self.desk.page

    def _show_home_raised(self) -> None:
        self.show_home()
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def open_record(self, module: str, record_id: Any) -> None:
        """Open a record from the home page or a reminder (a customer opens its 360° view)."""
        if module in self.modules:
            self._open_from_page(module, record_id)

    def page(self, module: str) -> ModulePage:
        """The page of ``module``, created on first use; KeyError for a module the role may not read."""
        if module not in self.modules:
            raise KeyError(module)
        if module not in self._pages:
            page = ModulePage(getattr(self._session, module), self._lang, self._labels,
                              changes=self.changes, open_form=self._open_from_page,
                              actor=self._session.actor, services_lookup=self._service_of)
            self._pages[module] = page
            self.stack.addWidget(page)
        return self._pages[module]

    def show_module(self, module: str) -> ModulePage:
        """Select ``module`` in the navigation and show its page."""
        self.nav.setCurrentRow(self.nav.row_of(module))
        return self.page(module)

    def view(self, key: str) -> QWidget:
        """The "dashboard" or "reports" page, created on first use; KeyError if the role may not read it."""
        if key not in self.views:
            raise KeyError(key)
        if key not in self._views:
            self._views[key] = self._make_view(key)
            self.stack.addWidget(self._views[key])
        return self._views[key]

    def _make_view(self, key: str) -> QWidget:
        # Imported on first use: QtCharts and the report code stay out of start-up.
        if key == "dashboard":
            from crm_desktop.dashboard import DashboardPage

            funnel = self._session.opportunities.funnel if "opportunities" in self.modules else None
            return DashboardPage(self._session.dashboard, self._lang, open_filtered=self.open_filtered,
                                 openable=self.modules, funnel=funnel)
        from crm_desktop.reports import ReportsPage

        return ReportsPage(self._session.reports, self._lang, may_export=self._rights.may("reports", Action.EXPORT))

    def show_view(self, key: str) -> QWidget:
        """Select the dashboard or reports entry in the navigation and show its page."""
        self.nav.setCurrentRow(self.nav.row_of(key))
        return self.view(key)

    def open_filtered(self, module: str, filters: tuple[Filter, ...]) -> ModulePage:
        """Show ``module``'s grid with exactly ``filters`` (a dashboard tile or bar was clicked)."""
        page = self.show_module(module)
        page.show_filtered(filters)
        return page

    def current_page(self) -> ModulePage | None:
        """The page on screen, if any."""
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, ModulePage) else None

    def _open_from_page(self, module: str, record_id: Any, defaults: dict[str, Any] | None = None) -> None:
        # Enter / double-click on a customer opens its 360° view; "New" and other modules, the form.
        if module == "customers" and record_id is not None:
            self.open_customer(record_id)
        else:
            self.open_form(module, record_id, defaults=defaults)

    def open_customer(self, customer_id: int) -> Any:
        """Show the 360° view of a customer (one window per customer; raised if already open)."""
        from crm_desktop.customer360 import Customer360  # imported on first use: start-up stays quick

        view = self._customer_views.get(customer_id)
        if view is None:
            view = Customer360(self._session, customer_id, lang=self._lang, labels=self._labels,
                               changes=self.changes, parent=self)
            view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            view.destroyed.connect(lambda _obj=None, cid=customer_id: self._customer_views.pop(cid, None))
            self._customer_views[customer_id] = view
        view.show()
        view.raise_()
        view.activateWindow()
        return view

    def open_form(self, module: str, record_id: Any, defaults: dict[str, Any] | None = None) -> None:
        """Open the form of a record of ``module`` (``record_id`` None: a new record, with ``defaults``)."""
        try:
            from crm_desktop.forms.record_form import RecordForm
        except ImportError:
            log.info("crm_desktop.forms.record_form is not available", exc_info=True)
            box = QMessageBox(QMessageBox.Icon.Information, translate("MainWindow", "CRM Desktop"),
                              translate("MainWindow", "Record forms are not available in this version yet."),
                              QMessageBox.StandardButton.Ok, self)
            box.setObjectName("formUnavailableBox")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            return
        form = RecordForm(getattr(self._session, module), services_lookup=self._service_of, lang=self._lang,
                          labels=self._labels, record_id=record_id, defaults=defaults, parent=self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one form per opening, not kept around
        form.saved.connect(lambda record: self.changes.announce(module, record))
        form.open()

    def _service_of(self, module: str) -> Any:
        return getattr(self._session, module)

    # ------------------------------------------------------------- actions

    def refresh_counts(self, modules: list[str] | None = None) -> None:
        """Ask (in the background) how many records the modules hold, for the navigation."""
        if self._closed:
            return
        wanted = [(m, getattr(self._session, m)) for m in (modules or self.modules)]
        run_in_background(count_records, wanted, done=self._on_counts_loaded,
                          failed=lambda exc: log.info("module counts failed: %s", exc))

    def refresh_due(self) -> None:
        """Count the user's open next steps due today or earlier, in the background."""
        run_in_background(self._session.followups.count_due, done=self._on_due_loaded, failed=self._on_due_failed)

    def open_settings(self) -> Any:
        """The settings dialog (user accounts and dictionary for admins; own password and language for all)."""
        from crm_desktop.settings import SettingsDialog

        if self._settings_dialog is None:
            self._settings_dialog = SettingsDialog(self._session, self._lang, parent=self)
            self._settings_dialog.changed.connect(self.changes.announce)
            self._settings_dialog.finished.connect(self._on_settings_finished)
            self._settings_dialog.language_chosen.connect(self._on_settings_language_chosen)
        self._settings_dialog.open()
        return self._settings_dialog

    def _on_settings_finished(self, _result: int) -> None:
        self._settings_dialog = None

    def _on_settings_language_chosen(self, lang: str) -> None:
        if lang != self._lang:
            self.language_switched.emit(lang)

    def show_backup_result(self, run: dict[str, Any] | None) -> None:
        """Say in the status bar that the day's automatic backup was made (or failed)."""
        if run is None:
            return
        text = (translate("MainWindow", "Today's automatic backup was made.") if run.get("ok")
                else translate("MainWindow", "Today's automatic backup failed; see Settings → Backups."))
        self.statusBar().showMessage(text, 15_000)

    def hand_over(self) -> None:
        """Close this window for its successor in another language; the session stays open."""
        self._handing_over = True
        for dialog in self.findChildren(QDialog):  # forms, the settings: they belong to this window
            if dialog.isVisible():
                dialog.done(QDialog.DialogCode.Rejected)
        for view in list(self._customer_views.values()):
            view.close()
        self.close()

    def sign_out(self) -> None:
        """Close the window and the session; :attr:`closed` says True (sign in again)."""
        self._signing_out = True
        self.close()

    def show_about(self) -> None:
        """The About box (non-blocking)."""
        box = QMessageBox(QMessageBox.Icon.Information, translate("MainWindow", "About CRM Desktop"),
                          translate("MainWindow", "CRM Desktop — customers, contracts, service and sales "
                                                  "follow-up for the office."),
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("aboutBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Cancel background work and close at once; the session closes when the last job has ended."""
        if not self._closed:
            self._closed = True
            self._due_timer.stop()
            self.desk.close()
            self._settings.setValue(GEOMETRY_KEY, self.saveGeometry())
            if not self._handing_over:  # the successor window goes on with the session and its work
                cancel_all()
                when_idle(self._session.close)  # never dispose the engine under a running job
                self.closed.emit(self._signing_out)
        super().closeEvent(event)

    # --------------------------------------------------------------- slots

    def _on_nav_current_row_changed(self, row: int) -> None:
        key = self.nav.key_at(row)
        if key == "home":
            self.stack.setCurrentWidget(self.desk.page)
        elif key in self.modules:
            self.stack.setCurrentWidget(self.page(key))
        elif key in self.views:
            self.stack.setCurrentWidget(self.view(key))
        page = self.current_page()
        if page is not None:
            add_to_menu(self.records_menu, page.record_actions.actions())
        self.records_menu.menuAction().setVisible(page is not None)

    def _on_counts_loaded(self, counts: dict[str, int]) -> None:
        if not self._closed:
            self.nav.set_counts(counts)

    def _on_dictionary_loaded(self, entries: list[dict[str, Any]]) -> None:
        if self._closed:
            return
        self._labels = dictionary_labels(entries)
        for page in self._pages.values():
            page.set_dictionary_labels(self._labels)
        for view in self._customer_views.values():
            view.set_dictionary_labels(self._labels)

    def _on_dictionary_failed(self, exc: BaseException) -> None:
        # Not worth a dialog: grids show the codes, and a real outage shows in the grid itself.
        log.warning("could not load the data dictionary: %s", exc)

    def _on_due_loaded(self, count: int) -> None:
        if self._closed:
            return
        self.due_button.setText(translate("MainWindow", "Due today: %1").replace("%1", str(count)))
        font = self.due_button.font()
        font.setBold(count > 0)  # something to do stands out; nothing to do stays quiet
        self.due_button.setFont(font)
        self.due_button.show()

    def _on_due_failed(self, exc: BaseException) -> None:
        log.warning("could not count the follow-ups due: %s", exc)

    def _on_due_button_clicked(self) -> None:
        if "followups" in self.modules:
            self.show_module("followups")

    def _on_changes_changed(self, module: str, record: object) -> None:
        if module == "followups" and self._rights.may("followups", Action.READ):
            self.refresh_due()
        if module in self.modules:
            if record is None or self.nav.count_of(module) is None:
                self.refresh_counts([module])
            self.desk.refresh()  # a saved follow-up or ticket may belong on the home page
