"""Ticket notices delivered through a real SMTP server (aiosmtpd, in-process), and the mail settings."""

from __future__ import annotations

import pytest

from crm_core import ConcurrencyConflict, ConfigurationError, PermissionDenied, ValidationError
from crm_core import mail
from crm_core.cli import main
from tests.helpers import field_error
from tests.integration.test_cli import url_of
from tests.mailserver import SMTP_PASSWORD, SMTP_USER, fake_keyring, free_port, smtp_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("fake_keyring")

@pytest.fixture
def configure(admin, smtp_server):
    def _configure(**values):
        settings = {"host": "127.0.0.1", "port": smtp_server.port, "security": "none",
                    "sender": "service@office.example", **values}
        return admin.settings.save_smtp(settings, version=admin.settings.smtp().version)
    return _configure


@pytest.fixture
def resolved(login, make_customer):
    """A resolved ticket whose submitter has an e-mail address; returns (engineer session, ticket)."""
    customer = make_customer("成都蜀锦餐饮管理有限公司")
    service, engineer = login("service1", name="李客服"), login("engineer1", name="张工")
    submitter = service.submitters.create({"customer_id": customer["id"], "name": "王店长", "email": "wang@example.com"})
    ticket = service.tickets.create({"customer_id": customer["id"], "submitter_id": submitter["id"],
                                     "feedback_type": "complaint", "description": "收银系统每天下午卡顿 𠮷"})
    ticket = engineer.tickets.resolve(ticket["id"], "已重建索引，恢复正常", version=ticket["version"])
    return engineer, ticket


def notify_log(session, ticket_id):
    return [e["content"] for e in session.tickets.log(ticket_id) if e["kind"] == "notify"]


# ------------------------------------------------------------------ settings

def test_smtp_settings_are_validated_field_by_field(admin):
    with pytest.raises(ValidationError) as exc:
        admin.settings.save_smtp({"host": "", "port": "70000", "security": "tls13", "sender": "not-an-address"},
                                 version=0)
    assert exc.value.fields == {"host", "port", "security", "sender"}
    assert field_error(exc, "port").message("zh_CN") == "端口：应为 1 到 65535 的整数"
    assert admin.settings.smtp().configured is False  # nothing was saved


def test_only_administrators_change_the_smtp_settings(login):
    with pytest.raises(PermissionDenied):
        login("manager1").settings.save_smtp({"host": "mail.example.com", "port": 25, "sender": "a@example.com"},
                                             version=0)


def test_smtp_settings_saved_by_another_admin_meanwhile_are_a_conflict(admin):
    first = admin.settings.save_smtp({"host": "mail.example.com", "port": 587, "sender": "a@example.com"}, version=0)
    admin.settings.save_smtp({"host": "smtp.example.com", "port": 587, "sender": "a@example.com"},
                             version=first.version)
    with pytest.raises(ConcurrencyConflict):
        admin.settings.save_smtp({"host": "other.example.com", "port": 25, "sender": "a@example.com"},
                                 version=first.version)
    assert admin.settings.smtp().host == "smtp.example.com"


# ------------------------------------------------------------------ sending

def test_without_a_mail_server_the_notice_stays_queued_with_the_reason(resolved):
    engineer, ticket = resolved
    with pytest.raises(ConfigurationError) as exc:
        engineer.mail.send_pending(ticket["id"])
    assert "邮件服务器" in exc.value.text("zh_CN")
    assert engineer.tickets.notifications(ticket["id"])[0]["status"] == "queued"


def test_the_resolving_engineer_notifies_the_submitter_and_the_ticket_says_so(resolved, configure, smtp_server):
    engineer, ticket = resolved
    configure()
    assert engineer.mail.can_send_here()
    report = engineer.mail.send_pending(ticket["id"])
    assert (report.sent, report.failed) == (1, 0)
    [message] = smtp_server.messages
    assert smtp_server.envelopes == [("service@office.example", ["wang@example.com"])]
    assert ticket["number"] in message["Subject"]
    assert "已重建索引，恢复正常" in message.get_content()
    notice = engineer.tickets.notifications(ticket["id"])[0]
    assert notice["status"] == "sent" and notice["sent_at"] is not None
    assert any("已通知 wang@example.com" in line for line in notify_log(engineer, ticket["id"]))
    assert engineer.mail.send_pending(ticket["id"]).sent == 0  # never twice


