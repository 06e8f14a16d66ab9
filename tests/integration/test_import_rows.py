"""Every rule a row can break has a file that breaks it; each is reported per row and never crashes."""

from __future__ import annotations

import pytest

from crm_core.importing import limits
from tests.integration.test_import_helpers import CUSTOMER_HEADERS, customer_row, write_csv, write_xlsx


def _errors(session, module, path, headers):
    check = session.imports.check(module, path, session.imports.auto_mapping(module, headers))
    return check, [(e.row, e.column, e.field) for e in check.errors]


def test_gbk_csv_is_imported_with_its_chinese_text(admin, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [CUSTOMER_HEADERS, customer_row(1, notes="中文备注：北京")], "gbk")
    result = admin.imports.run("customers", path, admin.imports.auto_mapping("customers", CUSTOMER_HEADERS))
    assert result.created == 1 and admin.customers.list().rows[0]["notes"] == "中文备注：北京"


@pytest.mark.parametrize("cell", ["甲\x00乙", "bell\x07", "esc\x1b[0m"])
def test_control_characters_and_nul_are_row_errors(admin, tmp_path, cell):
    path = write_csv(tmp_path / "ctl.csv", [CUSTOMER_HEADERS, customer_row(1), customer_row(2, notes=cell)])
    check, where = _errors(admin, "customers", path, CUSTOMER_HEADERS)
    assert where == [(3, 8, "notes")] and "控制字符" in check.errors[0].message.zh and check.valid_rows == 1


def test_cell_length_cap(admin, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_CELL_CHARS", 50)
    path = write_xlsx(tmp_path / "long.xlsx", [CUSTOMER_HEADERS, customer_row(1, notes="长" * 51)])
    check, where = _errors(admin, "customers", path, CUSTOMER_HEADERS)
    assert where == [(2, 8, "notes")] and "最多 50 个" in check.errors[0].message.zh


def test_field_formats(admin, make_customer, tmp_path):
    customer = make_customer("格式测试有限公司")
    headers = ["合同编号", "客户", "签订日期", "合同金额", "截止日期"]
    rows = [headers,
            ["F-1", customer["code"], "2026-13-45", "1000", None],         # no such date
            ["F-2", customer["code"], "2026-01-05", "一千元", None],         # not an amount
            ["F-3", customer["code"], "2026-01-05", "10.005", None],        # three decimals
            ["F-4", customer["code"], "2026-01-05", "-5", None],            # negative
            ["F-5", customer["code"], "2026-01-05", "5", "2025-12-31"],     # ends before it was signed
            ["F-6", customer["code"], None, None, None]]                    # required cells empty
    path = write_csv(tmp_path / "formats.csv", rows)
    check, where = _errors(admin, "contracts", path, headers)
    assert where == [(2, 2, "signed_on"), (3, 3, "amount"), (4, 3, "amount"), (5, 3, "amount"),
                     (6, 4, "ends_on"), (7, 2, "signed_on"), (7, 3, "amount")]
    assert check.valid_rows == 0
    assert "应为日期" in check.errors[0].message.zh and "最多两位小数" in check.errors[2].message.zh


def test_booleans_and_integers_as_typed(admin, make_customer, tmp_path):
    customer = make_customer("授权测试有限公司")
    headers = ["客户", "授权序列号", "购买授权个数", "生效日期", "试用授权"]
    rows = [headers, [customer["code"], "SN-1", "10", "2026-01-05", "否"],
            [customer["code"], "SN-2", 2.5, "2026-01-05", "否"],
            [customer["code"], "SN-3", 3, "2026-01-05", "也许"],
            [customer["code"], "SN-1", 3, "2026-01-05", "否"]]
    path = write_xlsx(tmp_path / "lic.xlsx", rows)
    check, where = _errors(admin, "licenses", path, headers)
    assert where == [(3, 2, "seats"), (4, 4, "is_trial"), (5, 1, "serial")]
    assert "与文件第 2 行重复" in check.errors[2].message.zh


def test_email_phone_and_dictionary_problems(admin, tmp_path):
    rows = [CUSTOMER_HEADERS, customer_row(1, phone="12345", email="not-an-email", industry="宇宙航行", owner="nobody")]
    path = write_csv(tmp_path / "c.csv", rows)
    check, where = _errors(admin, "customers", path, CUSTOMER_HEADERS)
    assert where == [(2, 3, "industry"), (2, 5, "phone"), (2, 6, "email"), (2, 7, "owner_id")]
    assert "“宇宙航行”不是可选值（可选：制造业" in check.errors[0].message.zh
    assert "'nobody' does not exist" in check.errors[3].message.en


def test_short_and_ragged_rows_and_blank_lines(admin, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("公司名称,电话,备注\n短行公司\n\n,,\n多列公司,13800000001,备注,多出来,的列\n", encoding="utf-8")
    check, where = _errors(admin, "customers", path, ["公司名称", "电话", "备注"])
    assert (check.total_rows, check.valid_rows, where) == (2, 2, [])


def test_times_are_read_in_the_office_time_zone(admin, make_customer, tmp_path):
    import datetime as dt

    customer = make_customer("时间测试有限公司")
    headers = ["客户", "跟进时间", "跟进方式", "跟进内容"]
    rows = [headers, [customer["code"], "2026-01-05 14:30", "电话", "一"],
            [customer["code"], "2026年1月5日 14:30", "面谈", "二"],
            [customer["code"], dt.datetime(2026, 1, 5, 14, 30), "email", "三"],
            [customer["code"], "下午两点", "电话", "四"]]
    path = write_xlsx(tmp_path / "followups.xlsx", rows)
    check, where = _errors(admin, "followups", path, headers)
    assert where == [(5, 1, "at")] and "“下午两点”不是有效的时间" in check.errors[0].message.zh
    admin.imports.run("followups", path, admin.imports.auto_mapping("followups", headers), only_valid=True)
    expected = dt.datetime(2026, 1, 5, 14, 30).astimezone()
    got = admin.followups.list().rows
    assert sorted(r["content"] for r in got) == ["一", "三", "二"] and {r["at"] for r in got} == {expected}
    assert {r["method"] for r in got} == {"phone", "meeting", "email"}


def test_a_row_naming_a_deactivated_customer_quotes_the_customer_as_the_file_gives_it(admin, make_customer, tmp_path):
    a = make_customer("甲公司")
    admin.customers.deactivate(a["id"], "公司已注销", version=a["version"])
    headers = ["客户", "姓名", "电话"]
    path = write_csv(tmp_path / "c.csv", [headers, ["甲公司", "张三", "13900000001"]])
    check, got = _errors(admin, "contacts", path, headers)
    assert got == [(2, 0, "customer_id")]
    message = check.errors[0].message
    assert message.zh.startswith("客户：“甲公司”") and message.en.startswith("Customer: '甲公司'"), message
    assert f"“{a['id']}”" not in message.zh
