"""Clicking 创建时间 sorts a module grid oldest first, and again newest first (the service sorts it as the id).

The grids show their default order, newest first, as the arrow on 创建时间; the heading used to do
nothing when clicked in every module but customers (EntitySpec.sorts_as, EntitySpec.offered_sorts).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.gui.helpers import WAIT

NAMES = ("张伟", "李娜", "王芳", "刘洋", "陈静")  # saved in this order: 张伟 the oldest


@pytest.fixture
def contacts(admin, make_customer):
    customer = make_customer("杭州云帆网络科技有限公司")
    for name in NAMES:
        admin.contacts.create({"customer_id": customer["id"], "name": name})


def _click_heading(qtbot, page, column):
    header = page.view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    with qtbot.waitSignal(page.model.modelReset, timeout=WAIT):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def _names(qtbot, page) -> list[str]:
    name = page.model.column_of("name")
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() == len(NAMES)
                    and bool(page.model.index(0, name).data()), timeout=WAIT)
    return [page.model.index(r, name).data() for r in range(page.model.rowCount())]


def _arrow(page) -> tuple[int, Qt.SortOrder]:
    header = page.view.horizontalHeader()
    return header.sortIndicatorSection(), header.sortIndicatorOrder()


def test_clicking_created_flips_the_contacts_grid_between_oldest_and_newest_first(qtbot, admin, contacts, open_page):
    page = open_page(admin, module="contacts")
    created = page.model.column_of("created_at")
    assert page.model.sortable(created)
    assert page.model.headerData(created, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) is None
    assert _arrow(page) == (created, Qt.SortOrder.DescendingOrder)  # the default order, newest first
    assert _names(qtbot, page) == list(reversed(NAMES))

    _click_heading(qtbot, page, created)

    assert _names(qtbot, page)[0] == "张伟"  # the oldest record on top
    assert _names(qtbot, page) == list(NAMES)
    assert _arrow(page) == (created, Qt.SortOrder.AscendingOrder)
    assert page.model.list_query().sort == ("created_at",)

    _click_heading(qtbot, page, created)

    assert _names(qtbot, page) == list(reversed(NAMES))
    assert _arrow(page) == (created, Qt.SortOrder.DescendingOrder)
    assert page.model.list_query().sort == ("-created_at",)


def test_a_remembered_oldest_first_sort_comes_back(qtbot, admin, contacts, open_page):
    page = open_page(admin, module="contacts")
    _click_heading(qtbot, page, page.model.column_of("created_at"))
    assert _names(qtbot, page)[0] == "张伟"

    again = open_page(admin, module="contacts")  # the same user's settings ("views/admin/contacts/sort")

    assert again.model.list_query().sort == ("created_at",)
    assert _names(qtbot, again) == list(NAMES)
    assert _arrow(again) == (again.model.column_of("created_at"), Qt.SortOrder.AscendingOrder)
