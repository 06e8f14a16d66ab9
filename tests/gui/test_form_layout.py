"""Forms laid out for the work: workflow panels on screen at 1366×768, system fields as text."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QWidget

from crm_desktop.forms import RecordForm
from crm_desktop.grid import dictionary_labels
from tests.gui.helpers import WAIT

SCREEN = QRect(0, 0, 1366, 768)




def open_form(qtbot, session, module: str, record_id: int | None = None, lang: str = "en") -> RecordForm:
    form = RecordForm(getattr(session, module), services_lookup=lambda m: getattr(session, m), lang=lang,
                      labels=dictionary_labels(session.dictionary.entries()), record_id=record_id)
    qtbot.addWidget(form)
    if record_id is None:
        form.show()
        return form
    with qtbot.waitSignal(form.loaded, timeout=WAIT):
        form.show()
    form.move(0, 0)
    return form


def on_screen(form: RecordForm, widget: QWidget) -> bool:
    """The widget is shown and wholly inside the form, and the form inside a 1366×768 screen."""
    top_left = widget.mapTo(form, QPoint(0, 0))
    inside = form.rect().contains(QRect(top_left, widget.size()))
    return widget.isVisible() and inside and form.width() <= SCREEN.width() and form.height() <= SCREEN.height() - 60


def test_ticket_processing_buttons_are_on_screen_without_scrolling(qtbot, admin, make_customer, settle):
    customer = make_customer()
    ticket = admin.tickets.create({"customer_id": customer["id"], "feedback_type": "complaint",
                                   "description": "收银机打印小票时卡纸"})
    form = open_form(qtbot, admin, "tickets", ticket["id"])
    panel = form.panel
    qtbot.waitUntil(lambda: not panel.busy and panel.ticket is not None, timeout=WAIT)
    for button in (panel.assign_button, panel.log_button, panel.resolve_button):
        assert on_screen(form, button), button.text()


def test_license_machines_and_contract_files_are_on_screen(qtbot, admin, make_customer, settle):
    customer = make_customer()
    lic = admin.licenses.create({"customer_id": customer["id"], "serial": "SN-1", "seats": 2,
                                 "valid_from": dt.date.today()})
    form = open_form(qtbot, admin, "licenses", lic["id"])
    qtbot.waitUntil(lambda: form.panel.license is not None and not form.panel.busy, timeout=WAIT)
    for widget in (form.panel.add_button, form.panel.name_edit, form.panel.fingerprint_edit):
        assert on_screen(form, widget)
    assert form.panel.table.height() >= 120  # room for several machines, not a 40-pixel strip
    contract = admin.contracts.create({"number": "HT-1", "customer_id": customer["id"],
                                       "signed_on": dt.date.today(), "amount": "100.00"})
    form = open_form(qtbot, admin, "contracts", contract["id"])
    qtbot.waitUntil(lambda: form.panel.contract is not None and not form.panel.busy, timeout=WAIT)
    assert on_screen(form, form.panel.add_button) and form.panel.table.height() >= 120


def test_a_new_ticket_leaves_out_what_a_later_step_fills_in(qtbot, admin, settle):
    form = open_form(qtbot, admin, "tickets")
    for name in ("satisfaction", "result", "resolved_at", "closed_at", "engineer_id"):
        assert not form.editors[name].isVisible() and not form.field_labels[name].isVisible(), name
    assert form.editors["status"].isVisible() and form.editors["status"].currentText() == "Open"
    assert form.editors["number"].placeholderText() == "Generated when saved"
    assert "status" not in form.values()  # shown, never sent: the service sets it


def test_a_new_customer_shows_where_it_starts_and_fields_sit_in_two_columns(qtbot, admin, settle):
    form = open_form(qtbot, admin, "customers")
    status = form.editors["status"]
    assert status.currentText() == "Prospect" and status.property("systemField") is True
    name, phone = form.field_cells["name"], form.field_cells["phone"]
    level = form.field_cells["level"]
    # Short fields side by side: some field shares a row with another.
    rows = {}
    for field, cell in form.field_cells.items():
        if cell.isVisible():
            rows.setdefault(cell.mapTo(form, QPoint(0, 0)).y(), []).append(field)
    assert any(len(fields) == 2 for fields in rows.values())
    assert name.isVisible() and phone.isVisible() and level.isVisible()
    assert form.height() <= SCREEN.height() - 60
