"""Ticket log entries and notice results are audited; sending re-reads the account (issue 11, item 15)."""

from __future__ import annotations

import pytest

from crm_core import PermissionDenied
from tests.helpers import version_of
from tests.integration.test_mail import configure, resolved  # noqa: F401 - fixtures
from tests.mailserver import fake_keyring, free_port, smtp_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("fake_keyring")


def _entries(admin, ticket_id, action):
    return [e for e in admin.audit.list(module="tickets", record_id=ticket_id).rows if e["action"] == action]


def test_a_log_entry_is_audited_with_who_and_what(admin, login, make_customer):
    customer = make_customer()
    service = login("service1")
    ticket = service.tickets.create({"customer_id": customer["id"], "feedback_type": "complaint",
                                     "description": "打印机不出纸"})

    entry = service.tickets.add_log(ticket["id"], "已远程重启打印服务")

    [audit] = _entries(admin, ticket["id"], "log")
    assert audit["after"]["content"] == "已远程重启打印服务"
    assert audit["after"]["log_entry_id"] == entry["id"]
    assert audit["actor_id"] == service.actor.user_id


def test_a_sent_notice_is_audited_on_its_ticket(admin, resolved, configure, smtp_server):
    engineer, ticket = resolved
    configure()

    assert engineer.mail.send_pending(ticket["id"]).sent == 1

    [audit] = _entries(admin, ticket["id"], "notify")
    assert (audit["before"]["status"], audit["after"]["status"]) == ("sending", "sent")  # claimed, then sent
    assert audit["after"]["recipient"] == "wang@example.com"
    assert audit["actor_id"] == engineer.actor.user_id


def test_a_failed_notice_is_audited_too(admin, resolved, configure, smtp_server):
    engineer, ticket = resolved
    configure()
    smtp_server.refuse = True

    assert engineer.mail.send_pending(ticket["id"]).failed == 1

    [audit] = _entries(admin, ticket["id"], "notify")
    assert audit["after"]["status"] == "failed"


def test_sending_notices_checks_the_role_the_account_has_now(admin, resolved):
    engineer, ticket = resolved
    me = engineer.actor.user_id
    admin.users.update(me, {"role": "sales"}, version=version_of(admin.users, me))  # sales may not update tickets

    with pytest.raises(PermissionDenied):
        engineer.mail.send_pending(ticket["id"])

    assert admin.tickets.notifications(ticket["id"])[0]["status"] == "queued"
