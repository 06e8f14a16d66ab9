"""Exports as an office suite reads them: every xlsx and CSV export is opened by LibreOffice (headless).

The xlsx writer is our own (crm_core.exporting.xlsx_stream), so "openpyxl can
read it" is not proof enough: LibreOffice converts each file and the text or
values it sees are compared with what was exported — Chinese, numbers, dates,
custom fields and empty cells. In CI (CI=true) a missing LibreOffice fails the
test; on a developer machine it is skipped with a notice.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from crm_core.lists import Filter, ListQuery

CUSTOM = [("budget", "预算", "Budget", "decimal"), ("seats", "席位数", "Seats", "integer"),
          ("visit", "拜访日期", "Visit", "date"), ("remark", "客户备注", "Remark", "text")]
QUERY = ListQuery(filters=(Filter("code", "is_null", False),), sort=("name",))


@pytest.fixture(scope="module")
def soffice(tmp_path_factory):
    """``convert(src, target, outdir, infilter=None) -> Path`` through LibreOffice, one profile per module."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI: apt-get install libreoffice-calc-nogui")
        pytest.skip("LibreOffice (soffice) not installed: exports not checked in an office suite")
    profile = tmp_path_factory.mktemp("lo-profile")

    def convert(src: Path, target: str, outdir: Path, infilter: str | None = None) -> Path:
        args = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless"]
        if infilter:
            args.append(f"--infilter={infilter}")
        subprocess.run([*args, "--convert-to", target, "--outdir", str(outdir), str(src)], check=True,
                       capture_output=True, timeout=180)
        out = outdir / f"{src.stem}.{target.split(':')[0]}"
        assert out.is_file(), f"LibreOffice did not convert {src.name} to {target}"
        return out

    return convert


@pytest.fixture
def customers(admin, make_customer):
    """Three customers: all custom fields filled, none filled, and text that looks like a formula."""
    for key, zh, en, kind in CUSTOM:
        admin.custom_fields.create({"module": "customers", "key": key, "label_zh": zh, "label_en": en,
                                    "field_type": kind})
    make_customer("北京星辰软件有限公司", level="A", phone="13800001111", email="info@xingchen.cn",
                  custom={"budget": "1234567.5", "seats": "42", "visit": "2024-05-03", "remark": "重点 A&B <VIP>"})
    make_customer("上海云图科技有限公司")
    make_customer("=1+1 公式客户", custom={"remark": "@SUM(A1)"})


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _same(office: str, ours: str) -> bool:
    """One cell as LibreOffice shows it (formatted) against our CSV's machine-readable text."""
    if office == ours or "'" + office == ours:  # the CSV's apostrophe keeps formula-like text text
        return True
    try:
        return Decimal(office.replace(",", "")) == Decimal(ours)
    except ArithmeticError:
        return bool(office) and ours.startswith(office)  # "2026-12-06 16:36" shown for "2026-12-06 16:36:39"


def test_libreoffice_reads_the_xlsx_export_as_exported(admin, customers, soffice, tmp_path):
    xlsx, ours = tmp_path / "客户.xlsx", tmp_path / "客户.csv"
    assert admin.exports.write("customers", QUERY, None, xlsx, "xlsx", "zh_CN") == 3
    admin.exports.write("customers", QUERY, None, ours, "csv", "zh_CN")

    office = _rows(soffice(xlsx, "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path / "lo"))
    expected = _rows(ours)

    assert office[0] == expected[0] and office[0][-4:] == ["预算", "席位数", "拜访日期", "客户备注"]
    assert len(office) == len(expected) == 4
    for got, want in zip(office[1:], expected[1:]):
        mismatched = [(h, g, w) for h, g, w in zip(office[0], got, want, strict=True) if not _same(g, w)]
        assert not mismatched, mismatched
    by_name = {row[1]: row for row in office[1:]}
    assert by_name["北京星辰软件有限公司"][-4:] == ["1,234,567.50", "42", "2024-05-03", "重点 A&B <VIP>"]
    assert by_name["上海云图科技有限公司"][-4:] == ["", "", "", ""]
    assert by_name["=1+1 公式客户"][-1] == "@SUM(A1)"  # text, not evaluated


def test_xlsx_export_keeps_custom_numbers_and_dates_typed(admin, customers, tmp_path):
    path = tmp_path / "c.xlsx"
    admin.exports.write("customers", QUERY, None, path, "xlsx", "zh_CN")
    ws = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "北京星辰软件有限公司")
    cells = {h: c for h, c in zip(header, row)}
    assert cells["预算"].value == Decimal("1234567.50") and cells["预算"].number_format == "#,##0.00"
    assert cells["席位数"].value == 42 and cells["拜访日期"].value == dt.datetime(2024, 5, 3)
    assert cells["拜访日期"].number_format == "yyyy-mm-dd"
    assert isinstance(cells["创建时间"].value, dt.datetime)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}4"


def test_libreoffice_reads_the_csv_export_with_types_and_chinese(admin, customers, soffice, tmp_path):
    path = tmp_path / "客户.csv"
    admin.exports.write("customers", QUERY, ["code", "name", "custom.*"], path, "csv", "zh_CN")

    converted = soffice(path, "xlsx", tmp_path / "lo", infilter="CSV:44,34,76,1")
    rows = list(openpyxl.load_workbook(converted).worksheets[0].iter_rows(values_only=True))

    assert rows[0] == ("客户编码", "公司名称", "预算", "席位数", "拜访日期", "客户备注")  # no BOM in the first header
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["北京星辰软件有限公司"][2:] == (1234567.5, 42, dt.datetime(2024, 5, 3), "重点 A&B <VIP>")
    assert by_name["上海云图科技有限公司"][2:] == (None, None, None, None)
    assert "'=1+1 公式客户" in by_name and by_name["'=1+1 公式客户"][-1] == "'@SUM(A1)"  # kept as text


def test_custom_fields_are_chosen_by_name_like_other_columns(admin, customers, tmp_path):
    path = tmp_path / "two.csv"
    admin.exports.write("customers", QUERY, ["name", "custom.seats"], path, "csv", "en")
    rows = _rows(path)
    assert rows[0] == ["Company name", "Seats"]
    assert ["北京星辰软件有限公司", "42"] in rows
