"""The main window and the generic module page, as a user sees them (SQLite and PostgreSQL)."""

from __future__ import annotations

import sys
import types

import pytest
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from crm_core.services.codes import office_today
from crm_desktop.background import wait_for_all
from tests.gui.helpers import WAIT, wait_loaded

ALL_MODULES_ZH = ["客户信息", "客户联系人", "合同", "回款", "产品", "产品授权", "客户反馈", "反馈人员",
                  "跟进记录", "客户需求", "销售机会"]


def nav_texts(window) -> list[str]:
    return [window.nav.item(i).text() for i in range(window.nav.count())]


def names_shown(page) -> list[str]:
    col = page.model.column_of("name")
    return [page.model.index(r, col).data() for r in range(page.model.rowCount())]


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT)


# --------------------------------------------------------------- navigation

def test_admin_sees_every_business_module_in_order(qtbot, admin, open_main):
    window = open_main(admin)
    assert nav_texts(window) == ["工作台"] + ALL_MODULES_ZH + ["管理看板", "报表"]
    assert window.current_page().module == "customers"
    assert window.stack.count() == 2  # 工作台 and customers; the other pages are created when first chosen
    window.nav.setCurrentRow(nav_texts(window).index("合同"))
    assert window.current_page().module == "contracts" and window.stack.count() == 3
    for row in range(1, len(ALL_MODULES_ZH) + 1):  # every module's page loads (no error box)
        window.nav.setCurrentRow(row)
        wait_loaded(qtbot, window.current_page())
        assert window.current_page().total_label.text() == "0 records"
    assert window.stack.count() == 12 and not window.findChildren(QMessageBox)


def test_sales_user_sees_only_modules_his_role_may_read(qtbot, login, open_main):
    window = open_main(login("sales1"), lang="en")
    texts = nav_texts(window)
    assert texts == ["My work", "Customers", "Contacts", "Contracts", "Payments", "Products", "Licenses",
                     "Feedback tickets", "Feedback submitters", "Follow-ups", "Customer needs",
                     "Sales opportunities", "Dashboard"]
    assert "Software users" not in texts and "Data dictionary" not in texts


def test_engineer_sees_tickets_but_not_contracts(qtbot, login, open_main):
    window = open_main(login("engineer1"))
    texts = nav_texts(window)
    assert "客户反馈" in texts and "合同" not in texts and "回款" not in texts
    assert window.modules == ["customers", "products", "licenses", "tickets", "submitters", "needs"]
    with pytest.raises(KeyError):
        window.page("contracts")
    assert not window.due_button.isVisible()  # engineers keep no follow-ups


# --------------------------------------------------------------- the grid

def test_sales_user_lists_only_his_customers(qtbot, login, make_customer, open_main):
    sales = login("sales1")
    other = login("sales2")
    make_customer("杭州云帆网络科技有限公司", owner_id=sales.actor.user_id)
    make_customer("上海海纳信息技术有限公司", owner_id=other.actor.user_id)
    make_customer("北京星辰软件有限公司")
    window = open_main(sales)
    page = window.current_page()
    assert names_shown(page) == ["杭州云帆网络科技有限公司"]
    assert page.total_label.text() == "1 record"  # no catalogue installed: the English source


def test_search_box_filters_after_the_pause_in_typing(qtbot, admin, make_customer, open_main):
    for name, mail in (("杭州云帆网络科技有限公司", "info@yunfan.cn"), ("上海海纳信息技术有限公司", "info@haina.cn"),
                       ("北京星辰软件有限公司", "info@xingchen.cn")):
        make_customer(name, email=mail)
    window = open_main(admin, lang="en")
    page = window.current_page()
    assert page.model.total == 3 and page.total_label.text() == "3 records"
    assert page.search_edit.placeholderText() == "Search code/name/phone/Email…"
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT) as signal:
        qtbot.keyClicks(page.search_edit, "yunfan")  # QTest types ASCII only
        assert page.model.total == 3  # debounced: nothing asked while typing
    assert signal.args == [1]
    wait_loaded(qtbot, page)
    assert names_shown(page) == ["杭州云帆网络科技有限公司"]
    assert page.total_label.text() == "1 record"
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT) as signal:
        page.search_edit.setText("云")  # one character: the search is cleared
    assert signal.args == [3]


