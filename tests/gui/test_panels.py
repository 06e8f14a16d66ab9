"""The action panels of tickets, licenses and contracts, as a user drives them (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from crm_desktop.forms import RecordForm
from crm_desktop.grid import dictionary_labels
from crm_desktop.panels.attachments import AttachmentsPanel
from crm_desktop.panels.licenses import LicenseMachinesPanel
from tests.gui.helpers import WAIT

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"




@pytest.fixture
def ticket(admin, make_customer):
    customer = make_customer()
    submitter = admin.submitters.create({"customer_id": customer["id"], "name": "张伟", "email": "zhangwei@example.com",
                                         "store": "朝阳门店"})
    return admin.tickets.create({"customer_id": customer["id"], "submitter_id": submitter["id"],
                                 "feedback_type": "complaint", "description": "收银机打印小票时卡纸"})


def open_ticket_form(qtbot, session, ticket_id: int, lang: str = "en") -> RecordForm:
    """A ticket's form, loaded, with its panel loaded too."""
    form = RecordForm(session.tickets, services_lookup=lambda m: getattr(session, m), lang=lang,
                      labels=dictionary_labels(session.dictionary.entries()), record_id=ticket_id)
    qtbot.addWidget(form)
    with qtbot.waitSignal(form.loaded, timeout=WAIT):
        form.show()
    panel = form.panel
    assert panel is not None and panel.parent() is not None
    qtbot.waitUntil(lambda: not panel.busy and panel.ticket is not None and panel.engineer_combo.count() > 0,
                    timeout=WAIT)
    return form


def act(qtbot, panel, button) -> None:
    """Click ``button`` and wait until the panel has reloaded."""
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        button.click()
    qtbot.waitUntil(lambda: not panel.busy, timeout=WAIT)


def fail(qtbot, panel, button) -> None:
    """Click ``button`` and wait for the inline error."""
    button.click()
    qtbot.waitUntil(lambda: not panel.busy and bool(panel.message()), timeout=WAIT)


def test_ticket_workflow_through_the_panel(qtbot, admin, login, ticket, settle):
    engineer = login("engineer1", name="李工")
    form = open_ticket_form(qtbot, admin, ticket["id"])
    panel = form.panel
    assert panel.assign_button.isVisible() and not panel.close_button.isVisible()
    panel.engineer_combo.setCurrentIndex(panel.engineer_combo.findText("李工"))
    with qtbot.waitSignal(form.saved, timeout=WAIT) as signal:  # announced: the grid behind shows it
        panel.assign_button.click()
    assert signal.args[0]["status"] == "in_progress"
    assert form.editors["status"].value() == "in_progress"  # the form took the new version
    assert form.record["version"] == signal.args[0]["version"]
    qtbot.waitUntil(lambda: not panel.busy, timeout=WAIT)

    # The engineer works on it in his own session.
    form2 = open_ticket_form(qtbot, engineer, ticket["id"])
    panel2 = form2.panel
    panel2.log_edit.setText("电话联系客户，更换打印头")
    act(qtbot, panel2, panel2.log_button)
    assert "电话联系客户，更换打印头" in [panel2.log_table.item(r, 2).text() for r in range(panel2.log_table.rowCount())]
    assert panel2.log_table.item(panel2.log_table.rowCount() - 1, 1).text() == "李工"
    assert panel2.log_edit.text() == ""
    assert panel2.log_table.item(0, 2).text() == "assigned to 李工"  # crm_core's bilingual entry, in English

    fail(qtbot, panel2, panel2.resolve_button)  # no result given
    assert panel2.message() == "Result: is required to resolve"
    assert engineer.tickets.get(ticket["id"])["status"] == "in_progress"

    panel2.result_edit.setText("已更换打印头，测试正常")
    act(qtbot, panel2, panel2.resolve_button)
    assert panel2.ticket["status"] == "resolved"
    # No mail server is set up: the panel says the notice waits (sending is tested in test_mail_ui).
    qtbot.waitUntil(lambda: panel2.message() != "", timeout=WAIT)
    assert panel2.message().startswith("No mail server is set up yet")
    assert panel2.notice_table.rowCount() == 1
    assert panel2.notice_table.item(0, 0).text() == "zhangwei@example.com"
    assert panel2.notice_table.item(0, 1).text() == "Queued"
    assert panel2.close_button.isVisible() and not panel2.resolve_button.isVisible()

    panel2.satisfaction_combo.setCurrentIndex(panel2.satisfaction_combo.findData(5))
    act(qtbot, panel2, panel2.close_button)
    stored = engineer.tickets.get(ticket["id"])
    assert stored["status"] == "closed" and stored["satisfaction"] == 5
    assert panel2.reopen_button.isVisible() and not panel2.log_button.isVisible()

    fail(qtbot, panel2, panel2.reopen_button)  # a reason is required
    assert panel2.message() == "Reason: is required"
    panel2.reason_edit.setText("客户反映问题再次出现")
    act(qtbot, panel2, panel2.reopen_button)
    stored = engineer.tickets.get(ticket["id"])
    assert stored["status"] == "in_progress" and stored["satisfaction"] is None
    assert panel2.resolve_button.isVisible()


