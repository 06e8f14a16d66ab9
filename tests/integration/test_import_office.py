"""An office's own customer list: title rows, merged cells, its own column names, values and date forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook

from crm_core.errors import PermissionDenied

HEADER = ["序号", "客户名称", "客户等级", "行业", "联系电话", "邮箱", "地址", "备注"]


def office_workbook(path, rows, *, header=HEADER):
    """Sheet 1 is a note; sheet 2 the list: a merged title, a blank row, a date line, then the header."""
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["本文件由销售部整理，请勿外传"])
    ws = wb.create_sheet("客户名单")
    ws["A1"] = "华东区客户名单（2024 年度）"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append([])
    ws.append(["制表日期：2024年5月3日", None, None, None, None, None, "单位：元"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def office_row(i, **over):
    values = {"no": i, "name": f"杭州办公{i:03d}有限公司", "level": "A", "industry": "制造业", "phone": f"1391234{i:04d}",
              "email": f"sales{i}@example.cn", "address": "杭州市西湖区", "notes": ""}
    values.update(over)
    return list(values.values())


def test_header_under_a_merged_title_is_found_and_usual_names_are_mapped(admin, tmp_path):
    path = office_workbook(tmp_path / "客户.xlsx", [office_row(1), office_row(2)])
    source = admin.imports.open_file(path, "customers", sheet="客户名单")
    assert (source.sheets, source.sheet, source.header_row, source.headers) == (["说明", "客户名单"], "客户名单", 4, HEADER)
    assert source.row_count == 2 and source.top_rows[0][0] == "华东区客户名单（2024 年度）"
    mapping = admin.imports.auto_mapping("customers", source.headers)
    assert mapping == {0: None, 1: "name", 2: "level", 3: "industry", 4: "phone", 5: "email", 6: "address", 7: "notes"}
    check = admin.imports.check("customers", path, mapping, sheet="客户名单")
    assert (check.total_rows, check.valid_rows, check.errors) == (2, 2, [])


def test_the_user_picks_another_header_row_and_rows_keep_their_sheet_numbers(admin, tmp_path):
    path = office_workbook(tmp_path / "c.xlsx", [office_row(1), office_row(2, phone="12345")])
    with pytest.raises(Exception) as info:
        admin.imports.open_file(path, "customers", sheet="没有这页")
    assert "没有名为“没有这页”的工作表" in info.value.errors[0].message.zh
    picked = admin.imports.open_file(path, "customers", sheet="客户名单", header_row=3)  # the date line, wrongly
    assert picked.header_row == 3 and picked.headers[0] == "制表日期：2024年5月3日"
    mapping = admin.imports.auto_mapping("customers", HEADER)
    check = admin.imports.check("customers", path, mapping, sheet="客户名单", header_row=4)
    assert [(e.row, e.column, e.field) for e in check.errors] == [(6, 4, "phone")]
    assert check.errors[0].message.zh.startswith("电话：“12345”不是有效的手机号")


def test_synonyms_in_english_and_full_width(admin):
    mapping = admin.imports.auto_mapping("customers", ["Customer name", "E-mail", "Ｔｅｌ", "电子邮件", "Level", "公司名称"])
    # exact labels win wherever they stand; a second e-mail column is the contact's
    assert mapping == {0: None, 1: "email", 2: "phone", 3: "contacts.email", 4: "level", 5: "name"}


def test_zh_labels_read_as_a_clerk_says_them(admin):
    labels = {f.name: f.label.zh for f in admin.imports.fields("customers")}
    assert labels["email"] == "邮箱"
    assert {f.name: f.label.zh for f in admin.imports.fields("contacts")}["email"] == "邮箱"


def test_unknown_dictionary_values_are_listed_once_and_mapped(admin, tmp_path):
    rows = [office_row(1, industry="IT/互联网"), office_row(2, industry="IT/互联网", level="重要"),
            office_row(3, industry="零售业"), office_row(4, industry="it/互联网")]
    path = office_workbook(tmp_path / "c.xlsx", rows)
    mapping = admin.imports.auto_mapping("customers", HEADER)
    unknown = admin.imports.unknown_values("customers", path, mapping, sheet="客户名单")
    assert sorted((u.field, u.text, u.count, u.first_row) for u in unknown) == [
        ("industry", "IT/互联网", 3, 5), ("industry", "零售业", 1, 7), ("level", "重要", 1, 6)]
    assert ("it", "信息技术") in admin.imports.choices("customers", "industry", "zh_CN")
    code = admin.imports.add_choice("customers", "industry", "零售业", "Retail trade")
    value_map = {"industry": {"IT/互联网": "it"}, "level": {"重要": "A"}}
    assert admin.imports.unknown_values("customers", path, mapping, sheet="客户名单", value_map=value_map) == []
    check = admin.imports.check("customers", path, mapping, sheet="客户名单", value_map=value_map)
    assert (check.valid_rows, check.errors) == (4, [])
    admin.imports.run("customers", path, mapping, sheet="客户名单", value_map=value_map)
    got = {r["name"]: (r["industry"], r["level"]) for r in admin.customers.list().rows}
    assert got["杭州办公001有限公司"] == ("it", "A") and got["杭州办公003有限公司"] == (code, "A")
    assert got["杭州办公002有限公司"] == ("it", "A")


def test_only_administrators_add_dictionary_entries(login):
    sales = login("sales1")
    with pytest.raises(PermissionDenied):
        sales.imports.add_choice("customers", "industry", "零售业")


def test_every_date_form_and_number_form_an_office_types(admin, make_customer, tmp_path):
    customer = make_customer("日期测试有限公司")
    forms = [45415, "45415", "2024/5/3", "2024-05-03", "2024年5月3日", "20240503", 20240503, dt.datetime(2024, 5, 3),
             "2024-05-03 00:00:00", "２０２４－０５－０３", "2024.5.3", "2024 年 5 月 3 日"]
    amounts = ["1,234,567.50", "１２３４５６７.５", "1 234 567.50", "¥1,234,567.50", "1234567.5元", 1234567.5,
               "1，234，567.50", "1234567.50", "1234567.50", "1234567.50", "1234567.50", "1234567.50"]
    headers = ["合同编号", "客户", "签订日期", "合同金额"]
    wb = Workbook()
    wb.active.append(headers)
    for i, (form, amount) in enumerate(zip(forms, amounts)):
        wb.active.append([f"D-{i}", customer["code"], form, amount])
    wb.save(tmp_path / "dates.xlsx")
    mapping = admin.imports.auto_mapping("contracts", headers)
    check = admin.imports.check("contracts", tmp_path / "dates.xlsx", mapping)
    assert check.errors == [] and check.valid_rows == len(forms)
    admin.imports.run("contracts", tmp_path / "dates.xlsx", mapping)
    rows = admin.contracts.list().rows
    assert {r["signed_on"] for r in rows} == {dt.date(2024, 5, 3)}
    assert {r["amount"] for r in rows} == {Decimal("1234567.50")}


def test_messages_quote_the_value_and_give_limit_and_length(admin, tmp_path):
    rows = [office_row(1, address="长" * 809, phone="12345", email="not-mail", level="Z")]
    path = office_workbook(tmp_path / "c.xlsx", rows)
    check = admin.imports.check("customers", path, admin.imports.auto_mapping("customers", HEADER), sheet="客户名单")
    messages = {e.field: e.message for e in check.errors}
    assert messages["address"].zh == f"地址：“{'长' * 30}…”长度 809，超过上限 200"
    assert messages["address"].en == f"Address: '{'长' * 30}…' length 809, over the limit of 200"
    assert messages["phone"].zh.startswith("电话：“12345”不是有效的")
    assert messages["email"].zh.startswith("邮箱：“not-mail”不是有效的电子邮箱") and "'not-mail'" in messages["email"].en
    assert messages["level"].zh.startswith("重要级别：“Z”不是可选值")


def test_the_list_is_opened_not_the_notes_sheet_before_it(admin, tmp_path):
    """客户名单.xlsx with "说明" first: the wizard shows the list, not the notes (the clerk may still pick a sheet)."""
    from tests.office_files import SALES_HEADER, SALES_HEADER_ROW, sales_list

    path = sales_list(tmp_path / "客户名单.xlsx", rows=20)
    source = admin.imports.open_file(path, "customers")
    assert (source.sheets, source.sheet, source.header_row) == (["说明", "客户名单"], "客户名单", SALES_HEADER_ROW)
    assert source.headers == SALES_HEADER and source.row_count == 20
    notes = admin.imports.open_file(path, "customers", sheet="说明")
    assert notes.sheet == "说明" and notes.headers == ["填表说明"]
    # a workbook where no sheet names our fields opens on its first sheet, as before
    wb = Workbook()
    wb.active.title = "甲"
    wb.active.append(["随便", "什么"])
    wb.create_sheet("乙").append(["也不是", "列名"])
    wb.save(tmp_path / "other.xlsx")
    assert admin.imports.open_file(tmp_path / "other.xlsx", "customers").sheet == "甲"


def test_each_unknown_value_comes_with_the_choice_it_likely_means(admin, tmp_path):
    """A类 is A, 重要客户 (an office's word for A) too, 零售业 is 零售, IT/互联网 is 信息技术; 展会 (only part
    of 展会推广), 网络推广 or 老客户介绍 are not guessed."""
    from tests.office_files import sales_list

    path = sales_list(tmp_path / "客户名单.xlsx", rows=30)
    source = admin.imports.open_file(path, "customers")
    mapping = admin.imports.auto_mapping("customers", source.headers)
    unknown = admin.imports.unknown_values("customers", path, mapping, sheet=source.sheet)
    assert {(u.field, u.text): u.suggestion for u in unknown} == {
        ("level", "A类"): "A", ("level", "B类"): "B", ("level", "重要客户"): "A",
        ("industry", "零售业"): "retail", ("industry", "IT/互联网"): "it", ("industry", "教育培训"): "education",
        ("source", "展会"): None, ("source", "网络推广"): None, ("source", "老客户介绍"): None}


@pytest.mark.parametrize("header, field", [
    ("客户名", "name"), ("公司名", "name"), ("单位", "name"), ("Account Name", "name"), ("固话", "phone"),
    ("办公电话", "phone"), ("联系方式", "phone"), ("邮箱地址", "email"), ("E-mail地址", "email"), ("Email Address", "email"),
    ("行业类型", "industry"), ("行业分类", "industry"), ("来源渠道", "source"), ("信息来源", "source"),
    ("负责销售", "owner_id"), ("所属销售", "owner_id"), ("销售代表", "owner_id"), ("备注说明", "notes"),
    ("Remark", "notes"), ("Note", "notes"), ("Rating", "level")])
def test_more_names_offices_give_their_columns(admin, header, field):
    assert admin.imports.auto_mapping("customers", [header]) == {0: field}


def test_blank_lines_between_blocks_are_not_counted_as_rows(admin, tmp_path):
    """The file page says as many rows as the check checks: 120, not 122 with the two blank lines."""
    from tests.office_files import sales_list

    path = sales_list(tmp_path / "客户名单.xlsx", rows=120)  # a blank line after rows 50 and 100
    source = admin.imports.open_file(path, "customers")
    mapping = admin.imports.auto_mapping("customers", source.headers)
    check = admin.imports.check("customers", path, mapping, sheet=source.sheet)
    assert source.row_count == check.total_rows == 120


@pytest.mark.parametrize("headers, expected", [
    # next to 联系人/职务, 联系方式 is the contact's mobile, not the company's number
    (["序号", "单位", "联系人", "职务", "联系方式"], [None, "name", "contacts.name", "contacts.position", "contacts.phone"]),
    # a list of companies without contacts: the company's number
    (["序号", "客户名称", "联系方式", "地址"], [None, "name", "phone", "address"]),
    # the contact's phone is 手机 already: 联系方式 is left for the clerk to map
    (["客户名称", "联系人", "手机", "联系方式"], ["name", "contacts.name", "contacts.phone", None]),
])
def test_contact_details_go_to_the_contact_when_the_file_names_one(admin, headers, expected):
    assert list(admin.imports.auto_mapping("customers", headers).values()) == expected


def test_a_contacts_phone_under_contact_details_is_imported_as_the_contacts(admin, tmp_path):
    path = tmp_path / "通讯录.csv"
    path.write_text("序号,单位,联系人,职务,联系方式\n1,甲公司,王芳,经理,13912340001\n", encoding="utf-8")
    mapping = admin.imports.auto_mapping("customers", ["序号", "单位", "联系人", "职务", "联系方式"])
    result = admin.imports.run("customers", path, mapping)
    assert (result.created, result.companions) == (1, 1)
    customer = admin.customers.list().rows[0]
    contact = admin.contacts.list().rows[0]
    assert (customer["name"], customer["phone"]) == ("甲公司", None)
    assert (contact["name"], contact["phone"]) == ("王芳", "13912340001")
