"""The office experience: record actions by role, the empty-list hint, 工作台, reminders, navigation counts."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from crm_core.services.codes import office_today
from tests.gui.helpers import WAIT, wait_loaded


def _names(actions):
    return [a.objectName() for a in actions if a is not None and a.isVisible()]


# --------------------------------------------------------------- record actions

def test_service_clerk_may_look_at_customers_but_new_and_delete_are_greyed(qtbot, login, make_customer, open_page,
                                                                             zh_catalogue):
    make_customer()
    page = open_page(login("service1"), lang="zh_CN")
    actions = page.record_actions
    assert actions.toolbar.isVisible()
    assert not actions.new_action.isEnabled()
    assert actions.new_action.toolTip() == "您的角色不能在“客户信息”中新建记录"
    assert actions.edit_action.text() == "查看(&V)"  # he may only read customers
    assert not actions.delete_action.isEnabled()
    page.view.selectRow(0)
    assert actions.edit_action.isEnabled() and not actions.delete_action.isEnabled()
    menu = actions.context_menu()
    assert "assignOwnerAction" not in _names(menu.actions()) and "deactivateAction" not in _names(menu.actions())


def test_manager_actions_follow_the_selection_and_show_their_shortcuts(qtbot, login, make_customer, open_page):
    make_customer("杭州云帆网络科技有限公司")
    make_customer("上海海纳信息技术有限公司")
    page = open_page(login("manager1"))
    actions = page.record_actions
    assert actions.new_action.isEnabled() and actions.new_action.toolTip() == "Add a new record to Customers (Ctrl+N)"
    assert not actions.edit_action.isEnabled() and not actions.delete_action.isEnabled()  # nothing selected
    page.view.selectAll()
    assert actions.delete_action.isEnabled() and not actions.edit_action.isEnabled()  # Edit opens one record
    page.view.selectRow(1)
    assert actions.edit_action.isEnabled() and actions.edit_action.text() == "&Edit"
    assert "(Ctrl+E)" in actions.edit_action.toolTip() and "(Del)" in actions.delete_action.toolTip()
    menu = actions.context_menu()
    names = _names(menu.actions())
    assert names[:3] == ["newAction", "editAction", "deleteAction"]
    assert {"refreshAction", "exportAction", "importAction", "assignOwnerAction"} <= set(names)


def test_sales_may_create_but_not_delete_and_engineer_sees_only_readable_modules(qtbot, login, open_main):
    sales = open_main(login("sales1"), lang="en")
    actions = sales.current_page().record_actions
    assert actions.new_action.isEnabled() and not actions.may_delete
    assert actions.delete_action.toolTip() == "Your role may not delete records of Customers"
    engineer = open_main(login("engineer1"), lang="en")
    assert engineer.nav.keys() == ["home", "customers", "products", "licenses", "tickets", "submitters", "needs"]
    tickets = engineer.show_module("tickets")
    wait_loaded(qtbot, tickets)
    assert not tickets.record_actions.new_action.isEnabled()  # engineers work tickets, they do not file them
    assert tickets.record_actions.export_action.isVisible() and not tickets.record_actions.import_action.isVisible()


def test_records_menu_holds_the_shown_pages_actions(qtbot, admin, open_main):
    window = open_main(admin, lang="en", home=True)
    assert window.current_page() is None and not window.records_menu.menuAction().isVisible()
    page = window.show_module("contacts")
    wait_loaded(qtbot, page)
    assert window.records_menu.menuAction().isVisible()
    assert window.records_menu.actions()[0] is page.record_actions.new_action
    assert window.records_menu.actions()[0].shortcut().toString() == "Ctrl+N"


# --------------------------------------------------------------- the empty list

def test_an_empty_list_says_what_to_do_first_and_a_search_without_hits_says_so(qtbot, admin, open_page,
                                                                               make_customer):
    page = open_page(admin)
    hint = page.empty_hint
    assert hint.isVisible()
    assert hint.title.text() == "There are no records in Customers yet."
    assert hint.new_button.isVisible() and hint.import_button.isVisible()
    opened = []
    page._open_form = lambda *args, **kwargs: opened.append(args)
    hint.new_button.click()
    assert opened == [("customers", None)]
    make_customer()
    page.reload()
    qtbot.waitUntil(lambda: page.model.total == 1, timeout=WAIT)
    assert not hint.isVisible()
    page.search_edit.setText("没有这家公司")
    qtbot.waitUntil(lambda: page.model.total == 0 and not page.model.loading, timeout=WAIT)
    assert hint.isVisible() and hint.title.text() == "No records match the search or filters."
    assert not hint.new_button.isVisible()


def test_a_reader_only_is_told_records_come_from_colleagues(qtbot, login, open_page):
    page = open_page(login("engineer1"), module="products")
    assert page.empty_hint.isVisible() and not page.empty_hint.new_button.isVisible()
    assert page.empty_hint.detail.text() == "Records appear here once colleagues have added them."


# --------------------------------------------------------------- 工作台

def _due_followup(session, customer, step, due, at=None):
    at = at or dt.datetime.combine(office_today() - dt.timedelta(days=5), dt.time(9)).astimezone()
    return session.followups.create({"customer_id": customer["id"], "method": "phone", "content": "电话沟通",
                                     "at": at, "next_step": step, "next_due_on": due,
                                     "user_id": session.actor.user_id})


def test_home_page_is_first_and_each_line_opens_its_record(qtbot, login, make_customer, open_main):
    sales = login("sales1")
    customer = make_customer("南京金陵电子有限公司", owner_id=sales.actor.user_id)
    overdue = _due_followup(sales, customer, "回访报价", office_today() - dt.timedelta(days=2))
    window = open_main(sales, lang="en", home=True)
    home = window.desk.page
    assert window.stack.currentWidget() is home
    box = home.lists["followups"]
    qtbot.waitUntil(lambda: box.count() == 1, timeout=WAIT)
    assert set(home.lists) == {"followups", "licenses", "opportunities"}
    line = box.tree.topLevelItem(0)
    assert line.text(1) == "回访报价" and line.text(0).endswith("(2 days overdue)")
    assert line.text(2).startswith("南京金陵电子有限公司")
    assert box.title() == "My follow-ups due today or overdue (1)"
    opened = []
    window.open_form = lambda module, record_id, defaults=None: opened.append((module, record_id))
    box.open_row(0)
    assert opened == [("followups", overdue["id"])]


def test_engineer_home_has_no_sales_lists(qtbot, login, open_main):
    window = open_main(login("engineer1"), lang="en", home=True)
    assert set(window.desk.page.lists) == {"tickets", "licenses"}


# --------------------------------------------------------------- reminders

def test_a_follow_up_coming_due_while_the_program_is_open_is_a_reminder(qtbot, login, make_customer):
    from crm_desktop.home.reminders import ReminderWatcher

    sales = login("sales1")
    customer = make_customer(owner_id=sales.actor.user_id)
    today = office_today()
    tomorrow = today + dt.timedelta(days=1)
    _due_followup(sales, customer, "寄送合同", tomorrow)
    clock = {"day": today}
    watcher = ReminderWatcher(sales.workbench, clock=lambda: clock["day"], interval_ms=3_600_000)
    reminders = []
    watcher.reminded.connect(reminders.append)
    with qtbot.waitSignal(watcher.agenda_loaded, timeout=WAIT) as first:
        watcher.poll()
    assert first.args[0]["followups"] == [] and reminders == []  # not due yet: nothing to say
    clock["day"] = tomorrow  # the next morning, program still open
    with qtbot.waitSignal(watcher.reminded, timeout=WAIT) as signal:
        watcher.poll()
    assert [item["title"] for item in signal.args[0]] == ["寄送合同"]
    with qtbot.waitSignal(watcher.agenda_loaded, timeout=WAIT):
        watcher.poll()
    assert len(reminders) == 1  # said once, not at every poll
    watcher.stop()


def test_reminders_reach_the_home_page_list(qtbot, login, make_customer, open_main):
    sales = login("sales1")
    window = open_main(sales, lang="en", home=True)
    home = window.desk.page
    qtbot.waitUntil(lambda: home.updated_label.text() != "", timeout=WAIT)
    customer = make_customer(owner_id=sales.actor.user_id)
    _due_followup(sales, customer, "今天打电话", office_today())
    with qtbot.waitSignal(window.desk.watcher.reminded, timeout=WAIT):
        window.desk.refresh()
    assert home.reminders.isVisible() and home.reminders.count() == 1
    assert home.reminders.tree.topLevelItem(0).text(1) == "今天打电话"
    assert "1 new item(s) due" in window.statusBar().currentMessage()


# --------------------------------------------------------------- navigation

def test_navigation_shows_icons_and_record_counts(qtbot, admin, make_customer, open_main):
    make_customer("杭州云帆网络科技有限公司")
    make_customer("上海海纳信息技术有限公司")
    window = open_main(admin, lang="en")
    qtbot.waitUntil(lambda: window.nav.count_of("customers") == 2, timeout=WAIT)
    assert window.nav.count_of("contracts") == 0
    assert not window.nav.item(window.nav.row_of("customers")).icon().isNull()
    assert window.nav.item(0).toolTip() == ""  # 工作台 has no count
    assert window.nav.item(1).toolTip() == "Customers: about 2 records"
    assert window.nav.item(0).data(Qt.ItemDataRole.UserRole) == "home"


# --------------------------------------------------------------- widths and order

def test_column_widths_fit_the_grid_and_the_default_order_is_shown(qtbot, admin, make_customer, open_page):
    from crm_desktop.grid.record_view import fit_widths

    assert fit_widths([100, 280, 90, 200], 600, 90) == [100, 210, 90, 200]  # the widest gives way first
    assert fit_widths([100, 280], 2000, 90) == [100, 280]  # room enough: nothing changes
    make_customer("重庆德宏企业管理咨询合伙企业（有限合伙）", email="office@dehong-consulting.example.com",
                  address="重庆市渝中区解放碑步行街88号环球金融中心写字楼三十八层")
    page = open_page(admin, module="contacts")
    header = page.view.horizontalHeader()
    assert header.sortIndicatorSection() == page.model.column_of("created_at")  # newest first, as listed
    customers = open_page(admin)
    customers.resize(1500 - 190, 600)  # a 1500 px screen, less the module list
    customers._sized_columns = False  # sized again on the next load, as on a page first opened this wide
    customers.reload()
    qtbot.waitUntil(lambda: customers._sized_columns, timeout=WAIT)
    header = customers.view.horizontalHeader()
    total = sum(header.sectionSize(c) for c in range(header.count()) if not header.isSectionHidden(c))
    assert total <= customers.view.viewport().width() + 2  # no sideways scrolling
    code = customers.model.column_of("code")
    assert header.sectionSize(code) >= customers.view.sizeHintForColumn(code)  # the code is never cut


def test_days_read_as_due_or_waiting():
    from crm_desktop.home.page import describe_day

    today = dt.date(2026, 12, 6)
    assert describe_day(today, today) == "Today"
    assert describe_day(dt.date(2026, 12, 4), today) == "2026-12-04 (2 days overdue)"
    assert describe_day(dt.date(2026, 12, 4), today, waiting=True) == "2026-12-04 (waiting 2 days)"  # a ticket
    assert describe_day(dt.date(2026, 12, 9), today) == "2026-12-09"


def test_window_size_is_remembered(qtbot, admin, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    from crm_desktop.background import wait_for_all
    from crm_desktop.main_window import MainWindow

    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    first = MainWindow(admin, "en", settings=settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(760, 560)  # within the offscreen screen (800×600): restoring keeps a window on its screen
    first.hand_over()  # closes the window (geometry saved), the session goes on
    second = MainWindow(admin, "en", settings=settings)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (first.width(), first.height()) != (1366, 800)
    second.hand_over()
    wait_for_all()