def test_stale_ticket_version_is_reloaded_with_a_message(qtbot, admin, login, ticket, settle):
    login("engineer1")  # someone to assign: the combo lists engineers
    form = open_ticket_form(qtbot, admin, ticket["id"])
    panel = form.panel
    admin.tickets.add_log(ticket["id"], "别处添加的记录")  # someone else moves the version on
    panel.result_edit.setText("已处理")
    act(qtbot, panel, panel.resolve_button)
    assert "changed this record" in panel.message()
    assert panel.ticket["version"] == admin.tickets.get(ticket["id"])["version"]
    act(qtbot, panel, panel.resolve_button)  # the second try uses the reloaded version
    assert panel.ticket["status"] == "resolved"


def test_license_machines_up_to_the_seats(qtbot, admin, make_customer, settle):
    customer = make_customer()
    lic = admin.licenses.create({"customer_id": customer["id"], "serial": "SN-2024-0001", "seats": 2,
                                 "valid_from": dt.date.today()})
    panel = LicenseMachinesPanel(admin, lic["id"], "en")
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.license is not None and not panel.busy, timeout=WAIT)
    assert panel.seats_label.text() == "Seats used: 0 / 2"
    for n in (1, 2):
        panel.name_edit.setText(f"前台电脑{n}")
        panel.fingerprint_edit.setText(f"FP-{n:04d}")
        act(qtbot, panel, panel.add_button)
    assert panel.seats_label.text() == "Seats used: 2 / 2" and panel.table.rowCount() == 2
    panel.name_edit.setText("前台电脑3")
    panel.fingerprint_edit.setText("FP-0003")
    fail(qtbot, panel, panel.add_button)
    assert panel.message() == "All 2 seats are in use (2/2); release a machine or buy more seats"
    assert panel.name_edit.text() == "前台电脑3"  # kept for the next try
    assert not panel.release_button.isEnabled()
    panel.table.selectRow(0)
    with qtbot.waitSignal(panel.changed, timeout=WAIT) as signal:
        panel.release_button.click()
    assert signal.args[0]["seats_used"] == 1
    assert panel.seats_label.text() == "Seats used: 1 / 2" and panel.table.item(0, 0).text() == "前台电脑2"
    act(qtbot, panel, panel.add_button)
    assert [m["machine_name"] for m in admin.licenses.machines(lic["id"])] == ["前台电脑2", "前台电脑3"]


def test_license_form_shows_the_machines_panel_and_keeps_its_version(qtbot, admin, make_customer, settle):
    customer = make_customer()
    lic = admin.licenses.create({"customer_id": customer["id"], "serial": "SN-2024-0002", "seats": 3,
                                 "valid_from": dt.date.today()})
    form = RecordForm(admin.licenses, services_lookup=lambda m: getattr(admin, m), lang="en", labels={},
                      record_id=lic["id"])
    qtbot.addWidget(form)
    with qtbot.waitSignal(form.loaded, timeout=WAIT):
        form.show()
    panel = form.panel
    assert isinstance(panel, LicenseMachinesPanel)
    qtbot.waitUntil(lambda: panel.license is not None and not panel.busy, timeout=WAIT)
    form.editors["notes"].set_value("前台三台电脑")  # typed, not saved yet
    panel.name_edit.setText("财务电脑")
    panel.fingerprint_edit.setText("FP-CW-01")
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        panel.add_button.click()
    assert form.record["version"] == admin.licenses.get(lic["id"])["version"]
    assert form.editors["notes"].value() == "前台三台电脑"  # what the user typed stays
    with qtbot.waitSignal(form.saved, timeout=WAIT):
        form.save()  # no conflict: the form took the version the panel moved on to
    assert admin.licenses.get(lic["id"])["notes"] == "前台三台电脑"


