"""Forms and panels offer only what the role may do: a clerk who may only look is told so up front."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_desktop.forms import RecordForm
from tests.gui.helpers import WAIT




@pytest.fixture
def license_id(admin, make_customer):
    customer = make_customer()
    return admin.licenses.create({"customer_id": customer["id"], "serial": "SN-9", "seats": 2,
                                  "valid_from": dt.date.today()})["id"]


def open_license(qtbot, session, license_id: int) -> RecordForm:
    form = RecordForm(session.licenses, services_lookup=lambda m: getattr(session, m), lang="en", labels={},
                      record_id=license_id)
    qtbot.addWidget(form)
    with qtbot.waitSignal(form.loaded, timeout=WAIT):
        form.show()
    qtbot.waitUntil(lambda: form.panel.license is not None and not form.panel.busy, timeout=WAIT)
    return form


def test_a_service_clerk_sees_a_license_read_only_with_the_reason(qtbot, login, license_id, settle):
    form = open_license(qtbot, login("service1"), license_id)
    assert form.read_only and not form.save_button.isVisible()
    assert form.banner.isVisible() and form.banner.text() == "Your role may view this record but not change it."
    assert form.editable_fields() == []  # nothing to type into, nothing to send
    panel = form.panel
    assert not panel.may_act and panel.view_only_label.isVisible()
    assert not panel.add_button.isEnabled() and not panel.name_edit.isEnabled()


def test_an_engineer_may_add_machines(qtbot, login, license_id, settle):
    form = open_license(qtbot, login("engineer1"), license_id)
    panel = form.panel
    assert panel.may_act and not panel.view_only_label.isVisible()
    assert panel.add_button.isEnabled() and form.save_button.isVisible()


def test_a_salesperson_sees_a_ticket_without_its_processing_actions(qtbot, admin, login, make_customer, settle):
    sales = login("sales1")
    customer = sales.customers.create({"name": "销售一的客户有限公司"})
    ticket = sales.tickets.create({"customer_id": customer["id"], "feedback_type": "complaint",
                                   "description": "无法登录"})
    form = RecordForm(sales.tickets, services_lookup=lambda m: getattr(sales, m), lang="en", labels={},
                      record_id=ticket["id"])
    qtbot.addWidget(form)
    with qtbot.waitSignal(form.loaded, timeout=WAIT):
        form.show()
    panel = form.panel
    qtbot.waitUntil(lambda: panel.ticket is not None and not panel.busy, timeout=WAIT)
    assert not panel.log_button.isVisible() and not panel.resolve_button.isVisible()
    assert panel.view_only_label.isVisible()


def test_may_answers_as_the_service_would(login):
    service, engineer = login("service1"), login("engineer1")
    assert not service.licenses.may("update") and engineer.licenses.may("update")
    assert service.tickets.may("delete") and not engineer.tickets.may("delete")
    assert not service.users.may("create") and service.users.may("read")