def test_a_refused_recipient_is_recorded_and_retried_later(resolved, configure, smtp_server):
    engineer, ticket = resolved
    configure()
    smtp_server.refuse = True
    assert engineer.mail.send_pending().failed == 1
    notice = engineer.tickets.notifications(ticket["id"])[0]
    assert notice["status"] == "failed" and "550" in notice["error"]
    assert any("失败" in line and "550" in line for line in notify_log(engineer, ticket["id"]))
    smtp_server.refuse = False
    assert engineer.mail.send_pending().sent == 1
    assert engineer.tickets.notifications(ticket["id"])[0]["status"] == "sent"


def test_an_unreachable_server_fails_the_notice_with_the_reason(resolved, configure):
    engineer, ticket = resolved
    configure(port=free_port())  # nothing listens there
    assert engineer.mail.send_pending().failed == 1
    assert engineer.tickets.notifications(ticket["id"])[0]["error"]


def test_a_server_that_needs_a_login_uses_the_password_this_computer_holds(resolved, configure, smtp_server):
    engineer, ticket = resolved
    settings = configure(username=SMTP_USER)
    assert not engineer.mail.can_send_here()
    with pytest.raises(ConfigurationError):
        engineer.mail.send_pending(ticket["id"])
    assert engineer.tickets.notifications(ticket["id"])[0]["status"] == "queued"
    mail.store_password(settings, SMTP_PASSWORD)
    assert engineer.mail.send_pending(ticket["id"]).sent == 1
    assert len(smtp_server.messages) == 1


def test_a_wrong_smtp_password_is_a_failed_notice_with_the_servers_answer(resolved, configure, smtp_server):
    engineer, ticket = resolved
    settings = configure(username=SMTP_USER)
    mail.store_password(settings, "wrong")
    assert engineer.mail.send_pending(ticket["id"]).failed == 1
    assert "535" in engineer.tickets.notifications(ticket["id"])[0]["error"]
    assert smtp_server.messages == []


def test_the_smtp_password_is_never_stored_in_the_database(admin, configure):
    configure(username=SMTP_USER)
    assert "password" not in admin.settings.smtp().as_values()


def test_a_salesperson_cannot_send_notices(login, configure):
    configure()
    with pytest.raises(PermissionDenied):
        login("sales1").mail.send_pending()


def test_admin_sends_a_test_message(admin, configure, smtp_server):
    configure()
    admin.mail.send_test("boss@example.com")
    assert smtp_server.envelopes[0][1] == ["boss@example.com"]


def test_the_mail_job_sends_what_is_queued(resolved, configure, smtp_server, profile, monkeypatch, capsys):
    _engineer, ticket = resolved
    configure(username=SMTP_USER)
    monkeypatch.setenv("CRM_DATABASE_URL", url_of(profile))
    monkeypatch.setenv(mail.PASSWORD_ENV, SMTP_PASSWORD)
    assert main(["mail", "send", "--lang", "en"]) == 0
    assert "Sent 1, failed 0" in capsys.readouterr().out
    assert [m["To"] for m in smtp_server.messages] == ["wang@example.com"]


def test_a_server_without_starttls_is_explained_in_words_with_what_to_change(admin, configure, caplog):
    configure(security="starttls")  # the test server offers no STARTTLS
    with pytest.raises(ConfigurationError) as info:
        admin.mail.send_test("boss@example.com")
    zh, en = info.value.text("zh_CN"), info.value.text("en")
    assert zh.startswith("测试邮件没有发出。") and "加密方式" in zh and "SSL/TLS" in zh
    assert "SMTPNotSupportedError" not in zh and "extension" not in zh  # no Python or server English
    assert "Set Security to SSL/TLS" in en
    assert "SMTPNotSupportedError" in caplog.text  # the detail is in the log


def test_wrong_smtp_password_is_explained_in_words(admin, configure):
    configure(username=SMTP_USER)
    with pytest.raises(ConfigurationError) as info:
        admin.mail.send_test("boss@example.com", password="wrong")
    assert "用户名或密码不正确" in info.value.text("zh_CN")
