"""Templates, error reports and round trips of what users keep in Excel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from crm_core.importing.service import ImportRejected
from tests.integration.test_import_helpers import CUSTOMER_HEADERS, customer_row, write_csv, write_xlsx

NAMES = ["北京𠮷祥科技有限公司", "深圳😀表情符号有限公司", "Ａｃｍｅ（中国）投资有限公司", "上海「引号」贸易有限公司"]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_template_marks_required_columns_lists_choices_and_imports_back(admin, tmp_path, lang):
    path = tmp_path / f"template-{lang}.xlsx"
    admin.imports.write_template("customers", path, lang)
    wb = load_workbook(path)
    data = wb.worksheets[0]
    headers = [c.value for c in data[1]]
    fields = admin.imports.fields("customers")
    assert headers == [f"{f.label(lang)} *" if f.required else f.label(lang) for f in fields]
    assert "code" not in [f.name for f in fields] and "status" not in [f.name for f in fields]
    level_col = [f.name for f in fields].index("level")
    validations = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in data.data_validations.dataValidation}
    letter = chr(ord("A") + level_col)
    assert f"{letter}2" in validations
    choices_sheet = wb.worksheets[1]
    labels = [choices_sheet.cell(row=i, column=level_col + 1).value for i in (1, 2, 3)]
    assert labels == (["A（高价值）", "B", "C"] if lang == "zh_CN" else ["A (high value)", "B", "C"])
    row = {"name": "模板导入有限公司", "level": labels[0], "industry": wb.worksheets[1].cell(
        row=1, column=[f.name for f in fields].index("industry") + 1).value, "phone": "13700000000"}
    data.append([row.get(f.name) for f in fields])
    wb.save(path)
    result = admin.imports.run("customers", path, admin.imports.auto_mapping("customers", headers))
    got = admin.customers.list().rows[0]
    assert (result.created, got["name"], got["level"], got["industry"]) == (1, "模板导入有限公司", "A", "manufacturing")


def test_error_report_lists_bad_rows_with_reasons_and_red_cells(admin, tmp_path):
    rows = [CUSTOMER_HEADERS, customer_row(1), customer_row(2, level="Z", email="bad"), customer_row(3, name="=1+1\x00")]
    path = write_csv(tmp_path / "bad.csv", rows)
    mapping = admin.imports.auto_mapping("customers", CUSTOMER_HEADERS)
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("customers", path, mapping)
    out = tmp_path / "errors.xlsx"
    admin.imports.write_error_report(path, info.value.check, out, "zh_CN")
    ws = load_workbook(out).worksheets[0]
    values = [[c.value for c in r] for r in ws.iter_rows()]
    assert values[0] == ["行号", *CUSTOMER_HEADERS, "错误原因"]
    assert [r[0] for r in values[1:]] == [3, 4]
    assert values[1][1] == "测试公司00002有限公司" and "重要级别" in values[1][-1] and "邮箱" in values[1][-1]
    red = {(r, c) for r in range(2, ws.max_row + 1) for c in range(1, ws.max_column + 1)
           if ws.cell(row=r, column=c).fill.fgColor.rgb == "00FFC7CE"}
    assert red == {(2, 4), (2, 8), (3, 2)}  # level and email of row 3; the name of row 4
    assert ws.cell(row=3, column=2).data_type == "s" and ws.cell(row=3, column=2).value.startswith("=1+1")


def _notes_then_list(tmp_path):
    """A workbook whose first sheet is notes (说明) and whose second holds the list, its 乙公司 row bad."""
    from openpyxl import Workbook
    wb = Workbook()
    notes = wb.active
    notes.title = "说明"
    for line in ("本表用于导入客户", "请勿修改表头", "第三行说明"):
        notes.append([line])
    data = wb.create_sheet("客户")
    for row in (["公司名称", "重要级别", "电话"], ["甲公司", "A", "13900000001"], ["乙公司", "ZZZ", "13900000002"]):
        data.append(row)
    path = tmp_path / "notes-first.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("how", ["check", "rejected"])
def test_the_error_report_of_a_workbook_whose_first_sheet_is_notes_shows_the_lists_bad_row(admin, tmp_path, how):
    path = _notes_then_list(tmp_path)
    mapping = admin.imports.auto_mapping("customers", ["公司名称", "重要级别", "电话"])
    if how == "check":
        check = admin.imports.check("customers", path, mapping)
    else:
        with pytest.raises(ImportRejected) as info:
            admin.imports.run("customers", path, mapping)
        check = info.value.check
    assert [(e.row, e.field) for e in check.errors] == [(3, "level")]
    out = tmp_path / "errors.xlsx"
    admin.imports.write_error_report(path, check, out, "zh_CN")
    values = [[c.value for c in r] for r in load_workbook(out).worksheets[0].iter_rows()]
    assert values[0][:4] == ["行号", "公司名称", "重要级别", "电话"]
    assert values[1][:4] == [3, "乙公司", "ZZZ", "13900000002"] and "重要级别" in values[1][-1]


def test_round_trip_of_a_users_excel_file(admin, tmp_path):
    """Records as Excel holds them (typed cells), into an empty database, back byte for byte.

    The export side (crm_core.exporting) is another helper's; this file is written the way
    a user's Excel holds such a sheet: text cells, numbers for money, date cells for dates.
    """
    headers = ["公司名称", "重要级别", "电话", "Email", "地址", "备注"]
    people = [[name, "ABC"[i % 3], f"1380000000{i}", f"u{i}@例子.中国", f"北京市海淀区{i}号 𠮷野家", f"第{i}行\n第二行 😀"]
              for i, name in enumerate(NAMES)]
    path = write_xlsx(tmp_path / "customers.xlsx", [headers, *people])
    admin.imports.run("customers", path, admin.imports.auto_mapping("customers", headers))
    got = sorted(admin.customers.list().rows, key=lambda r: r["phone"])
    assert [[r["name"], r["level"], r["phone"], r["email"], r["address"], r["notes"]] for r in got] == people

    contract_headers = ["合同编号", "客户", "签订日期", "截止日期", "合同金额", "合同名称"]
    contracts = [[f"HT-{i}", got[i]["code"], dt.date(2026, 1, 5 + i), dt.date(2027, 1, 4), amount, f"合同 {NAMES[i]}"]
                 for i, amount in enumerate([Decimal("0.01"), Decimal("1234.50"), Decimal("99999999.99"), Decimal("12800")])]
    xlsx_rows = [[float(c) if isinstance(c, Decimal) else c for c in row] for row in contracts]
    path = write_xlsx(tmp_path / "contracts.xlsx", [contract_headers, *xlsx_rows])
    admin.imports.run("contracts", path, admin.imports.auto_mapping("contracts", contract_headers))
    back = sorted(admin.contracts.list().rows, key=lambda r: r["number"])
    assert [[r["number"], r["customer_id"], r["signed_on"], r["ends_on"], r["amount"], r["title"]] for r in back] == \
        [[number, c["id"], *rest] for (number, _, *rest), c in zip(contracts, got)]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_round_trip_of_csv_in_excels_encodings(admin, tmp_path, encoding):
    rows = [CUSTOMER_HEADERS, *(customer_row(i, name=n, notes=f"备注{n}") for i, n in enumerate(NAMES))]
    path = write_csv(tmp_path / "c.csv", rows, encoding)
    admin.imports.run("customers", path, admin.imports.auto_mapping("customers", CUSTOMER_HEADERS))
    got = {r["name"]: r["notes"] for r in admin.customers.list().rows}
    assert got == {n: f"备注{n}" for n in NAMES}


CUSTOMER_FIELDS = ["name", "category", "customer_type", "level", "industry", "source", "credit_code", "address",
                   "phone", "email", "owner_id", "notes"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_through_the_export_service(admin, make_customer, tmp_path, fmt):
    """Export a module with ExportService.write, empty it, import the file back: the same records."""
    from crm_core.services.query import ListQuery

    for i, name in enumerate(NAMES):
        make_customer(name, level="ABC"[i % 3], category="llc", industry="it", source="referral",
                      phone=f"1380000000{i}", email=f"u{i}@example.cn", address=f"北京市 𠮷 {i} 号",
                      notes=f"备注 😀 {i}\n第二行")
    before = sorted(tuple(r[f] for f in CUSTOMER_FIELDS) for r in admin.customers.list().rows)
    path = tmp_path / f"customers.{fmt}"
    admin.exports.write("customers", ListQuery(), ["code", *CUSTOMER_FIELDS], path, fmt, "zh_CN")
    for r in admin.customers.list().rows:
        admin.customers.delete(r["id"], version=r["version"])
    headers = admin.imports.open_file(path).headers
    result = admin.imports.run("customers", path, admin.imports.auto_mapping("customers", headers))
    after = sorted(tuple(r[f] for f in CUSTOMER_FIELDS) for r in admin.customers.list().rows)
    assert (result.created, after) == (len(NAMES), before)

    customers = sorted(admin.customers.list().rows, key=lambda r: r["name"])
    for i, (c, amount) in enumerate(zip(customers, ["0.01", "1234.50", "99999999.99", "12800.00"])):
        admin.contracts.create({"number": f"HT-{i}", "customer_id": c["id"], "signed_on": dt.date(2026, 1, 5 + i),
                                "ends_on": dt.date(2027, 1, 4), "amount": amount, "title": f"合同 {c['name']}"})
    fields = ["number", "customer_id", "signed_on", "ends_on", "amount", "title", "delivery_status"]
    before = sorted(tuple(r[f] for f in fields) for r in admin.contracts.list().rows)
    path = tmp_path / f"contracts.{fmt}"
    admin.exports.write("contracts", ListQuery(), fields, path, fmt, "zh_CN")
    for r in admin.contracts.list().rows:
        admin.contracts.delete(r["id"], version=r["version"])
    headers = admin.imports.open_file(path).headers
    admin.imports.run("contracts", path, admin.imports.auto_mapping("contracts", headers))
    assert sorted(tuple(r[f] for f in fields) for r in admin.contracts.list().rows) == before
