"""The grid sends the version it shows with Delete and the bulk actions (issue 11, item 14)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QMessageBox

from tests.gui.helpers import WAIT


def _select(page, record_ids) -> None:
    selection = page.view.selectionModel()
    selection.clearSelection()
    for rid in record_ids:
        index = page.model.index(page.model.row_of(rid), 0)
        selection.select(index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)


def _box(page, name):
    boxes = [b for b in page.findChildren(QMessageBox, name) if b.isVisible()]
    return boxes[-1] if boxes else None


def test_deleting_a_row_someone_changed_since_it_was_shown_is_refused(qtbot, admin, make_customer, open_page):
    customer = make_customer("杭州云帆网络科技有限公司")
    page = open_page(admin)
    admin.customers.update(customer["id"], {"level": "A"}, version=customer["version"])  # a colleague saves
    _select(page, [customer["id"]])

    page.bulk.ask_delete().button(QMessageBox.StandardButton.Yes).click()

    qtbot.waitUntil(lambda: _box(page, "errorBox") is not None, timeout=WAIT)
    assert _box(page, "errorBox").windowTitle() == "Changed by someone else"
    assert admin.customers.get(customer["id"])["level"] == "A"


def test_bulk_deactivate_names_each_row_someone_changed(qtbot, admin, make_customer, open_page):
    a, b = make_customer("甲公司"), make_customer("乙公司")
    page = open_page(admin)
    admin.customers.update(b["id"], {"level": "B"}, version=b["version"])
    _select(page, [a["id"], b["id"]])
    dialog = page.bulk.ask_deactivate()
    dialog.text_edit.setText("公司已注销")

    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()

    qtbot.waitUntil(lambda: _box(page, "bulkFailuresBox") is not None, timeout=WAIT)
    assert "乙公司" in _box(page, "bulkFailuresBox").informativeText()
    assert "甲公司" not in _box(page, "bulkFailuresBox").informativeText()
    assert admin.customers.get(a["id"])["is_active"] is False
    assert admin.customers.get(b["id"])["is_active"] is True


def test_bulk_assign_reports_the_row_someone_changed_and_assigns_none(qtbot, admin, login, make_customer, open_page):
    a, b = make_customer("甲公司"), make_customer("乙公司")
    sales = login("sales1")
    page = open_page(admin)
    page.bulk.set_users([(sales.actor.user_id, "销售一")])
    admin.customers.update(a["id"], {"level": "B"}, version=a["version"])
    _select(page, [a["id"], b["id"]])

    page.bulk.ask_assign().accept()

    qtbot.waitUntil(lambda: _box(page, "bulkFailuresBox") is not None, timeout=WAIT)
    assert "甲公司" in _box(page, "bulkFailuresBox").informativeText()
    assert sales.customers.count() == 0
