"""The reports page as a manager uses it: build, preview, export to Excel and PDF, cancel (both backends)."""

from __future__ import annotations

import threading
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QPushButton

import crm_desktop.reports.page as reports_page
from crm_desktop.background import wait_for_all
from crm_desktop.reports import ReportsPage
from tests.gui.helpers import WAIT

REPORT_KEYS = ["customers", "followups", "conversion", "satisfaction", "tickets", "licenses", "contracts"]


@pytest.fixture
def open_reports(qtbot, monkeypatch, tmp_path):
    """``open_reports(service, lang="en")`` -> a shown ReportsPage whose report list is loaded."""
    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    pages = []

    def _open(service: Any, lang: str = "en", may_export: bool = True) -> ReportsPage:
        page = ReportsPage(service, lang, may_export=may_export)
        qtbot.addWidget(page)
        page.resize(1100, 700)
        page.show()
        pages.append(page)
        qtbot.waitUntil(lambda: page.report_list.count() == len(REPORT_KEYS), timeout=WAIT)
        return page

    yield _open
    assert wait_for_all(WAIT)
    QCoreApplication.processEvents()


@pytest.fixture
def customers_dataset(admin, login, make_customer):
    """Three customers of two industries, two of them owned by a salesperson."""
    sales = login("sales1")
    make_customer("杭州云帆网络科技有限公司", industry="it", level="A", owner_id=sales.actor.user_id)
    make_customer("上海海纳信息技术有限公司", industry="finance", level="B", owner_id=sales.actor.user_id)
    make_customer("北京星辰软件有限公司", industry="it", level="A")
    return sales


def build(qtbot, page: ReportsPage, key: str):
    with qtbot.waitSignal(page.built, timeout=WAIT) as built:
        page.choose(key)  # choosing a report builds it
    qtbot.waitUntil(lambda: page.operation is None, timeout=WAIT)
    return built.args[0]


def table_texts(page: ReportsPage, tab: int = 0) -> list[list[str]]:
    model = page.preview.widget(tab).model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_manager_builds_the_customers_report_and_exports_it_to_excel_and_pdf(
        qtbot, login, customers_dataset, open_reports, monkeypatch, tmp_path):
    manager = login("manager1")
    page = open_reports(manager.reports)
    titles = [page.report_list.item(i).text() for i in range(page.report_list.count())]
    assert titles == [title("en") for _key, title in manager.reports.catalogue()]
    assert [page.report_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(len(titles))] == REPORT_KEYS
    report = build(qtbot, page, "customers")
    assert page.title_label.text() == report.title("en")
    assert page.preview.count() == len(report.sections) > 0
    assert page.preview.tabText(0) == report.sections[0].title("en")
    assert page.xlsx_button.isEnabled() and page.pdf_button.isEnabled()
    rows = table_texts(page)
    assert rows and all(len(row) == len(report.sections[0].columns) for row in rows)

    for fmt in ("xlsx", "pdf"):
        target = tmp_path / f"customers.{fmt}"
        monkeypatch.setattr(reports_page, "choose_save_path", lambda _parent, _fmt, _name, t=target: str(t))
        button = page.xlsx_button if fmt == "xlsx" else page.pdf_button
        with qtbot.waitSignal(page.exported, timeout=WAIT) as exported:
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert exported.args == [str(target)] and target.exists()
        assert page.status_label.text() == f"Saved to {target}"
        qtbot.waitUntil(lambda: page.operation is None, timeout=WAIT)
    workbook = openpyxl.load_workbook(tmp_path / "customers.xlsx")
    assert workbook.sheetnames
    assert (tmp_path / "customers.pdf").read_bytes().startswith(b"%PDF")


def test_filters_reach_the_report_and_are_shown_in_its_header(qtbot, login, customers_dataset, open_reports):
    page = open_reports(login("manager1").reports)
    qtbot.waitUntil(lambda: page.filter_bar.combos["industry"].count() > 1, timeout=WAIT)
    page.filter_bar.choose("industry", "it")
    page.filter_bar.set_period(None, None)
    report = build(qtbot, page, "customers")
    assert report.filters.industry == "it" and report.filters.date_from is None
    assert "IT" in page.info_label.text()


def test_the_page_opens_with_the_first_report_selected_and_builds_it_when_clicked(
        qtbot, login, customers_dataset, open_reports):
    page = open_reports(login("manager1").reports)
    for _ in range(3):  # the list taking the focus: it must not start a build by itself
        page.report_list.setFocus()
        QCoreApplication.processEvents()
    assert page.current_key() == "customers" and page.operation is None and page.report is None
    assert page.title_label.text() == "Customer statistics"  # the report the Build button builds
    assert page.build_button.isEnabled()
    seen: list[str] = []
    page.built.connect(lambda report: seen.append(report.key))
    for row, key in ((0, "customers"), (1, "followups")):  # the selected report, then another
        with qtbot.waitSignal(page.built, timeout=WAIT) as built:
            qtbot.mouseClick(page.report_list.viewport(), Qt.MouseButton.LeftButton,
                             pos=page.report_list.visualItemRect(page.report_list.item(row)).center())
        assert built.args[0].key == key
        qtbot.waitUntil(lambda: page.operation is None, timeout=WAIT)
    assert seen == ["customers", "followups"]  # one build per click


def test_every_report_builds_for_a_manager(qtbot, login, customers_dataset, open_reports):
    page = open_reports(login("manager1").reports, lang="zh_CN")
    for key in REPORT_KEYS:
        report = build(qtbot, page, key)
        assert report.key == key and page.preview.count() == len(report.sections)


class GatedReports:
    """The real report service, whose export waits after its first progress report until the test lets it go.

    That holds the export at a known point while the user presses Cancel: no sleeps, no race.
    """

    def __init__(self, service: Any):
        self._service = service
        self.first_progress = threading.Event()
        self.release = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)

    def write(self, report, path, fmt, lang, *, progress=None):
        def gated(done: int, total: int) -> None:
            progress(done, total)
            if not self.first_progress.is_set():
                self.first_progress.set()
                self.release.wait(WAIT / 1000)

        return self._service.write(report, path, fmt, lang, progress=gated)


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_cancelling_an_export_leaves_no_file(qtbot, login, customers_dataset, open_reports, monkeypatch,
                                             tmp_path, fmt):
    service = GatedReports(login("manager1").reports)
    page = open_reports(service)
    build(qtbot, page, "customers")
    target = tmp_path / f"cancelled.{fmt}"
    monkeypatch.setattr(reports_page, "choose_save_path", lambda *_args: str(target))
    exported = []
    page.exported.connect(exported.append)

    page.export(fmt)
    qtbot.waitUntil(service.first_progress.is_set, timeout=WAIT)  # the file is being written
    page.progress_dialog.findChild(QPushButton).click()  # the dialog's Cancel button
    service.release.set()
    qtbot.waitUntil(lambda: page.operation is None, timeout=WAIT)
    assert not target.exists() and not list(tmp_path.glob("cancelled*"))
    assert exported == [] and page.status_label.text() == "Cancelled."
    assert page.xlsx_button.isEnabled()  # ready for the next try


def test_without_the_export_right_there_are_no_export_buttons(qtbot, login, open_reports):
    page = open_reports(login("manager1").reports, may_export=False)
    assert page.xlsx_button.isHidden() and page.pdf_button.isHidden()
