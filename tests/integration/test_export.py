"""Grid exports through ``session.exports``: what lands in the file, for whom, and nothing on cancel."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from crm_core.errors import PermissionDenied, ValidationError
from crm_core.lists import Filter, ListQuery


def _rows(path: Path) -> list[list]:
    ws = load_workbook(path).worksheets[0]
    return [[c.value for c in row] for row in ws.iter_rows()]


def _csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_xlsx_has_typed_cells_styled_frozen_header_and_autofilter(admin, make_customer, tmp_path):
    cust = make_customer("北京星辰软件有限公司", level="A", industry="manufacturing")
    admin.contracts.create({"customer_id": cust["id"], "number": "HT-2026-001", "signed_on": "2026-03-05",
                            "amount": "1234567.5"})
    path = tmp_path / "contracts.xlsx"

    n = admin.exports.write("contracts", ListQuery(), ["number", "customer_id", "signed_on", "amount", "created_at"],
                            path, "xlsx", "zh_CN")

    assert n == 1
    ws = load_workbook(path).worksheets[0]
    assert [c.value for c in ws[1]] == ["合同编号", "客户", "签订日期", "合同金额", "创建时间"]
    assert ws["A1"].font.b and ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:E2"
    number, customer, signed, amount, created = ws[2]
    assert number.value == "HT-2026-001" and customer.value.startswith("北京星辰软件有限公司")  # as the grid names it
    assert signed.value.date() == dt.date(2026, 3, 5) and signed.number_format == "yyyy-mm-dd"
    assert Decimal(str(amount.value)) == Decimal("1234567.50") and amount.number_format == "#,##0.00"
    assert created.is_date and created.value.tzinfo is None
    assert ws.column_dimensions["B"].width >= 2 * len("北京星辰软件有限公司")


def test_choices_and_dictionary_codes_are_exported_as_labels(admin, make_customer, tmp_path):
    make_customer("上海云图科技有限公司", level="A", industry="manufacturing")
    path = tmp_path / "customers.xlsx"

    admin.exports.write("customers", ListQuery(), ["name", "level", "industry", "status", "owner_id"], path,
                        "xlsx", "en")

    assert _rows(path) == [["Company name", "Importance", "Industry", "Status", "Owner"],
                           ["上海云图科技有限公司", "A (high value)", "Manufacturing", "Prospect", "系统管理员"]]


def test_sales_user_exports_only_his_records_masked_as_on_screen(admin, login, make_customer, tmp_path):
    sales = login("sales1")
    mine = make_customer("我的客户有限公司", owner_id=sales.actor.user_id)
    other = make_customer("别人的客户有限公司")
    admin.contacts.create({"customer_id": mine["id"], "name": "王小明", "id_number": "11010519491231002X"})
    admin.contacts.create({"customer_id": other["id"], "name": "李四", "id_number": "110105194912310038"})
    path = tmp_path / "mine.csv"

    n = sales.exports.write("contacts", ListQuery(), ["name", "id_number"], path, "csv", "zh_CN")

    assert n == 1
    assert _csv(path) == [["姓名", "身份证号"], ["王小明", "**************002X"]]
    admin.exports.write("contacts", ListQuery(sort=("name",)), ["name", "id_number"], path, "csv", "zh_CN")
    assert sorted(_csv(path)[1:]) == sorted([["王小明", "11010519491231002X"], ["李四", "110105194912310038"]])


def test_role_without_export_right_is_refused_and_no_file_is_made(admin, login, tmp_path):
    service = login("service1")
    out = tmp_path / "out"
    out.mkdir()
    path = out / "customers.xlsx"

    with pytest.raises(PermissionDenied):
        service.exports.write("customers", ListQuery(), None, path, "xlsx", "zh_CN")

    assert list(out.iterdir()) == []


def test_filters_search_and_sort_are_kept(admin, make_customer, tmp_path):
    for name, level in (("丙公司", "A"), ("甲公司", "A"), ("乙公司", "B"), ("丁公司", "A")):
        make_customer(name, level=level)
    query = ListQuery(filters=(Filter("level", "eq", "A"),), sort=("-name",), after=(1, 2), limit=1)
    path = tmp_path / "a.csv"

    n = admin.exports.write("customers", query, ["name", "level"], path, "csv", "zh_CN", batch=2)

    expected = [r["name"] for r in admin.customers.list(ListQuery(filters=query.filters, sort=query.sort, limit=10)).rows]
    assert n == 3 and [row[0] for row in _csv(path)[1:]] == expected


def test_formula_like_text_stays_text_in_xlsx_and_csv(admin, make_customer, tmp_path):
    names = ['=HYPERLINK("http://evil.example","点我")', "+86 有限公司", "-1+2 公司", "@SUM(A1:A9) 公司"]
    for name in names:
        make_customer(name)
    xlsx, csv_path = tmp_path / "x.xlsx", tmp_path / "x.csv"

    admin.exports.write("customers", ListQuery(sort=("name",)), ["name"], xlsx, "xlsx", "zh_CN")
    admin.exports.write("customers", ListQuery(sort=("name",)), ["name"], csv_path, "csv", "zh_CN")

    cells = [row[0] for row in load_workbook(xlsx).worksheets[0].iter_rows(min_row=2)]
    assert sorted(c.value for c in cells) == sorted(names)
    assert all(c.data_type == "s" for c in cells)
    assert sorted(row[0] for row in _csv(csv_path)[1:]) == sorted("'" + n for n in names)


def test_csv_is_utf8_with_bom_and_crlf(admin, make_customer, tmp_path):
    make_customer("深圳市“引号”, 逗号有限公司")
    path = tmp_path / "c.csv"

    admin.exports.write("customers", ListQuery(), ["name", "code"], path, "csv", "zh_CN")

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == 2 and b"\n" not in raw.replace(b"\r\n", b"")
    assert _csv(path)[1][0] == "深圳市“引号”, 逗号有限公司"


def test_pdf_export_has_title_filters_header_rows_and_pages(admin, make_customer, tmp_path):
    for i in range(120):
        make_customer(f"测试客户{i:03d}有限公司", level="B")
    path = tmp_path / "c.pdf"

    n = admin.exports.write("customers", ListQuery(filters=(Filter("level", "eq", "B"),)), None, path, "pdf",
                            "zh_CN", batch=50)

    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    assert n == 120
    assert "客户信息导出" in text and "筛选：重要级别 = B" in text and "系统管理员" in text
    assert "测试客户000有限公司" in text and "测试客户119有限公司" in text
    real_pages = [p for p in pages if p.strip()]
    assert len(real_pages) >= 2 and all("公司名称" in p for p in real_pages)  # header repeated on each page
    assert f"第 1 页，共 {len(real_pages)} 页" in text


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
def test_cancel_leaves_no_file_behind(admin, make_customer, tmp_path, fmt):
    for i in range(6):
        make_customer(f"客户{i}")
    out = tmp_path / "out"
    out.mkdir()
    path = out / f"out.{fmt}"
    path.write_text("the previous export")  # an older file of the same name survives a cancel

    class Cancelled(Exception):
        pass

    def progress(done: int, total: int) -> None:
        if done >= 2:
            raise Cancelled

    with pytest.raises(Cancelled):
        admin.exports.write("customers", ListQuery(), None, path, fmt, "zh_CN", progress=progress, batch=2)

    assert [p.name for p in out.iterdir()] == [path.name] and path.read_text() == "the previous export"


def test_progress_reports_rows_up_to_the_total(admin, make_customer, tmp_path):
    for i in range(5):
        make_customer(f"客户{i}")
    seen: list[tuple[int, int]] = []

    admin.exports.write("customers", ListQuery(), None, tmp_path / "p.xlsx", "xlsx", "zh_CN",
                        progress=lambda d, t: seen.append((d, t)), batch=2)

    assert seen[0] == (0, 5) and seen[-1] == (5, 5) and (2, 5) in seen


def test_unknown_format_module_or_column_is_a_validation_error(admin, tmp_path):
    for args in (("customers", None, "doc"), ("nonsense", None, "csv"), ("customers", ["nope"], "csv")):
        module, columns, fmt = args
        with pytest.raises(ValidationError):
            admin.exports.write(module, ListQuery(), columns, tmp_path / "x", fmt, "zh_CN")
    assert admin.exports.formats() == ["xlsx", "csv", "pdf"]
