"""Sorting a grid by a column the role reads masked is refused with a message naming it (issue 11, item 13)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.gui.helpers import WAIT


def _error_box(page):
    boxes = [b for b in page.findChildren(QMessageBox, "errorBox") if b.isVisible()]
    return boxes[-1] if boxes else None


def test_an_engineer_sorting_customers_by_phone_is_told_the_phone_is_masked(qtbot, login, make_customer,
                                                                            open_page):
    make_customer("杭州云帆网络科技有限公司", phone="13812345678")
    make_customer("上海海纳信息技术有限公司", phone="13912345678")
    page = open_page(login("engineer1"))
    with qtbot.waitSignal(page.model.failed, timeout=WAIT) as failed:
        page.model.sort(page.model.column_of("phone"), Qt.SortOrder.DescendingOrder)

    assert "'Phone' is masked for your role" in failed.args[0].message.en
    qtbot.waitUntil(lambda: _error_box(page) is not None, timeout=WAIT)
    box = _error_box(page)
    assert box.windowTitle() == "Not allowed" and "Phone" in box.text() and "sort" in box.text()
