"""The 工作台 (home) page: what the signed-in user has to do, each line opening its record.

Four lists from :class:`crm_core.modules.workbench.WorkbenchService` (only those the
role may read), plus the reminders that arrived while the program was open. The
data comes from the :class:`~crm_desktop.home.reminders.ReminderWatcher`'s polls
(one background job feeds both); this page only shows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QScrollArea, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from crm_desktop.icons import ACCENT, icon, module_icon

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

OpenRecord = Callable[[str, int], None]  #: ``open_record(module, record_id)``
RecordRole = Qt.ItemDataRole.UserRole
OVERDUE_COLOUR = "#b3261e"


def section_title(section: str) -> str:
    """The heading of a home page list."""
    return {
        "followups": translate("HomePage", "My follow-ups due today or overdue"),
        "tickets": translate("HomePage", "Tickets assigned to me"),
        "licenses": translate("HomePage", "Licenses expiring within 30 days"),
        "opportunities": translate("HomePage", "Opportunities closing this month"),
        "reminders": translate("HomePage", "Reminders since you signed in"),
    }[section]


def _headers(section: str) -> list[str]:
    when = {"followups": translate("HomePage", "Planned for"), "tickets": translate("HomePage", "Reported on"),
            "licenses": translate("HomePage", "Expires on"), "opportunities": translate("HomePage", "Expected close"),
            "reminders": translate("HomePage", "Due")}[section]
    what = {"followups": translate("HomePage", "Next step"), "tickets": translate("HomePage", "Ticket"),
            "licenses": translate("HomePage", "Serial number"), "opportunities": translate("HomePage", "Opportunity"),
            "reminders": translate("HomePage", "What")}[section]
    return [when, what, translate("HomePage", "Customer")]


def _status_label(item: dict[str, Any], lang: str) -> str:
    labels = item.get("status_label")
    if not labels:
        return ""
    return labels[1] if lang.startswith("en") else labels[0]


def describe_day(day: dt.date | None, today: dt.date, *, waiting: bool = False) -> str:
    """"2026-12-05（逾期 1 天）" / "今天": a due day as the clerk reads it.

    ``waiting`` True: ``day`` is when something was reported (a ticket), so a past day
    says how long it has waited, not that it is overdue.
    """
    if day is None:
        return ""
    if day == today:
        return translate("HomePage", "Today")
    if waiting and day < today:
        return translate("HomePage", "%1 (waiting %2 days)").replace("%1", day.isoformat()).replace(
            "%2", str((today - day).days))
    if day < today:
        return translate("HomePage", "%1 (%2 days overdue)").replace("%1", day.isoformat()).replace(
            "%2", str((today - day).days))
    return day.isoformat()


class AgendaList(QGroupBox):
    """One list of the home page: a heading with its count, and the lines."""

    def __init__(self, section: str, lang: str, open_record: OpenRecord, parent: QWidget | None = None):
        """An empty list for ``section`` ("followups", "tickets", "licenses", "opportunities", "reminders")."""
        super().__init__(parent)
        self.section = section
        self._lang = lang
        self._open_record = open_record
        self.setObjectName(f"agenda_{section}")
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("agendaTree")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels(_headers(section))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)  # dates are read whole
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.tree.setCursor(Qt.CursorShape.PointingHandCursor)
        self.tree.setToolTip(translate("HomePage", "Double-click or press Enter to open"))
        self.empty_label = QLabel(translate("HomePage", "Nothing here: well done."), self)
        self.empty_label.setObjectName("agendaEmpty")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(self.empty_label)
        self.tree.itemActivated.connect(self._on_tree_item_activated)
        self.set_items([], dt.date.today())

    def set_items(self, items: list[dict[str, Any]], today: dt.date) -> None:
        """Show ``items`` (plain WorkItem dicts)."""
        self.tree.clear()
        for item in items:
            title = item["title"]
            status = _status_label(item, self._lang)
            if status:
                title = f"{title}（{status}）" if not self._lang.startswith("en") else f"{title} ({status})"
            if isinstance(item.get("amount"), Decimal | int | float) and item["amount"]:
                title = f"{title} · ¥{item['amount']:,.0f}"
            when = describe_day(item.get("due"), today, waiting=item["module"] == "tickets")
            line = QTreeWidgetItem([when, title, item.get("customer") or ""])
            line.setData(0, RecordRole, (item["module"], item["record_id"]))
            line.setIcon(0, module_icon(item["module"]))
            line.setToolTip(1, item["title"])
            line.setToolTip(2, item.get("customer") or "")
            if item.get("overdue"):
                for column in range(3):
                    line.setForeground(column, Qt.GlobalColor.darkRed)
            self.tree.addTopLevelItem(line)
        self.setTitle(f"{section_title(self.section)}（{len(items)}）" if not self._lang.startswith("en")
                      else f"{section_title(self.section)} ({len(items)})")
        self.tree.setVisible(bool(items))
        self.empty_label.setVisible(not items)

    def count(self) -> int:
        """How many lines the list shows."""
        return self.tree.topLevelItemCount()

    def open_row(self, row: int) -> None:
        """Open the record of line ``row`` (what a double-click does)."""
        self._on_tree_item_activated(self.tree.topLevelItem(row), 0)

    def _on_tree_item_activated(self, line: QTreeWidgetItem, _column: int) -> None:
        module, record_id = line.data(0, RecordRole)
        self._open_record(module, record_id)


class HomePage(QWidget):
    """工作台: the user's lists in a grid of boxes, the reminders above them."""

    def __init__(self, sections: tuple[str, ...], lang: str, open_record: OpenRecord, *,
                 refresh: Callable[[], None], parent: QWidget | None = None):
        """Boxes for ``sections`` (what the role may read); ``refresh`` asks for the lists again."""
        super().__init__(parent)
        self.setObjectName("homePage")
        self._lang = lang
        self.heading = QLabel(translate("HomePage", "My work"), self)
        self.heading.setObjectName("homeHeading")
        self.updated_label = QLabel(self)
        self.updated_label.setObjectName("homeUpdated")
        self.refresh_button = QPushButton(icon("refresh-cw"), translate("HomePage", "Refresh"), self)
        self.refresh_button.setObjectName("homeRefresh")
        self.refresh_button.setToolTip(translate("HomePage", "Look again now (it also looks every 5 minutes)"))
        self.refresh_button.clicked.connect(lambda _checked=False: refresh())
        top = QHBoxLayout()
        top.addWidget(QLabel(self, pixmap=icon("house", ACCENT).pixmap(24, 24)))
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.updated_label)
        top.addWidget(self.refresh_button)
        self.reminders = AgendaList("reminders", lang, open_record, self)
        self.reminders.hide()  # shown once something has come due while the program is open
        self._reminder_items: list[dict[str, Any]] = []
        self.lists = {s: AgendaList(s, lang, open_record, self) for s in sections}
        grid = QGridLayout()
        for n, box in enumerate(self.lists.values()):
            grid.addWidget(box, n // 2, n % 2)
        grid.setColumnStretch(0, 1)  # two equal columns, whatever the lists hold
        grid.setColumnStretch(1, 1)
        self.no_lists_label = QLabel(translate("HomePage", "Your role keeps no to-do lists here; choose a module "
                                                           "on the left."), self)
        self.no_lists_label.setVisible(not sections)
        body = QWidget(self)
        inner = QVBoxLayout(body)
        inner.addLayout(top)
        inner.addWidget(self.reminders)
        inner.addLayout(grid, 1)
        inner.addWidget(self.no_lists_label)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def show_agenda(self, agenda: dict[str, list[dict[str, Any]]], today: dt.date | None = None) -> None:
        """Fill the lists with a fresh agenda."""
        day = today or dt.date.today()
        for section, box in self.lists.items():
            box.set_items(agenda.get(section, []), day)
        self.updated_label.setText(translate("HomePage", "Updated %1").replace(
            "%1", dt.datetime.now().strftime("%H:%M")))
        self._today = day

    def add_reminders(self, items: list[dict[str, Any]], today: dt.date | None = None) -> None:
        """Put newly due lines at the top of the reminder list."""
        self._reminder_items = list(items) + self._reminder_items
        self.reminders.set_items(self._reminder_items, today or dt.date.today())
        self.reminders.show()
