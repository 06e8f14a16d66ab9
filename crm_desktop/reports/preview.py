"""The preview of a built report: one tab per table or chart, in the report's order."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QTabWidget, QWidget

from crm_core.reports.model import Report, Table, localize
from crm_desktop.dashboard.charts import ChartPanel
from crm_desktop.grid.grid_view import setup_record_view
from crm_desktop.reports.table_model import ReportTableModel

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH = 96, 260  # room to breathe; long names elide, not widen forever


def fill_preview(tabs: QTabWidget, report: Report, lang: str) -> None:
    """Replace the tabs of ``tabs`` with the sections of ``report``."""
    while tabs.count():
        page = tabs.widget(0)
        tabs.removeTab(0)
        page.deleteLater()
    sections = localize(report, lang).sections
    titles = [section.title(lang) for section in sections]
    for section, title in zip(sections, titles, strict=True):
        if isinstance(section, Table):
            tabs.addTab(_table_view(section, lang, tabs), title)
            continue
        if titles.count(title) > 1:  # a chart of the table beside it: the tabs must differ
            title = translate("Reports", "%1 (chart)").replace("%1", title)
        tabs.addTab(ChartPanel(section, lang, parent=tabs), title)


def _table_view(table: Table, lang: str, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setObjectName("reportTable")
    view.setModel(ReportTableModel(table, lang, view))
    setup_record_view(view, QAbstractItemView.SelectionMode.ExtendedSelection)
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    for column in range(header.count()):
        width = header.sectionSize(column) + 24
        header.resizeSection(column, max(MIN_COLUMN_WIDTH, min(MAX_COLUMN_WIDTH, width)))
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(False)  # a few narrow figures: "share" should not drift to the far right
    return view