def test_shortcuts_f5_reloads_ctrl_f_searches_ctrl_n_and_enter_open_forms(qtbot, admin, make_customer,
                                                                             open_main, monkeypatch):
    make_customer("杭州云帆网络科技有限公司")
    window = open_main(admin)
    opened = []
    monkeypatch.setattr(window, "open_form", lambda module, record_id: opened.append((module, record_id)))
    page = window.current_page()
    page._open_form = window.open_form  # the page was built with the real hook
    activate(qtbot, window)
    make_customer("上海海纳信息技术有限公司")  # someone else adds one: visible after F5
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT) as signal:
        qtbot.keyClick(page.view, Qt.Key.Key_F5)
    assert signal.args == [2]
    wait_loaded(qtbot, page)
    qtbot.keyClick(page.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search_edit.hasFocus()
    qtbot.keyClick(page.search_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert opened == [("customers", None)]
    page.view.setFocus()
    page.view.setCurrentIndex(page.model.index(0, 0))
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert opened[-1] == ("customers", page.model.record_at(0)["id"])


def test_without_the_form_module_an_information_box_says_so(qtbot, admin, make_customer, open_main,
                                                            monkeypatch):
    make_customer()
    window = open_main(admin, lang="en")
    monkeypatch.setitem(sys.modules, "crm_desktop.forms.record_form", None)  # import fails
    window.current_page().open_new()
    box = window.findChild(QMessageBox, "formUnavailableBox")
    assert box is not None and box.isVisible() and "not available" in box.text()
    box.close()


def test_a_saved_form_updates_the_grid_through_the_change_bus(qtbot, admin, make_customer, open_main,
                                                             monkeypatch):
    customer = make_customer("杭州云帆网络科技有限公司")
    window = open_main(admin)
    forms = []

    class FakeForm(QDialog):
        saved = Signal(object)

        def __init__(self, service, *, services_lookup, lang, labels, record_id=None, defaults=None,
                     parent=None):
            super().__init__(parent)
            self.service, self.record_id = service, record_id
            assert services_lookup("contacts") is admin.contacts and lang == "zh_CN"
            forms.append(self)

        def open(self):  # stays closed: the test plays the user saving
            pass

    fake = types.ModuleType("crm_desktop.forms.record_form")
    fake.RecordForm = FakeForm
    monkeypatch.setitem(sys.modules, "crm_desktop.forms.record_form", fake)
    page = window.current_page()
    window.open_form("customers", customer["id"])  # Enter opens the 360° view; its "Edit" calls this
    assert len(forms) == 1 and forms[-1].record_id == customer["id"] and forms[-1].service is admin.customers
    renamed = admin.customers.update(customer["id"], {"name": "杭州云帆科技有限公司"},
                                     version=customer["version"])
    forms[-1].saved.emit(renamed)
    assert names_shown(page) == ["杭州云帆科技有限公司"]  # applied in place, no reload
    page.open_new()
    assert forms[-1].record_id is None
    new = admin.customers.create({"name": "上海海纳信息技术有限公司"})
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT) as signal:
        forms[-1].saved.emit(new)  # not loaded here: the grid reloads
    assert signal.args == [2]
    wait_loaded(qtbot, page)


# --------------------------------------------------------------- status bar

def test_status_bar_shows_user_role_server_and_due_today(qtbot, login, make_customer, open_main, profile):
    sales = login("sales1", name="张伟")
    customer = make_customer(owner_id=sales.actor.user_id)
    for step in ("发送报价单", "安排演示"):
        sales.followups.create({"customer_id": customer["id"], "method": "phone", "content": "电话沟通需求",
                                "next_step": step, "next_due_on": office_today(),
                                "user_id": sales.actor.user_id})
    window = open_main(sales, lang="en")
    assert window.windowTitle() == "CRM Desktop — 张伟"
    assert window.user_label.text() == "张伟 (Sales)"
    # Which database, in words; the file path or server address only in the tooltip.
    assert window.server_label.text() == ("Database on this computer" if profile.backend == "sqlite"
                                          else "Company database “test”")
    assert window.server_label.toolTip() == profile.describe()
    qtbot.waitUntil(lambda: window.due_button.isVisible(), timeout=WAIT)
    assert window.due_button.text() == "Due today: 2" and window.due_button.font().bold()
    assert window._due_timer.isActive() and window._due_timer.interval() == 5 * 60 * 1000
    saved = sales.followups.create({"customer_id": customer["id"], "method": "phone", "content": "回访",
                                    "next_step": "寄送合同", "next_due_on": office_today(),
                                    "user_id": sales.actor.user_id})
    window.changes.announce("followups", saved)  # what a follow-up form does after saving
    qtbot.waitUntil(lambda: window.due_button.text() == "Due today: 3", timeout=WAIT)
    qtbot.mouseClick(window.due_button, Qt.MouseButton.LeftButton)
    assert window.current_page().module == "followups"
    wait_loaded(qtbot, window.current_page())


# --------------------------------------------------------------- language

def test_labels_follow_the_language(qtbot, admin, make_customer, open_main, zh_catalogue):
    make_customer(industry="finance")
    zh = open_main(admin, lang="zh_CN")
    en = open_main(admin, lang="en")
    zh_page, en_page = zh.current_page(), en.current_page()
    assert nav_texts(zh)[:2] == ["工作台", "客户信息"] and nav_texts(en)[:2] == ["My work", "Customers"]
    assert zh_page.model.headerData(zh_page.model.column_of("name"), Qt.Orientation.Horizontal) == "公司名称"
    assert en_page.model.headerData(en_page.model.column_of("name"), Qt.Orientation.Horizontal) == "Company name"
    assert zh.user_label.text() == "系统管理员（系统管理员）"
    industry = zh_page.model.column_of("industry")
    # Dictionary labels arrive in the background, once per window, and reach the pages.
    qtbot.waitUntil(lambda: zh_page.model.index(0, industry).data() == "金融", timeout=WAIT)
    qtbot.waitUntil(lambda: en_page.model.index(0, industry).data() == "Finance", timeout=WAIT)
    assert zh_page.search_edit.placeholderText() == "搜索 编码/名称/电话/邮箱…"
    assert zh_page.total_label.text() == "共 1 条"
    assert zh.windowTitle() == "CRM 客户管理 — 系统管理员"
    qtbot.waitUntil(lambda: zh.due_button.isVisible(), timeout=WAIT)
    assert zh.due_button.text() == "今日待办 0"


def test_enter_opens_the_real_record_form_when_it_is_there(qtbot, admin, make_customer, open_main):
    form_module = pytest.importorskip("crm_desktop.forms.record_form")
    customer = make_customer("杭州云帆网络科技有限公司")
    window = open_main(admin)
    page = window.current_page()
    window.open_form("customers", page.model.record_at(0)["id"])  # Enter opens the 360° view instead
    form = window.findChild(form_module.RecordForm)
    assert form is not None and form.isVisible()
    qtbot.waitUntil(lambda: not getattr(form, "busy", False), timeout=WAIT)
    assert wait_for_all(WAIT)
    form.reject()
    assert customer["id"] == page.model.record_at(0)["id"]


# --------------------------------------------------------------- sign out / quit

def test_sign_out_closes_the_session_and_brings_the_sign_in_window_back(qtbot, admin, profile, tmp_path):
    from PySide6.QtCore import QSettings

    from crm_desktop.__main__ import build_login
    from tests.conftest import PASSWORD
    from tests.gui.test_login import sign_in

    exits = []
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = build_login("en", {profile.name: profile}, profile.name, settings, quit=exits.append)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT)
    with qtbot.waitSignal(window.signed_in, timeout=WAIT) as signal:
        sign_in(qtbot, window, "admin", PASSWORD)
    main_window = window.main_window
    qtbot.addWidget(main_window)
    with qtbot.waitSignal(main_window.closed, timeout=WAIT) as closed:
        main_window.findChild(QAction, "signOutAction").trigger()
    assert closed.args == [True] and not main_window.isVisible() and not exits
    again = main_window.login_window
    qtbot.addWidget(again)
    assert again.isVisible() and again is not window
    qtbot.waitUntil(lambda: not again.busy, timeout=WAIT)
    assert signal.args[0] is not admin
    again.reject()  # cancelling the new sign-in ends the program
    assert exits == [0]


