"""The settings dialog as an administrator and a salesperson use it (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from crm_core.errors import AuthenticationFailed
from crm_core.session import connect
from crm_desktop.background import wait_for_all
from crm_desktop.settings import SettingsDialog
from tests.gui.helpers import WAIT
from tests.helpers import version_of

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NEW_PASSWORD = "Neues2passwort"


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def open_settings(qtbot, login, settings):
    """``open_settings(session, lang="en")`` -> the shown dialog, its lists loaded.

    Depends on ``login`` so that, at teardown, background work ends before the sessions close.
    """
    def _open(session, lang="en"):
        dialog = SettingsDialog(session, lang, settings=settings)
        qtbot.addWidget(dialog)
        dialog.show()
        for tab in (dialog.users_tab, dialog.dictionary_tab, dialog.custom_fields_tab):
            if tab is not None:
                qtbot.waitUntil(lambda t=tab: t.model.total is not None and not t.model.loading, timeout=WAIT)
        return dialog

    yield _open
    assert wait_for_all(WAIT)
    QCoreApplication.processEvents()


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def select_login(qtbot, tab, login_name: str) -> dict:
    """Select the row of ``login_name`` in the users tab and return its record."""
    qtbot.waitUntil(lambda: any(tab.model.record_at(r)["login"] == login_name
                                for r in range(tab.model.rowCount())), timeout=WAIT)
    record = next(tab.model.record_at(r) for r in range(tab.model.rowCount())
                  if tab.model.record_at(r)["login"] == login_name)
    assert tab.select_id(record["id"])
    return record


def fill_new_user(dialog, login_name: str, password: str = "Passw0rd1", again: str | None = None) -> None:
    widgets = dialog.fields.widgets
    widgets["login"].setText(login_name)
    widgets["name"].setText("张伟")
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("service"))
    widgets["phone"].setText("13912345678")
    widgets["email"].setText("zhangwei@example.com")
    widgets["password"].setText(password)
    widgets["password2"].setText(password if again is None else again)


def test_admin_creates_a_user_who_can_then_sign_in(qtbot, admin, profile, open_settings):
    dialog = open_settings(admin)
    assert dialog.tab_titles() == ["Users", "Data dictionary", "Custom fields", "Mail", "Backups",
                                   "My account"]
    tab = dialog.users_tab
    click(qtbot, tab.new_button)
    new = tab.new_dialog
    assert new.isVisible()
    fill_new_user(new, "zhangwei")
    with qtbot.waitSignal(new.created, timeout=WAIT, raising=True):
        click(qtbot, new.save_button)
    record = select_login(qtbot, tab, "zhangwei")
    assert record["role"] == "service" and record["is_active"]
    assert "zhangwei" in tab.status_label.text()
    with connect(profile, "zhangwei", "Passw0rd1", upgrade=False) as session:
        assert session.actor.name == "张伟" and session.actor.role == "service"


def test_new_user_errors_show_under_their_fields(qtbot, admin, open_settings):
    dialog = open_settings(admin)  # kept: the dialog owns the tab
    tab = dialog.users_tab
    click(qtbot, tab.new_button)
    new = tab.new_dialog
    fill_new_user(new, "admin", again="Different1")
    click(qtbot, new.save_button)
    assert new.fields.error("password2") == "The two passwords do not match"

    new.fields.widgets["password2"].setText("Passw0rd1")
    click(qtbot, new.save_button)
    qtbot.waitUntil(lambda: not new.busy and bool(new.fields.error("login")), timeout=WAIT)
    error = new.fields.error("login")
    assert error.startswith("Login name: 'admin'") and "already" in error and "\n" not in error
    assert new.isVisible() and new.fields.widgets["name"].text() == "张伟"  # nothing typed is lost
    assert tab.model.rowCount() == 1


def test_account_in_use_cannot_be_deleted_but_can_be_deactivated(qtbot, admin, login, open_settings):
    sales = login("sales1")
    sales.customers.create({"name": "销售一的客户有限公司"})
    dialog = open_settings(admin)  # kept: the dialog owns the tab
    tab = dialog.users_tab
    record = select_login(qtbot, tab, "sales1")

    click(qtbot, tab.delete_button)
    # Asked before any "delete for good?": in use, so deactivation is offered right there.
    qtbot.waitUntil(lambda: tab.findChild(QMessageBox, "inUseBox") is not None, timeout=WAIT)
    box = tab.in_use_box
    assert tab.confirm_box is None or not tab.confirm_box.isVisible()
    assert "1 customers" in box.text() and "deactivate" in box.text().lower()
    assert "can no longer sign in" in box.informativeText()
    assert admin.users.get(record["id"])["is_active"]  # still there
    assert tab.model.row_of(record["id"]) is not None
    click(qtbot, box.findChild(QPushButton, "inUseDeactivateButton"))
    qtbot.waitUntil(lambda: tab.reason_dialog is not None and tab.reason_dialog.isVisible(), timeout=WAIT)
    tab.reason_dialog.setTextValue("离职")
    tab.reason_dialog.accept()
    qtbot.waitUntil(lambda: not tab.busy and not tab.current_record()["is_active"], timeout=WAIT)
    stored = admin.users.get(record["id"])
    assert not stored["is_active"] and stored["deactivated_reason"] == "离职"
    assert tab.reactivate_button.isEnabled() and not tab.deactivate_button.isEnabled()
    with pytest.raises(AuthenticationFailed):
        connect(sales.profile, "sales1", "secret123", upgrade=False)


def test_admin_resets_a_password(qtbot, admin, login, profile, open_settings):
    login("sales1")
    dialog = open_settings(admin)  # kept: the dialog owns the tab
    tab = dialog.users_tab
    select_login(qtbot, tab, "sales1")
    click(qtbot, tab.reset_button)
    reset = tab.reset_dialog
    reset.fields.widgets["password"].setText("short")
    reset.fields.widgets["password2"].setText("short")
    click(qtbot, reset.save_button)
    qtbot.waitUntil(lambda: not reset.busy and bool(reset.fields.error("password")), timeout=WAIT)
    assert "at least 8" in reset.fields.error("password")

    reset.fields.widgets["password"].setText(NEW_PASSWORD)
    reset.fields.widgets["password2"].setText(NEW_PASSWORD)
    with qtbot.waitSignal(reset.password_set, timeout=WAIT, raising=True):
        click(qtbot, reset.save_button)
    assert "sales1" in tab.status_label.text()
    with connect(profile, "sales1", NEW_PASSWORD, upgrade=False) as session:
        assert session.actor.login == "sales1"


def test_a_salesperson_sees_only_his_account(qtbot, login, open_settings):
    dialog = open_settings(login("sales1"))
    assert dialog.tab_titles() == ["My account"]
    assert dialog.users_tab is None and dialog.dictionary_tab is None and dialog.custom_fields_tab is None


def test_change_own_password(qtbot, login, profile, open_settings):
    dialog = open_settings(login("sales1"))  # kept: the dialog owns the tab
    tab = dialog.account_tab
    widgets = tab.fields.widgets
    widgets["old"].setText("not-my-password1")
    widgets["new"].setText(NEW_PASSWORD)
    widgets["new2"].setText(NEW_PASSWORD + "x")
    click(qtbot, tab.change_button)
    assert tab.fields.error("new2") == "The two passwords do not match"

    widgets["new2"].setText(NEW_PASSWORD)
    click(qtbot, tab.change_button)
    qtbot.waitUntil(lambda: not tab.busy and bool(tab.fields.error("old")), timeout=WAIT)
    assert tab.fields.error("old") == "Current password: is wrong"

    widgets["old"].setText("secret123")
    click(qtbot, tab.change_button)
    qtbot.waitUntil(lambda: not tab.busy and tab.password_status.text() == "Your password was changed.",
                    timeout=WAIT)
    assert not tab.fields.error("old") and widgets["new"].text() == ""
    with connect(profile, "sales1", NEW_PASSWORD, upgrade=False) as session:
        assert session.actor.login == "sales1"


def test_a_new_dictionary_entry_appears_in_the_list(qtbot, admin, open_settings):
    dialog = open_settings(admin)  # kept: the dialog owns the tab
    tab = dialog.dictionary_tab
    tab.set_category("industry")
    qtbot.waitUntil(lambda: not tab.model.loading and tab.model.total is not None, timeout=WAIT)
    before = tab.model.total
    click(qtbot, tab.new_button)
    form = tab.form
    form.editors["code"].set_value("aerospace")
    form.editors["label_zh"].set_value("航空航天")
    form.editors["label_en"].set_value("Aerospace")
    with qtbot.waitSignal(dialog.changed, timeout=WAIT, raising=True) as announced:
        form.save()
    assert announced.args[0] == "dictionary" and announced.args[1]["code"] == "aerospace"
    qtbot.waitUntil(lambda: any(tab.model.record_at(r)["code"] == "aerospace"
                                for r in range(tab.model.rowCount())), timeout=WAIT)
    # The list reloads in the background: its rows and its count arrive as two answers.
    qtbot.waitUntil(lambda: tab.model.total == before + 1, timeout=WAIT)
    assert {e["code"] for e in admin.dictionary.entries("industry")} >= {"aerospace"}


def test_the_language_choice_is_stored(qtbot, login, settings, open_settings):
    dialog = open_settings(login("sales1"), lang="zh_CN")  # kept: the dialog owns the tab
    tab = dialog.account_tab
    assert tab.language_combo.currentData() == "zh_CN"
    tab.language_combo.setCurrentIndex(tab.language_combo.findData("en"))
    assert settings.value("ui/language") == "en"
    assert SettingsDialog(login("sales1"), "zh_CN", settings=settings).account_tab.language_combo.currentData() == "en"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_render_the_users_tab(qtbot, admin, login, open_settings, backend, request, lang):
    if lang == "zh_CN":
        request.getfixturevalue("zh_catalogue")
    for who, role in (("wangfang", "manager"), ("lina", "service"), ("chenjie", "engineer")):
        login(who, role=role, name={"wangfang": "王芳", "lina": "李娜", "chenjie": "陈杰"}[who])
    sales = login("sales1", name="刘洋")
    admin.users.deactivate(sales.actor.user_id, "已离职", version=version_of(admin.users, sales.actor.user_id))
    dialog = open_settings(admin, lang=lang)
    tab = dialog.users_tab
    qtbot.waitUntil(lambda: tab.model.rowCount() == 5, timeout=WAIT)
    select_login(qtbot, tab, "lina")
    _grab(dialog, f"settings_users_{lang}.png", backend)

    click(qtbot, tab.new_button)
    new = tab.new_dialog
    fill_new_user(new, "admin")
    new.fields.widgets["password"].setText("abc")
    new.fields.widgets["password2"].setText("abc")
    click(qtbot, new.save_button)
    qtbot.waitUntil(lambda: not new.busy and bool(new.fields.error("login")), timeout=WAIT)
    _grab(new, f"settings_new_user_{lang}.png", backend)
    new.reject()

    dictionary = dialog.dictionary_tab
    dialog.tabs.setCurrentWidget(dictionary)
    dictionary.set_category("industry")
    qtbot.waitUntil(lambda: not dictionary.model.loading and dictionary.model.rowCount() > 0, timeout=WAIT)
    _grab(dialog, f"settings_dictionary_{lang}.png", backend)

    dialog.tabs.setCurrentWidget(dialog.account_tab)
    dialog.account_tab.fields.set_error("old", "原密码：不正确" if lang == "zh_CN" else "Current password: is wrong")
    _grab(dialog, f"settings_account_{lang}.png", backend)


def _grab(widget, name: str, backend: str) -> None:
    image = widget.grab()
    assert not image.isNull()
    # Pictures for docs/ only when asked (CRM_SCREENSHOTS=1): a test run leaves the checkout alone.
    if backend == "sqlite" and os.environ.get("CRM_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        image.save(str(SCREENSHOTS / name))


def test_a_dictionary_entry_in_use_is_deactivated_not_deleted(qtbot, admin, make_customer, open_settings):
    make_customer(industry="finance")
    dialog = open_settings(admin)
    tab = dialog.dictionary_tab
    tab.set_category("industry")
    qtbot.waitUntil(lambda: not tab.model.loading and any(
        tab.model.record_at(r)["code"] == "finance" for r in range(tab.model.rowCount())), timeout=WAIT)
    entry = next(tab.model.record_at(r) for r in range(tab.model.rowCount())
                 if tab.model.record_at(r)["code"] == "finance")
    assert tab.select_id(entry["id"])
    click(qtbot, tab.delete_button)
    qtbot.waitUntil(lambda: tab.findChild(QMessageBox, "inUseBox") is not None, timeout=WAIT)
    assert "deactivate it instead" in tab.in_use_box.text()
    assert any(e["code"] == "finance" for e in admin.dictionary.entries("industry"))


def test_admin_adds_a_custom_field(qtbot, admin, open_settings):
    dialog = open_settings(admin)
    tab = dialog.custom_fields_tab
    click(qtbot, tab.new_button)
    form = tab.form
    form.editors["key"].set_value("wechat")
    form.editors["label_zh"].set_value("微信号")
    form.editors["label_en"].set_value("WeChat ID")
    with qtbot.waitSignal(form.saved, timeout=WAIT, raising=True):
        form.save()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=WAIT)
    assert tab.model.record_at(0)["key"] == "wechat"
    assert [d["key"] for d in admin.custom_fields.definitions("customers")] == ["wechat"]
