"""The customer 360° view (客户信息全景视图): one customer, everything that hangs off it.

A header (code, name, status, level, owner, phone as the service masks it), the key
figures, and one tab per related module the role may read — each the generic
:class:`~crm_desktop.grid.grid_view.ModulePage` pinned to this customer, whose "New"
pre-fills the customer — plus the status / audit history. Everything is loaded in
the background; saved records travel over the :class:`~crm_desktop.changes.ChangeBus`.
"""

from __future__ import annotations

import functools
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (QDialog, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QTabWidget,
                               QVBoxLayout, QWidget)

from crm_core.lists import Filter
from crm_desktop.background import run_in_background
from crm_desktop.changes import ChangeBus
from crm_desktop.customer360.data import load_figures, load_history, may_read
from crm_desktop.customer360.history import HistoryPanel
from crm_desktop.customer360.license_delegate import LicenseDelegate
from crm_desktop.customer360.merge_dialog import MergeTools
from crm_desktop.errors import present_error
from crm_desktop.grid.display import DictionaryLabels, display_text, format_money
from crm_desktop.grid.grid_view import ModulePage

translate = QCoreApplication.translate

#: Related modules, in the order of the tabs.
TAB_MODULES = ("contacts", "contracts", "payments", "products", "licenses", "tickets", "followups", "needs",
               "opportunities")
HEADER_FIELDS = ("code", "status", "level", "owner_id", "phone")
FIGURE_MODULES = frozenset({"contracts", "payments", "licenses", "tickets"})
CARD_STYLE = ("QFrame#figureCard { background: palette(base); border: 1px solid palette(mid);"
              " border-radius: 4px; }")


def tab_titles() -> dict[str, str]:
    """Tab titles, through Qt's translation (short: the customer is already on screen)."""
    return {"contacts": translate("Customer360", "Contacts"), "contracts": translate("Customer360", "Contracts"),
            "payments": translate("Customer360", "Payments"), "products": translate("Customer360", "Products"),
            "licenses": translate("Customer360", "Licenses"), "tickets": translate("Customer360", "Feedback"),
            "followups": translate("Customer360", "Follow-ups"), "needs": translate("Customer360", "Needs"),
            "opportunities": translate("Customer360", "Opportunities"),
            "history": translate("Customer360", "History")}