def test_choosing_another_language_rebuilds_the_window_at_once_on_the_same_session(qtbot, admin, profile,
                                                                                    tmp_path):
    from PySide6.QtCore import QSettings

    from crm_desktop.__main__ import build_login, switch_translators
    from tests.conftest import PASSWORD
    from tests.gui.test_login import sign_in

    switch_translators("zh_CN", tmp_path / "cache")  # as main() does on a Chinese system
    exits = []
    window = build_login("zh_CN", {profile.name: profile}, profile.name,
                         QSettings(str(tmp_path / "login.ini"), QSettings.Format.IniFormat), quit=exits.append)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT)
    with qtbot.waitSignal(window.signed_in, timeout=WAIT) as signal:
        sign_in(qtbot, window, "admin", PASSWORD)
    session, old = signal.args[0], window.main_window
    qtbot.addWidget(old)
    assert nav_texts(old)[1] == "客户信息" and old.menuBar().actions()[0].text() == "文件(&F)"
    dialog = old.open_settings()
    account = dialog.account_tab
    assert dialog.tab_titles()[-1] == "我的账户"
    with qtbot.waitSignal(old.language_switched, timeout=WAIT):
        account.language_combo.setCurrentIndex(account.language_combo.findData("en"))
    new = old.successor
    qtbot.addWidget(new)
    assert new.isVisible() and not old.isVisible() and not dialog.isVisible()
    assert nav_texts(new)[1] == "Customers" and new.menuBar().actions()[0].text() == "&File"
    assert new.current_page() is None  # the new window opens on 工作台, as after signing in
    page = new.show_module("customers")
    assert page.model.headerData(page.model.column_of("name"), Qt.Orientation.Horizontal) == "Company name"
    wait_loaded(qtbot, page)
    assert session.customers.count() == 0  # the same session goes on: nobody signed in again
    assert not exits
    new.close()
    assert exits == [0]
    switch_translators("en")  # no catalogue left installed for the next tests


