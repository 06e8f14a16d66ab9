"""Settings → Mail and the ticket panel's notice, against a real SMTP server (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from crm_core import mail
from crm_desktop.background import wait_for_all
from crm_desktop.settings import SettingsDialog
from tests.gui.helpers import WAIT
from tests.gui.test_panels import act, open_ticket_form
from tests.mailserver import SMTP_PASSWORD, SMTP_USER, fake_keyring, smtp_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("fake_keyring")


@pytest.fixture
def mail_tab(qtbot, admin, login, tmp_path):
    dialog = SettingsDialog(admin, "en", settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(dialog)
    dialog.show()
    tab = dialog.mail_tab
    dialog.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: not tab.busy, timeout=WAIT)
    yield tab
    assert wait_for_all(WAIT)
    QCoreApplication.processEvents()


def fill(tab, **values) -> None:
    w = tab.fields.widgets
    w["host"].setText(values.get("host", "127.0.0.1"))
    w["port"].setValue(values.get("port", 25))
    w["security"].setCurrentIndex(w["security"].findData(values.get("security", "none")))
    w["sender"].setText(values.get("sender", "service@office.example"))
    w["username"].setText(values.get("username", ""))
    w["password"].setText(values.get("password", ""))


def save(qtbot, tab) -> None:
    tab.save_button.click()
    qtbot.waitUntil(lambda: not tab.busy and tab.status_label.text() != "", timeout=WAIT)


def test_admin_sets_up_the_mail_server_and_the_password_stays_on_this_computer(qtbot, admin, mail_tab,
                                                                               smtp_server, fake_keyring):
    fill(mail_tab, port=smtp_server.port, username=SMTP_USER, password=SMTP_PASSWORD)
    save(qtbot, mail_tab)
    assert mail_tab.status_label.text() == "The mail settings were saved."
    stored = admin.settings.smtp()
    assert (stored.host, stored.port, stored.username) == ("127.0.0.1", smtp_server.port, SMTP_USER)
    assert mail.stored_password(stored) == SMTP_PASSWORD
    qtbot.waitUntil(lambda: not mail_tab.busy and mail_tab.fields.widgets["password"].text() == "", timeout=WAIT)

    mail_tab.test_edit.setText("boss@example.com")
    mail_tab.test_button.click()
    qtbot.waitUntil(lambda: mail_tab.status_label.text() == "The test message was sent.", timeout=WAIT)
    assert smtp_server.envelopes[-1][1] == ["boss@example.com"]


def test_a_bad_port_and_sender_are_shown_under_their_fields(qtbot, admin, mail_tab):
    fill(mail_tab, sender="not an address")
    mail_tab.fields.widgets["host"].clear()
    mail_tab.save_button.click()
    qtbot.waitUntil(lambda: not mail_tab.busy and mail_tab.fields.error("sender") != "", timeout=WAIT)
    assert mail_tab.fields.error("host") == "SMTP server: is required"
    assert mail_tab.fields.error("sender") == "Sender address: is not a valid e-mail address"
    assert admin.settings.smtp().configured is False


def test_resolving_in_the_panel_notifies_the_submitter_at_once(qtbot, admin, login, make_customer, smtp_server):
    admin.settings.save_smtp({"host": "127.0.0.1", "port": smtp_server.port, "security": "none",
                              "sender": "service@office.example"}, version=0)
    customer = make_customer()
    submitter = admin.submitters.create({"customer_id": customer["id"], "name": "张伟", "email": "zhangwei@example.com"})
    ticket = admin.tickets.create({"customer_id": customer["id"], "submitter_id": submitter["id"],
                                   "feedback_type": "complaint", "description": "收银机打印小票时卡纸"})
    engineer = login("engineer1", name="李工")
    form = open_ticket_form(qtbot, engineer, ticket["id"])  # kept: the panel lives in the form
    panel = form.panel
    panel.result_edit.setText("已更换打印头，测试正常")
    act(qtbot, panel, panel.resolve_button)
    qtbot.waitUntil(lambda: panel.message() == "The submitter was notified by e-mail.", timeout=WAIT)
    qtbot.waitUntil(lambda: panel.notice_table.rowCount() == 1 and panel.notice_table.item(0, 1).text() == "Sent",
                    timeout=WAIT)
    assert [m["To"] for m in smtp_server.messages] == ["zhangwei@example.com"]
    assert wait_for_all(WAIT)
