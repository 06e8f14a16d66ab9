"""Bulk import (批量导入): mapping, dry run, all-or-nothing, only-valid rows, rights, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm_core.errors import PermissionDenied, ValidationError
from crm_core.importing.service import ImportRejected
from crm_core.models import AuditEntry, Customer
from tests.integration.test_import_helpers import CUSTOMER_HEADERS, customer_row, write_csv, write_xlsx


def _count(db, model) -> int:
    with db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_auto_mapping_matches_headers_in_either_language(admin):
    mapping = admin.imports.auto_mapping("customers", ["Company name", "电话 *", "客户编码", "whatever", "公司名称"])
    assert mapping == {0: "name", 1: "phone", 2: "code", 3: None, 4: None}


def test_import_creates_customers_through_the_service(admin, db, tmp_path):
    path = write_xlsx(tmp_path / "c.xlsx", [CUSTOMER_HEADERS, customer_row(1), customer_row(2, level="B")])
    mapping = admin.imports.auto_mapping("customers", CUSTOMER_HEADERS)
    check = admin.imports.check("customers", path, mapping)
    assert (check.total_rows, check.valid_rows, check.errors) == (2, 2, [])
    assert _count(db, Customer) == 0  # the dry run wrote nothing
    result = admin.imports.run("customers", path, mapping)
    assert (result.created, result.skipped) == (2, 0)
    rows = admin.customers.list().rows
    assert {r["name"] for r in rows} == {"测试公司00001有限公司", "测试公司00002有限公司"}
    one = next(r for r in rows if r["name"] == "测试公司00001有限公司")
    assert (one["category"], one["level"], one["industry"], one["source"], one["phone"]) == \
        ("llc", "A", "manufacturing", "trade_show", "13900000001")
    assert one["code"].startswith("C") and one["status"] == "prospect"
    with db.unit_of_work(write=False) as s:
        actions = [a for (a,) in s.execute(select(AuditEntry.action).where(AuditEntry.module == "customers"))]
    assert actions.count("create") == 2 and actions.count("import") == 1


def test_a_bad_row_rejects_the_whole_file_and_reports_column_and_reason(admin, db, tmp_path):
    rows = [CUSTOMER_HEADERS, customer_row(1), customer_row(2, level="Z"), customer_row(3, name="")]
    path = write_csv(tmp_path / "c.csv", rows)
    mapping = admin.imports.auto_mapping("customers", CUSTOMER_HEADERS)
    check = admin.imports.check("customers", path, mapping)
    assert (check.total_rows, check.valid_rows) == (3, 1)
    assert [(e.row, e.column, e.field) for e in check.errors] == [(3, 2, "level"), (4, 0, "name")]
    assert "“Z”不是可选值" in check.errors[0].message.zh and "A (high value)" in check.errors[0].message.en
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("customers", path, mapping)
    assert info.value.check.errors == check.errors
    assert _count(db, Customer) == 0
    result = admin.imports.run("customers", path, mapping, only_valid=True)
    assert (result.created, result.skipped, len(result.errors)) == (1, 2, 2)
    assert [r["name"] for r in admin.customers.list().rows] == ["测试公司00001有限公司"]


def test_cells_in_the_forms_users_type(admin, make_customer, tmp_path):
    customer = make_customer("北京星辰软件有限公司")
    headers = ["合同编号", "客户", "签订日期", "截止日期", "付款日期", "合同金额", "交付状态"]
    rows = [headers,
            ["HT-1", customer["code"], "2026-01-05", "2026/1/5", "2026年1月5日", "¥1,234.50", "未交付"],
            ["HT-2", "北京星辰软件有限公司", dt.datetime(2026, 1, 5), dt.date(2026, 2, 1), None, 12800, "Delivered"],
            ["HT-3", f"北京星辰软件有限公司（{customer['code']}）", "2026.3.1", None, None, "99.9", "partial"]]
    path = write_xlsx(tmp_path / "contracts.xlsx", rows)
    result = admin.imports.run("contracts", path, admin.imports.auto_mapping("contracts", headers))
    assert result.created == 3
    got = {r["number"]: r for r in admin.contracts.list().rows}
    assert got["HT-1"]["amount"] == Decimal("1234.50")
    assert (got["HT-1"]["signed_on"], got["HT-1"]["ends_on"], got["HT-1"]["payment_due_on"]) == (dt.date(2026, 1, 5),) * 3
    assert (got["HT-2"]["signed_on"], got["HT-2"]["amount"], got["HT-2"]["delivery_status"]) == \
        (dt.date(2026, 1, 5), Decimal("12800.00"), "delivered")
    assert (got["HT-3"]["customer_id"], got["HT-3"]["amount"]) == (customer["id"], Decimal("99.90"))


def test_references_unknown_or_ambiguous_are_row_errors(admin, make_customer, tmp_path):
    make_customer("同名公司", phone="13800000001")
    make_customer("同名公司 ", phone="13800000002")
    headers = ["客户", "姓名"]
    path = write_csv(tmp_path / "contacts.csv", [headers, ["同名公司", "张三"], ["没有这家", "李四"]])
    check = admin.imports.check("contacts", path, admin.imports.auto_mapping("contacts", headers))
    assert [(e.row, e.column, e.field) for e in check.errors] == [(2, 0, "customer_id"), (3, 0, "customer_id")]
    assert "对应 2 条记录" in check.errors[0].message.zh
    assert "“没有这家”不存在" in check.errors[1].message.zh


def test_duplicates_within_the_file_and_against_the_database(admin, make_customer, tmp_path):
    existing = make_customer("上海明月科技有限公司", phone="13812345678")
    headers = ["客户编码", "公司名称", "电话"]
    rows = [headers,
            [existing["code"], "全新公司甲", None],            # code already in the database
            [None, "上海明月科技 有限公司", None],              # same company, other spacing
            [None, "全新公司乙", "138-1234-5678"],             # same phone, other format
            [None, "ＡＢＣ贸易（北京）有限公司", "13900000009"],
            [None, "abc贸易(北京)有限公司", "13900000010"]]     # same as the row above after NFKC/casefold
    path = write_csv(tmp_path / "dups.csv", rows)
    check = admin.imports.check("customers", path, admin.imports.auto_mapping("customers", headers))
    assert [(e.row, e.field) for e in check.errors] == [(2, "code"), (3, "name"), (4, "phone"), (6, "name")]
    assert "与数据库中已有记录重复" in check.errors[0].message.zh
    assert "duplicates row 5 of the file" in check.errors[3].message.en
    assert check.valid_rows == 1


def test_missing_required_column_is_refused_before_reading_rows(admin, tmp_path):
    path = write_csv(tmp_path / "c.csv", [["电话"], ["13800000000"]])
    with pytest.raises(ValidationError) as info:
        admin.imports.check("customers", path, {0: "phone"})
    assert info.value.errors[0].field == "mapping" and "公司名称：必填" in info.value.errors[0].message.zh


def test_rights_import_and_the_module_rules_of_the_role(login, tmp_path):
    service = login("service1")
    assert "customers" not in service.imports.modules() and "tickets" in service.imports.modules()
    path = write_csv(tmp_path / "c.csv", [CUSTOMER_HEADERS, customer_row(1)])
    with pytest.raises(PermissionDenied):
        service.imports.check("customers", path, {0: "name"})
    sales = login("sales1")
    mapping = sales.imports.auto_mapping("customers", CUSTOMER_HEADERS)
    check = sales.imports.check("customers", path, mapping)  # owner "admin": a salesperson may not assign others
    assert [(e.row, e.column, e.field) for e in check.errors] == [(2, 7, "owner_id")]
    del mapping[7]
    result = sales.imports.run("customers", path, mapping)
    assert result.created == 1 and sales.customers.list().rows[0]["owner_id"] == sales.actor.user_id


def test_progress_that_raises_leaves_nothing_behind(admin, db, tmp_path):
    path = write_csv(tmp_path / "c.csv", [CUSTOMER_HEADERS] + [customer_row(i) for i in range(250)])

    def cancel(done: int, total: int) -> None:
        if done >= 450:  # in the writing half of the bar (2 x 250 rows)
            raise KeyboardInterrupt("cancelled")

    with pytest.raises(KeyboardInterrupt):
        admin.imports.run("customers", path, admin.imports.auto_mapping("customers", CUSTOMER_HEADERS), progress=cancel)
    assert _count(db, Customer) == 0