def test_settings_open_from_the_file_menu_with_the_tabs_of_the_role(qtbot, admin, login, open_main):
    window = open_main(admin, lang="en")
    action = window.findChild(QAction, "settingsAction")
    assert action is not None and action.shortcut().toString() == "Ctrl+,"
    action.trigger()
    dialog = window._settings_dialog
    assert dialog is not None and dialog.isVisible()
    assert window.open_settings() is dialog  # a second trigger brings the same dialog back
    dialog.close()

    sales_window = open_main(login("sales1"), lang="en")
    sales_dialog = sales_window.open_settings()
    assert sales_dialog.tabs.count() == 1  # "My account" only
    sales_dialog.close()


def test_the_language_chosen_in_settings_is_used_at_the_next_start(monkeypatch, tmp_path):
    from PySide6.QtCore import QSettings

    import crm_desktop.__main__ as entry
    from crm_desktop.settings.account_tab import LANGUAGE_KEY
    path = str(tmp_path / "settings.ini")
    monkeypatch.setattr(entry, "QSettings", lambda *_: QSettings(path, QSettings.Format.IniFormat))
    QSettings(path, QSettings.Format.IniFormat).setValue(LANGUAGE_KEY, "en")
    assert entry.detect_language(None) == "en"
    QSettings(path, QSettings.Format.IniFormat).setValue(LANGUAGE_KEY, "zh_CN")
    assert entry.detect_language(None) == "zh_CN"
    assert entry.detect_language("en") == "en"  # --lang wins
