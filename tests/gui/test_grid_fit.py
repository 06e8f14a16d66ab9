"""Module grids fit the office's 1366×768 laptops: no sideways scrolling, codes whole, cut names in tooltips."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication

from tests.gui.helpers import WAIT, wait_loaded

LONG_NAME = "重庆德宏企业管理咨询合伙企业（有限合伙）西南区域运营服务中心"


@pytest.fixture
def office_customers(make_customer):
    """Customers with every default column filled, some of them long (as in an office's list)."""
    values = [("industry", "manufacturing", "category", "joint_stock", "source", "website", "level", "A"),
              ("industry", "real_estate", "category", "sole", "source", "trade_show", "level", "B")]
    for n in range(6):
        extra = dict(zip(values[n % 2][::2], values[n % 2][1::2], strict=True))
        make_customer(LONG_NAME if n == 0 else f"杭州云帆网络科技有限公司{n}号分公司",
                      phone=f"0571-8888{n:04d}-2524", email=f"purchasing.department{n}@yunfan-technology.example.com",
                      address="重庆市渝中区解放碑步行街88号环球金融中心写字楼三十八层", **extra)


def _open_at_1366(qtbot, session, lang, module="customers"):
    from crm_desktop.main_window import MainWindow

    window = MainWindow(session, lang)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    page = window.show_module(module)
    wait_loaded(qtbot, page)
    qtbot.waitUntil(lambda: page._sized_columns, timeout=WAIT)
    QApplication.processEvents()
    return window, page


def _close(window) -> None:
    from crm_desktop.background import wait_for_all

    window.hand_over()  # closes the window; the session (a fixture's) goes on
    assert wait_for_all(WAIT)
    QApplication.processEvents()


def _shown_width(page) -> int:
    header = page.view.horizontalHeader()
    return sum(header.sectionSize(c) for c in range(header.count()) if not header.isSectionHidden(c))


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_customers_grid_fits_a_1366_window_and_shows_whole_codes(qtbot, admin, office_customers, lang,
                                                                     zh_catalogue, monkeypatch, tmp_path):
    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    window, page = _open_at_1366(qtbot, admin, lang)
    view = page.view
    assert (window.width(), window.height()) == (1366, 768)
    assert not view.horizontalScrollBar().isVisible()
    assert _shown_width(page) <= view.viewport().width()
    code = page.model.column_of("code")
    text = page.model.index(0, code).data()
    assert text.startswith("C") and len(text) == 12
    assert view.fontMetrics().horizontalAdvance(text) + 8 <= view.horizontalHeader().sectionSize(code)
    assert page.elided_tips.tooltip_at(page.model.index(0, code)) is None  # whole: no tooltip needed
    # Less important columns wait in the header's column chooser.
    assert page.model.column_of("category") == page.model.column_of("source") == -1
    menu = page.columns.build_menu()
    source = next(a for a in menu.actions() if a.objectName() == "column_source")
    assert not source.isChecked()
    _close(window)


def test_a_cut_company_name_reads_whole_in_its_tooltip(qtbot, admin, office_customers, monkeypatch, tmp_path):
    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    window, page = _open_at_1366(qtbot, admin, "en")
    name = page.model.column_of("name")
    row = next(r for r in range(page.model.rowCount()) if page.model.index(r, name).data() == LONG_NAME)
    page.view.horizontalHeader().resizeSection(name, 120)  # squeezed: the name ends in "…"
    index = page.model.index(row, name)
    rect = page.view.visualRect(index)
    pos = rect.center()
    shown = []  # the real QToolTip raises a window, which the offscreen platform warns about
    monkeypatch.setattr("crm_desktop.grid.column_layout.QToolTip.showText",
                        lambda _pos, text, *_args: shown.append(text))
    event = QHelpEvent(QEvent.Type.ToolTip, pos, page.view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(page.view.viewport(), event)
    assert shown == [LONG_NAME]
    status = page.model.column_of("status")  # short enough: the model's tooltip (none for an active record)
    assert page.elided_tips.tooltip_at(page.model.index(row, status)) is None
    _close(window)


def test_the_other_module_grids_fit_a_1366_window(qtbot, db, admin, monkeypatch, tmp_path):
    from crm_core.demo import generate

    generate(db, customers=20)  # every module gets records, as in an office
    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    window, _ = _open_at_1366(qtbot, admin, "zh_CN", "contacts")
    for module in ("contacts", "contracts", "tickets", "licenses", "followups", "payments"):
        page = window.show_module(module)
        wait_loaded(qtbot, page)
        qtbot.waitUntil(lambda page=page: page._sized_columns, timeout=WAIT)
        assert _shown_width(page) <= page.view.viewport().width(), module
    _close(window)


def test_default_columns_come_back_from_the_header_menu(qtbot, admin, office_customers, open_page):
    page = open_page(admin)
    page.columns.set_shown("source", True)
    assert page.model.column_of("source") >= 0
    menu = page.columns.build_menu()
    next(a for a in menu.actions() if a.objectName() == "defaultColumnsAction").trigger()
    assert page.model.column_of("source") == -1 and page.model.column_of("code") == 0
    assert page.view.horizontalHeader().sortIndicatorSection() == page.model.column_of("created_at")


def _open_at(qtbot, session, lang, width, height, module="customers"):
    from crm_desktop.main_window import MainWindow

    window = MainWindow(session, lang)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    page = window.show_module(module)
    wait_loaded(qtbot, page)
    qtbot.waitUntil(lambda: page._sized_columns, timeout=WAIT)
    # The less-used columns' values come with the first page read again for them.
    qtbot.waitUntil(lambda: not page.model.loading and all(
        page.model.record_at(0).get(n, "?") != "?" for n in page.model.columns), timeout=WAIT)
    QApplication.processEvents()
    return window, page


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_less_used_columns_show_where_the_window_has_room_for_them(qtbot, admin, office_customers, lang,
                                                                       zh_catalogue, monkeypatch, tmp_path):
    from crm_core.modules.customers import SPEC

    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    assert SPEC.secondary_columns == ("category", "source")  # declared in crm_core, read by the client
    window, page = _open_at(qtbot, admin, lang, 1366, 768)
    assert "category" not in page.model.columns and "source" not in page.model.columns
    _close(window)

    window, page = _open_at(qtbot, admin, lang, 1920, 1080)
    view, model = page.view, page.model
    assert {"category", "source"} <= set(model.columns)
    assert _shown_width(page) <= view.viewport().width()  # still no sideways scrolling
    source = model.column_of("source")
    label = {"zh_CN": "官网咨询", "en": "Website enquiry"}[lang]
    # The dictionary's labels come from the main window's own read, which may finish after the first page.
    qtbot.waitUntil(lambda: label in [model.data(model.index(r, source)) for r in range(model.rowCount())],
                    timeout=WAIT)
    widths = view.horizontalHeader()
    # whole, not cut (the columns are fitted to the rows read again for them, an event later under load)
    qtbot.waitUntil(lambda: view.fontMetrics().horizontalAdvance(label) < widths.sectionSize(source), timeout=WAIT)
    assert _shown_width(page) <= view.viewport().width()
    _close(window)


def test_a_users_own_columns_are_not_widened(qtbot, admin, office_customers, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    settings = QSettings("crm-desktop", "crm-desktop")
    settings.setValue("views/admin/customers/columns", ["code", "name", "status"])
    settings.sync()
    window, page = _open_at(qtbot, admin, "en", 1920, 1080)
    assert page.model.columns == ["code", "name", "status"]
    _close(window)


class _CountedPages:
    """A module service whose page reads (``list``) are counted; the rest is the service's own."""

    def __init__(self, service):
        self._service, self.pages = service, 0

    def list(self, query):
        self.pages += 1
        return self._service.list(query)

    def __getattr__(self, name):
        return getattr(self._service, name)


def _open_counted(qtbot, monkeypatch, session, width, settings, *, fixed_filters=(), module="customers"):
    """A module page ``width`` px wide over a service that counts its page reads; measured columns noted."""
    from crm_desktop.changes import ChangeBus
    from crm_desktop.grid.column_layout import ColumnSizes
    from crm_desktop.grid.display import dictionary_labels
    from crm_desktop.grid.grid_view import ModulePage

    measured = []  # the fields whose cells were measured to size the columns (each costs GUI-thread time)
    measure = ColumnSizes._measure
    monkeypatch.setattr(ColumnSizes, "_measure",
                        lambda sizes, column, field: (measured.append(field.name), measure(sizes, column, field))[1])
    service = _CountedPages(getattr(session, module))
    labels = dictionary_labels(session.dictionary.entries())
    page = ModulePage(service, "zh_CN", labels, changes=ChangeBus(), open_form=lambda *a, **k: None,
                      actor=session.actor, settings=settings, fixed_filters=fixed_filters)
    qtbot.addWidget(page)
    page.resize(width, 800)
    page.show()
    wait_loaded(qtbot, page)
    qtbot.waitUntil(lambda: page._sized_columns, timeout=WAIT)
    return page, service, measured


def _painted_and_idle(page) -> None:
    """Paint the grid (a stale row asks for its page when painted), then let every request end."""
    from crm_desktop.background import wait_for_all

    page.view.viewport().grab()
    assert wait_for_all(WAIT)
    QApplication.processEvents()


def test_a_wide_window_shows_the_less_used_columns_without_reading_a_page_again(qtbot, admin, office_customers,
                                                                               tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    settings = QSettings(str(tmp_path / "views.ini"), QSettings.Format.IniFormat)
    page, service, measured = _open_counted(qtbot, monkeypatch, admin, 1920 - 190, settings)
    _painted_and_idle(page)
    model = page.model
    assert {"category", "source"} <= set(model.columns)
    source = model.column_of("source")
    assert "官网咨询" in [model.index(r, source).data() for r in range(model.rowCount())]  # its values, at once
    assert service.pages == 1  # the first page only: it was read with the less-used fields
    assert _shown_width(page) <= page.view.viewport().width()  # still no sideways scrolling
    assert sorted(measured) == sorted(set(measured)) and set(measured) == set(model.columns)  # each once


def test_a_narrow_window_keeps_reading_one_page_and_measures_each_column_once(qtbot, admin, office_customers,
                                                                              tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    settings = QSettings(str(tmp_path / "views.ini"), QSettings.Format.IniFormat)
    page, service, measured = _open_counted(qtbot, monkeypatch, admin, 1366 - 190, settings)
    _painted_and_idle(page)
    assert "category" not in page.model.columns and "source" not in page.model.columns
    assert service.pages == 1
    assert sorted(measured) == sorted(set(page.model.columns))  # room_for tried two columns: one measure each


def test_default_columns_chosen_again_in_a_wide_window_show_the_less_used_ones_filled(qtbot, admin, office_customers,
                                                                                     tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    settings = QSettings(str(tmp_path / "views.ini"), QSettings.Format.IniFormat)
    settings.setValue("views/admin/customers/columns", ["code", "name", "status"])
    page, service, _ = _open_counted(qtbot, monkeypatch, admin, 1920 - 190, settings)
    assert page.model.columns == ["code", "name", "status"]  # his own: not widened, nothing more read
    page.columns.reset()  # "Default columns" from the header menu
    model = page.model
    assert {"category", "source"} <= set(model.columns)
    source = model.column_of("source")
    # The rows in memory were read without these fields: painted, their page is read again with them.
    page.view.viewport().grab()
    qtbot.waitUntil(lambda: not model.loading and "官网咨询" in [model.index(r, source).data()
                                                                for r in range(model.rowCount())], timeout=WAIT)
    _painted_and_idle(page)
    assert service.pages == 2


def test_a_pinned_column_stays_hidden_after_every_model_reset(qtbot, admin, make_customer, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    from crm_core.lists import Filter

    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    customer = make_customer("杭州云帆网络科技有限公司")
    for problem in ("打印模块报错", "登录很慢"):
        admin.tickets.create({"customer_id": customer["id"], "feedback_type": "complaint", "description": problem,
                              "city": "杭州"})
    settings = QSettings(str(tmp_path / "views.ini"), QSettings.Format.IniFormat)
    # A customer's tickets (the 360° view's tab) in a wide window: the less-used columns come in
    # with a model reset, the customer's column stays hidden.
    page, _, _ = _open_counted(qtbot, monkeypatch, admin, 1920 - 190, settings, module="tickets",
                               fixed_filters=(Filter("customer_id", "eq", customer["id"]),))
    model, view = page.model, page.view
    assert "city" in model.columns and "杭州" in [model.index(r, model.column_of("city")).data() for r in range(2)]

    def pinned_hidden() -> bool:
        column = model.column_of("customer_id")
        return column == -1 or view.isColumnHidden(column)

    assert model.column_of("customer_id") >= 0 and pinned_hidden()
    shown = [c for c in range(model.columnCount()) if not view.isColumnHidden(c)]
    assert len(shown) == model.columnCount() - 1  # only the pinned one
    with qtbot.waitSignal(model.modelReset, timeout=WAIT):
        page.reload()  # F5
    assert pinned_hidden()
    wait_loaded(qtbot, page)
    with qtbot.waitSignal(model.modelReset, timeout=WAIT):
        page.search_edit.setText("打印")
    assert pinned_hidden()
    wait_loaded(qtbot, page)
    with qtbot.waitSignal(model.modelReset, timeout=WAIT):
        model.sort(model.column_of("number"))
    assert pinned_hidden()
    wait_loaded(qtbot, page)
    with qtbot.waitSignal(model.modelReset, timeout=WAIT):
        page.columns.reset()  # "Default columns"
    assert pinned_hidden()
    _painted_and_idle(page)


def test_a_long_name_below_the_twentieth_row_reads_whole_when_the_window_has_room(qtbot, admin, make_customer,
                                                                                 tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    make_customer(LONG_NAME)  # the oldest: the last row of the newest-first list
    for n in range(29):
        make_customer(f"杭州云帆网络科技有限公司{n}号店")
    settings = QSettings(str(tmp_path / "views.ini"), QSettings.Format.IniFormat)
    page, _, _ = _open_counted(qtbot, monkeypatch, admin, 1920 - 190, settings)
    model, view = page.model, page.view
    row = next(r for r in range(model.rowCount()) if model.index(r, model.column_of("name")).data() == LONG_NAME)
    assert row >= 25 and view.rowAt(view.viewport().height() - 1) in (-1, *range(row, model.rowCount()))  # on screen
    index = model.index(row, model.column_of("name"))
    assert page.elided_tips.tooltip_at(index) is None  # whole: no "…"
    assert _shown_width(page) <= view.viewport().width()
    _painted_and_idle(page)