def test_contract_attachments_add_save_as_limit_remove(qtbot, admin, make_customer, tmp_path, settle):
    customer = make_customer()
    contract = admin.contracts.create({"number": "HT-2024-001", "customer_id": customer["id"],
                                       "signed_on": dt.date.today(), "amount": "10000.00"})
    panel = AttachmentsPanel(admin, contract["id"], "en")
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.contract is not None and not panel.busy, timeout=WAIT)
    source = tmp_path / "合同扫描件.pdf"
    content = os.urandom(300_000)
    source.write_bytes(content)
    panel.choose_file = lambda parent: str(source)
    act(qtbot, panel, panel.add_button)
    assert panel.table.rowCount() == 1 and panel.table.item(0, 0).text() == "合同扫描件.pdf"
    assert panel.table.item(0, 1).text() == "293.0 KB"

    target = tmp_path / "out" / "copy.pdf"
    target.parent.mkdir()
    panel.choose_save_path = lambda parent, name: str(target) if name == "合同扫描件.pdf" else ""
    panel.table.selectRow(0)
    panel.save_button.click()
    qtbot.waitUntil(lambda: not panel.busy and panel.message().startswith("Saved to"), timeout=WAIT)
    assert target.read_bytes() == content
    opened = []
    panel.open_path = opened.append
    panel.open_button.click()
    qtbot.waitUntil(lambda: bool(opened) and not panel.busy, timeout=WAIT)
    assert Path(opened[0]).name == "合同扫描件.pdf" and Path(opened[0]).read_bytes() == content

    big = tmp_path / "huge.bin"
    with big.open("wb") as f:
        f.truncate(21 * 1024 * 1024)
    panel.choose_file = lambda parent: str(big)
    fail(qtbot, panel, panel.add_button)
    assert panel.message() == "Attachment: the file is 21.0 MB, over the 20 MB limit"
    assert panel.table.rowCount() == 1

    panel.choose_file = lambda parent: ""  # cancelled: nothing happens
    panel.add_button.click()
    assert not panel.busy

    panel.table.selectRow(0)
    panel.remove_button.click()
    box = panel.remove_box
    assert box is not None and box.isVisible()
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: not panel.busy, timeout=WAIT)
    assert panel.table.rowCount() == 0 and admin.contracts.attachments(contract["id"]) == []


def test_forms_of_other_modules_have_no_panel(qtbot, admin, make_customer, settle):
    customer = make_customer()
    form = RecordForm(admin.customers, services_lookup=lambda m: getattr(admin, m), lang="en", labels={},
                      record_id=customer["id"])
    qtbot.addWidget(form)
    with qtbot.waitSignal(form.loaded, timeout=WAIT):
        form.show()
    assert form.panel is None


def test_render_ticket_panel_zh_cn(qtbot, admin, login, ticket, backend, zh_catalogue, settle):
    login("engineer1", name="李工")
    admin.tickets.add_log(ticket["id"], "已联系门店，约定明天上门检修")
    form = open_ticket_form(qtbot, admin, ticket["id"], lang="zh_CN")
    panel = form.panel
    assert panel.assign_button.text() == "指派工程师"
    panel.engineer_combo.setCurrentIndex(panel.engineer_combo.findText("李工"))
    act(qtbot, panel, panel.assign_button)
    panel.result_edit.setText("已更换打印头，测试打印正常")
    act(qtbot, panel, panel.resolve_button)
    assert panel.notice_table.item(0, 1).text() == "待发送"
    form.resize(1300, 700)  # as it opens on a 1366×768 screen: the panel beside the fields
    if backend == "sqlite" and os.environ.get("CRM_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        form.grab().save(str(SCREENSHOTS / "ticket_panel_zh_CN.png"))
    form.close()
