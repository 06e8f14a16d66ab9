"""Which sheet of a workbook an import opens by itself: the list, not notes, a summary, a hidden or damaged sheet."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import Workbook

from crm_core.errors import ValidationError
from crm_core.importing import columns
from crm_core.importing.reader import read_table
from crm_core.importing.service import _known
from crm_core.modules import contacts, customers

KNOWN = _known(columns.targets(customers.SPEC, contacts.SPEC, []))


def _book(path, sheets, hidden=()):
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        if title in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def _sheet(path):
    return read_table(path, known=KNOWN).sheet


NOTES = ("说明", [["本文件由销售部整理，请勿外传"]])


def test_a_summary_after_the_list_is_not_opened_instead_of_it(tmp_path):
    # the list's header names one known field (手机), the pivot's two (销售, 客户): the list is still the list
    path = _book(tmp_path / "a.xlsx", [("客户", [["公司全称XX", "对接人", "手机"], ["甲公司", "王", "13800000000"]]),
                                       ("按销售汇总", [["销售", "客户", "数量"], ["张伟", "甲公司", 3]])])
    assert _sheet(path) == "客户"


def test_behind_notes_the_sheet_naming_the_most_fields_is_opened_the_first_of_equals(tmp_path):
    few = ("2025", [["客户名称", "电话"], ["甲", "13800000000"]])
    more = ("2026", [["客户名称", "电话", "邮箱"], ["乙", "13800000001", "b@example.cn"]])
    assert _sheet(_book(tmp_path / "a.xlsx", [NOTES, few, more])) == "2026"
    assert _sheet(_book(tmp_path / "b.xlsx", [NOTES, more, ("2027", more[1])])) == "2026"


def test_a_hidden_sheet_is_not_opened_by_itself(tmp_path):
    hidden = ("旧名单", [["客户名称", "电话", "邮箱", "地址"], ["甲", "13800000000", "a@example.cn", "杭州"]])
    shown = ("名单", [["客户名称", "电话"], ["乙", "13800000001"]])
    assert _sheet(_book(tmp_path / "a.xlsx", [NOTES, hidden, shown], hidden={"旧名单"})) == "名单"


def _damage_sheet(path, number):
    """The workbook with sheet ``number``'s XML cut off half-way (its zip still valid)."""
    damaged = path.with_name("damaged-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == f"xl/worksheets/sheet{number}.xml":
                data = data[:len(data) // 2]
            out.writestr(item, data)
    return damaged


def test_a_later_sheet_that_cannot_be_read_does_not_make_the_file_damaged(tmp_path):
    listed = ("名单", [["客户名称", "电话"], ["乙", "13800000001"]])
    junk = ("数据", [["客户名称", "电话", "邮箱"]] + [[f"丙{i}", "13800000002", "c@example.cn"] for i in range(50)])
    assert _sheet(_damage_sheet(_book(tmp_path / "a.xlsx", [NOTES, junk, listed]), 2)) == "名单"
    assert _sheet(_damage_sheet(_book(tmp_path / "b.xlsx", [NOTES, junk]), 2)) == "说明"  # the first, as before


def test_a_damaged_first_sheet_is_still_reported(tmp_path):
    path = _damage_sheet(_book(tmp_path / "a.xlsx", [("名单", [["客户名称", "电话"]] * 50)]), 1)
    with pytest.raises(ValidationError) as info:
        read_table(path, known=KNOWN)
    assert info.value.errors[0].code == "unreadable"
