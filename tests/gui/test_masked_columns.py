"""A column the role reads masked offers no sorting: a click does nothing, its tooltip says why (issue 11, item 13).

The service still refuses such a sort (the rule holds on every path); the grid no longer
offers a click that can only end in a refusal message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, Qt, QTranslator
from PySide6.QtWidgets import QMessageBox

from crm_core.errors import PermissionDenied
from crm_core.lists import ListQuery

PENDING = Path(__file__).resolve().parents[2] / "ui" / "translations"


class _PendingStrings(QTranslator):
    """Translations of strings added since the catalogue was last brought up to date (pending_*.tsv)."""

    def __init__(self):
        super().__init__()
        self.texts = {}
        for tsv in PENDING.glob("pending_*.tsv"):
            for line in tsv.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    context, source, text = line.split("\t")
                    self.texts[(context, source)] = text

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: ARG002 - Qt's signature
        return self.texts.get((context, source))  # None: not ours, the next catalogue answers

    def isEmpty(self):  # noqa: N802 - Qt override
        return not self.texts


@pytest.fixture
def zh_strings(zh_catalogue):
    """The zh_CN catalogue plus the strings still waiting in pending_*.tsv (merged by update_catalogue.py)."""
    pending = _PendingStrings()
    QCoreApplication.installTranslator(pending)
    yield
    QCoreApplication.removeTranslator(pending)


def _error_box(page):
    boxes = [b for b in page.findChildren(QMessageBox, "errorBox") if b.isVisible()]
    return boxes[-1] if boxes else None


def _click_heading(qtbot, page, column):
    header = page.view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_clicking_a_masked_column_does_nothing_and_its_tooltip_says_why(qtbot, login, make_customer, open_page):
    make_customer("杭州云帆网络科技有限公司", phone="13812345678")
    make_customer("上海海纳信息技术有限公司", phone="13912345678")
    engineer = login("engineer1")
    page = open_page(engineer)
    phone = page.model.column_of("phone")
    assert page.model.index(0, phone).data().count("*") == 4  # read masked: 138****5678
    header = page.view.horizontalHeader()
    before = header.sortIndicatorSection()
    with qtbot.assertNotEmitted(page.model.failed, wait=300), qtbot.assertNotEmitted(page.model.modelReset):
        _click_heading(qtbot, page, phone)
    assert header.sortIndicatorSection() == before != phone  # the arrow stays on the list's real order
    assert page.model.list_query().sort == () and _error_box(page) is None
    tip = page.model.headerData(phone, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert tip == "Phone is shown masked for your role, so the list cannot be sorted by it."
    name = page.model.column_of("name")
    assert page.model.headerData(name, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) is None
    with qtbot.waitSignal(page.model.modelReset):  # a readable column still sorts
        _click_heading(qtbot, page, name)
    assert header.sortIndicatorSection() == name and page.model.list_query().sort == ("name",)
    with pytest.raises(PermissionDenied):  # the service keeps refusing, whatever a client sends
        engineer.customers.list(ListQuery(sort=("phone",)))


def test_a_saved_sort_on_a_masked_column_is_left_out(qtbot, login, make_customer, open_page):
    make_customer("杭州云帆网络科技有限公司", phone="13812345678")
    page = open_page(login("engineer1"))
    with qtbot.assertNotEmitted(page.model.failed, wait=300):
        page.columns.sort_by("-phone")  # e.g. a named view saved before the role changed
    assert page.model.list_query().sort == ()
    assert page.view.horizontalHeader().sortIndicatorSection() != page.model.column_of("phone")


def test_the_masked_column_tooltip_in_chinese(qtbot, login, make_customer, open_page, zh_strings):
    make_customer("杭州云帆网络科技有限公司", phone="13812345678")
    page = open_page(login("engineer1"), lang="zh_CN")
    phone = page.model.column_of("phone")
    tip = page.model.headerData(phone, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert tip == "您的角色只能看到部分“电话”，不能按此列排序。"


def test_an_administrator_reads_phones_whole_and_is_told_no_index_sorts_them(qtbot, admin, make_customer,
                                                                            open_page):
    make_customer("杭州云帆网络科技有限公司", phone="13812345678")
    page = open_page(admin)
    phone = page.model.column_of("phone")
    tip = page.model.headerData(phone, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "masked" not in tip and "read every one" in tip  # not masked for him; no index sorts it
    code = page.model.column_of("code")
    with qtbot.waitSignal(page.model.modelReset):
        _click_heading(qtbot, page, code)
    assert page.model.list_query().sort == ("code",)