class Customer360(QDialog):
    """One customer's 360° view, a non-modal window.

    Args:
        session: the signed-in :class:`crm_core.session.CrmSession`.
        customer_id: the customer to show.
        lang: "zh_CN" or "en".
        labels: dictionary labels (may be empty).
        changes: the client's change bus (announces and receives saved records).
        parent: the main window.
    """

    def __init__(self, session: Any, customer_id: int, *, lang: str, labels: DictionaryLabels | None,
                 changes: ChangeBus, parent: QWidget | None = None):
        super().__init__(parent)
        self._session, self.customer_id, self._lang = session, customer_id, lang
        self._labels: DictionaryLabels = labels or {}
        self._changes = changes
        self._spec = session.customers.spec
        self.customer: dict[str, Any] | None = None
        self.figures: dict[str, Any] | None = None
        self.pages: dict[str, ModulePage] = {}
        self.status_dialog: Any = None
        self.setObjectName("customer360")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setWindowTitle(translate("Customer360", "Customer 360°"))

        self.name_label = QLabel(self)
        self.name_label.setObjectName("nameLabel")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.name_label.setFont(font)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.header_values: dict[str, QLabel] = {}
        fields_grid = QGridLayout()
        fields_grid.setHorizontalSpacing(18)
        for i, name in enumerate(HEADER_FIELDS):
            caption = QLabel(self._spec.field(name).label(lang) + ("：" if not lang.startswith("en") else ":"), self)
            caption.setStyleSheet("color: palette(dark);")
            value = QLabel(self)
            value.setObjectName(f"{name}Value")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.header_values[name] = value
            fields_grid.addWidget(caption, 0, 2 * i)
            fields_grid.addWidget(value, 0, 2 * i + 1)
        fields_grid.setColumnStretch(2 * len(HEADER_FIELDS), 1)

        may_edit = self._session_may("customers", "update")
        self.edit_button = QPushButton(translate("Customer360", "&Edit…"), self)
        self.edit_button.setObjectName("editButton")
        self.edit_button.setToolTip(translate("Customer360", "Open the customer's form"))
        self.status_button = QPushButton(translate("Customer360", "Change &status…"), self)
        self.status_button.setObjectName("changeStatusButton")
        self.status_button.setEnabled(False)  # until the customer is loaded
        self.status_button.setVisible(may_edit)
        self.refresh_button = QPushButton(translate("Customer360", "&Refresh"), self)
        self.refresh_button.setObjectName("refreshButton")
        for button in (self.edit_button, self.status_button, self.refresh_button):
            button.setAutoDefault(False)  # Enter belongs to the grid and the search box, not to a button
        buttons = QHBoxLayout()
        buttons.addWidget(self.name_label, 1)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.status_button)
        self.merge_tools = MergeTools(session, lang, self)  # administrators and managers
        self.merge_tools.changed.connect(self._on_merge_tools_changed)
        buttons.addWidget(self.merge_tools.merge_button)
        buttons.addWidget(self.merge_tools.undo_button)
        buttons.addWidget(self.refresh_button)

        self.figure_values: dict[str, QLabel] = {}
        figures_row = QHBoxLayout()
        for key, caption in self._figure_captions():
            figures_row.addWidget(self._figure_card(key, caption))
        figures_row.addStretch(1)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        titles = tab_titles()
        self.tab_modules = [m for m in TAB_MODULES if may_read(session, m)]
        self._tab_hosts: dict[str, QWidget] = {}
        for module in self.tab_modules:
            host = QWidget(self.tabs)
            host.setObjectName(f"tab_{module}")
            QVBoxLayout(host).setContentsMargins(0, 0, 0, 0)
            self._tab_hosts[module] = host
            self.tabs.addTab(host, titles[module])
        self.history = HistoryPanel(self._spec, lang, show_audit=may_read(session, "audit"), parent=self.tabs)
        self.history.setObjectName("tab_history")
        self.history.labels = self._labels
        self.tabs.addTab(self.history, titles["history"])

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addLayout(fields_grid)
        layout.addLayout(figures_row)
        layout.addWidget(self.tabs, 1)
        self.setStyleSheet(CARD_STYLE)

        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.status_button.clicked.connect(self._on_status_button_clicked)
        self.refresh_button.clicked.connect(self.refresh)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        changes.changed.connect(self._on_changes_changed)
        self.resize(1120, 720)
        self.refresh()
        if self.tab_modules:
            self.page(self.tab_modules[0])

    # ------------------------------------------------------------ building

    def _session_may(self, module: str, action: str) -> bool:
        from crm_core.permissions import Action, rights

        return rights(self._session.actor.role).may(module, Action(action))

    def _figure_captions(self) -> list[tuple[str, str]]:
        out = []
        if may_read(self._session, "contracts"):
            out += [("total", translate("Customer360", "Contracts total")),
                    ("received", translate("Customer360", "Received")),
                    ("outstanding", translate("Customer360", "Outstanding"))]
        if may_read(self._session, "licenses"):
            out.append(("seats", translate("Customer360", "Valid seats in use")))
        if may_read(self._session, "tickets"):
            out.append(("open_tickets", translate("Customer360", "Open tickets")))
        return out

    def _figure_card(self, key: str, caption: str) -> QFrame:
        card = QFrame(self)
        card.setObjectName("figureCard")
        column = QVBoxLayout(card)
        column.setContentsMargins(12, 6, 12, 6)
        column.setSpacing(0)
        value = QLabel("…", card)
        value.setObjectName(f"{key}Figure")
        font = value.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        value.setFont(font)
        title = QLabel(caption, card)
        title.setStyleSheet("color: palette(dark);")
        column.addWidget(value)
        column.addWidget(title)
        self.figure_values[key] = value
        return card

    def page(self, module: str) -> ModulePage:
        """The tab page of ``module``, built on first use; KeyError if the role may not read it."""
        if module not in self.tab_modules:
            raise KeyError(module)
        if module not in self.pages:
            page = ModulePage(getattr(self._session, module), self._lang, self._labels, changes=self._changes,
                              open_form=self.open_form, parent=self._tab_hosts[module],
                              fixed_filters=(Filter("customer_id", "eq", self.customer_id),),
                              defaults={"customer_id": self.customer_id},
                              # the same bulk actions, Delete key and remembered columns as the module's grid
                              actor=self._session.actor, services_lookup=self._service_of)
            if module == "licenses":
                page.view.setItemDelegate(LicenseDelegate(page.model.column_of("seats"), page.view))
                legend = QLabel(translate("Customer360", "Licenses: seats show as used / bought; red: expired; "
                                                         "amber: expires within 30 days."), self._tab_hosts[module])
                legend.setObjectName("licenseLegend")
                legend.setContentsMargins(8, 4, 8, 0)
                legend.setStyleSheet("color: palette(dark);")
                self._tab_hosts[module].layout().addWidget(legend)
            self._tab_hosts[module].layout().addWidget(page)
            self.pages[module] = page
        return self.pages[module]

    def _service_of(self, module: str) -> Any:
        return getattr(self._session, module)

    def show_tab(self, module: str) -> QWidget:
        """Bring the tab of ``module`` (or "history") to the front and return its page."""
        widget = self.history if module == "history" else self._tab_hosts[module]
        self.tabs.setCurrentWidget(widget)
        return self.history if module == "history" else self.page(module)

    # ------------------------------------------------------------- actions

    def refresh(self) -> None:
        """Load the customer, the figures and the history again (the tabs reload with F5)."""
        self._load_customer()
        self._load_figures()
        self._load_history()

    def _load_customer(self) -> None:
        run_in_background(self._session.customers.get, self.customer_id, done=self._on_customer_loaded,
                          failed=self._on_load_failed)

    def _load_figures(self) -> None:
        run_in_background(load_figures, self._session, self.customer_id, done=self._on_figures_loaded,
                          failed=self._on_load_failed)

    def _load_history(self) -> None:
        run_in_background(load_history, self._session, self.customer_id, done=self._on_history_loaded,
                          failed=self._on_load_failed)

    def open_form(self, module: str, record_id: Any, defaults: dict[str, Any] | None = None) -> Any:
        """Open a record form over this view (``record_id`` None: new, pre-filled with ``defaults``)."""
        from crm_desktop.forms.record_form import RecordForm

        if defaults is not None and self.customer is not None:
            defaults = {**defaults, "customer_id_display": f"{self.customer['name']}（{self.customer['code']}）"}
        form = RecordForm(getattr(self._session, module), services_lookup=lambda m: getattr(self._session, m),
                          lang=self._lang, labels=self._labels, record_id=record_id, defaults=defaults, parent=self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.saved.connect(functools.partial(self._changes.announce, module))
        form.open()
        return form

    def set_dictionary_labels(self, labels: DictionaryLabels) -> None:
        """Use freshly loaded dictionary labels in the header and the tabs."""
        self._labels = labels
        self.history.labels = labels
        for page in self.pages.values():
            page.set_dictionary_labels(labels)
        if self.customer is not None:
            self._show_customer(self.customer)

    def _show_customer(self, record: dict[str, Any]) -> None:
        self.customer = record
        self.name_label.setText(record.get("name") or "")
        for name, label in self.header_values.items():
            label.setText(display_text(self._spec.field(name), record, self._lang, self._labels) or "—")
        self.setWindowTitle(translate("Customer360", "Customer 360° — %1").replace("%1", record.get("name") or ""))
        self.status_button.setEnabled(bool(record.get("is_active", True)))
        self.merge_tools.show_customer(record)

    def _show_figures(self, figures: dict[str, Any]) -> None:
        self.figures = figures
        contracts, licenses = figures.get("contracts"), figures.get("licenses")
        if contracts is not None:
            for key in ("total", "received", "outstanding"):
                self.figure_values[key].setText("¥" + format_money(contracts[key]))
        if licenses is not None:
            self.figure_values["seats"].setText(f"{licenses['current_seats_used']} / {licenses['current_seats']}")
            self.figure_values["seats"].setToolTip(
                translate("Customer360", "Licenses valid today: %1 of %2 seats in use. All licenses, expired ones "
                                         "included: %3 of %4.")
                .replace("%1", str(licenses["current_seats_used"])).replace("%2", str(licenses["current_seats"]))
                .replace("%3", str(licenses["seats_used"])).replace("%4", str(licenses["seats"])))
        if figures.get("open_tickets") is not None:
            self.figure_values["open_tickets"].setText(str(figures["open_tickets"]))

    def _alive(self) -> bool:
        return shiboken6.isValid(self)

    # --------------------------------------------------------------- slots

    def _on_customer_loaded(self, record: dict[str, Any]) -> None:
        if self._alive():
            self._show_customer(record)

    def _on_figures_loaded(self, figures: dict[str, Any]) -> None:
        if self._alive():
            self._show_figures(figures)

    def _on_history_loaded(self, history: dict[str, Any]) -> None:
        if self._alive():
            self.history.set_history(history)

    def _on_load_failed(self, exc: BaseException) -> None:
        if self._alive():
            present_error(self, exc, self._lang)

    def _on_tabs_current_changed(self, row: int) -> None:
        widget = self.tabs.widget(row)
        for module, host in self._tab_hosts.items():
            if host is widget:
                self.page(module)

    def _on_edit_button_clicked(self) -> None:
        self.open_form("customers", self.customer_id)

    def _on_status_button_clicked(self) -> None:
        from crm_desktop.customer360.status_dialog import StatusDialog

        if self.customer is None:
            return
        dialog = StatusDialog(self._session.customers, self.customer, lang=self._lang, parent=self,
                              contracts=self._session.contracts)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(functools.partial(self._changes.announce, "customers"))
        dialog.rejected.connect(self._load_customer)  # e.g. after a conflict: show what is stored now
        self.status_dialog = dialog
        dialog.open()

    def _on_merge_tools_changed(self, record: dict[str, Any]) -> None:
        self._changes.announce("customers", record)
        self.refresh()  # records moved in or out: figures, history and every tab
        for page in self.pages.values():
            page.reload()

    def _on_changes_changed(self, module: str, record: object) -> None:
        if not self._alive():
            return
        if module == "customers":
            if record is None or (isinstance(record, dict) and record.get("id") == self.customer_id):
                if isinstance(record, dict):
                    self._show_customer(record)
                else:
                    self._load_customer()
                self._load_history()
        elif module in FIGURE_MODULES:
            self._load_figures()
