"""Report renderers: hand-built reports to xlsx (typed cells, native charts) and PDF (CJK text, pages)."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from crm_core.i18n import Text
from crm_core.reports.model import Chart, ChartKind, Column, Kind, Report, ReportFilters, Series, Table
from crm_core.reports.render_pdf import write_report_pdf
from crm_core.reports.render_xlsx import write_report_xlsx

MONTHS = [f"2026-{m:02d}" for m in range(1, 7)]


def _report(rows: int = 12) -> Report:
    columns = [Column("owner", Text("跟进人", "Owner")), Column("count", Text("客户数", "Customers"), Kind.INTEGER),
               Column("amount", Text("合同金额", "Amount"), Kind.MONEY),
               Column("rate", Text("成交率", "Win rate"), Kind.PERCENT),
               Column("first", Text("首次签约", "First signed"), Kind.DATE),
               Column("month", Text("月份", "Month"), Kind.MONTH)]
    data = [{"owner": Text(f"销售{i}号", f"Sales {i}"), "count": i, "amount": Decimal("1000.5") * i, "rate": i / 100,
             "first": dt.date(2026, 1, 1) + dt.timedelta(days=i % 300), "month": f"2026-{i % 12 + 1:02d}"}
            for i in range(1, rows + 1)]
    data.append({"owner": '=HYPERLINK("http://evil.example")', "count": 0, "amount": Decimal("0"), "rate": 0.0,
                 "first": None})
    totals = {"count": sum(r["count"] for r in data), "amount": sum(r["amount"] for r in data)}
    return Report(
        "customers", Text("客户统计报表", "Customer report"), ReportFilters(level="A"),
        [(Text("重要级别", "Importance"), Text("A（高价值）", "A (high value)"))],
        dt.datetime(2026, 11, 23, 1, 30, tzinfo=dt.timezone.utc), "系统管理员",
        [Chart(Text("每月新增客户", "New customers per month"), ChartKind.BAR, MONTHS,
               [Series(Text("新增", "New"), [3, 5, 2, 8, 6, 9]), Series(Text("成交", "Won"), [1, 2, 1, 3, 2, 4])]),
         Table(Text("按跟进人统计", "By owner"), columns, data, totals),
         Chart(Text("转化趋势", "Conversion"), ChartKind.LINE, MONTHS,
               [Series(Text("成交率", "Win rate"), [0.1, 0.2, 0.15, 0.3, 0.25, 0.2])]),
         Chart(Text("客户状态分布", "By status"), ChartKind.PIE, ["潜在客户", "意向客户", "成交客户"],
               [Series(Text("客户数", "Customers"), [40, 25, 20])])])


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_xlsx_report_has_header_block_typed_table_and_native_charts(tmp_path):
    path = tmp_path / "r.xlsx"

    write_report_xlsx(_report(), path, "zh_CN")

    ws = load_workbook(path).active
    assert ws["A1"].value == "客户统计报表" and "重要级别 = A（高价值）" in ws["A2"].value
    assert "系统管理员" in ws["A3"].value
    assert sorted(type(c).__name__ for c in ws._charts) == ["BarChart", "LineChart", "PieChart"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    header = cells["合同金额"]
    first = ws.cell(header.row + 1, header.column)
    assert header.font.b and first.value == pytest.approx(1000.5) and first.number_format == "#,##0.00"
    assert cells['=HYPERLINK("http://evil.example")'].data_type == "s"
    month = ws.cell(header.row + 1, cells["月份"].column)  # a real date Excel can group and sort, shown as the month
    assert month.value == dt.datetime(2026, 2, 1) and month.number_format == "yyyy-mm"
    total = cells["合计"]
    assert ws.cell(total.row, header.column).value == pytest.approx(78039)


def test_xlsx_report_in_english_uses_english_labels(tmp_path):
    path = tmp_path / "r.xlsx"

    write_report_xlsx(_report(), path, "en")

    values = {c.value for row in load_workbook(path).active.iter_rows() for c in row}
    assert {"Customer report", "Amount", "Sales 1", "Total"} <= values


def test_pdf_report_text_has_chinese_title_filters_pages_and_total(tmp_path):
    path = tmp_path / "r.pdf"

    write_report_pdf(_report(), path, "zh_CN")

    text = _pdf_text(path)
    assert "客户统计报表" in text and "筛选：重要级别 = A（高价值）" in text and "生成人：系统管理员" in text
    assert "合计" in text and "78,039.00" in text and "1,000.50" in text and "2026-02" in text
    assert "每月新增客户" in text and "潜在客户" in text  # chart titles and labels are text too
    pages = text.count("\f")
    assert f"第 1 页，共 {pages} 页" in text and f"第 {pages} 页，共 {pages} 页" in text


def test_long_pdf_report_repeats_the_header_on_every_page(tmp_path):
    path = tmp_path / "long.pdf"

    write_report_pdf(_report(rows=1200), path, "en")  # more rows than one table chunk

    pages = [p for p in _pdf_text(path).split("\f") if p.strip()]
    table_pages = [p for p in pages if "Sales " in p]
    assert len(table_pages) > 10 and all("Amount" in p for p in table_pages)
    assert "Sales 1200" in pages[-2] + pages[-1] and f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_pdf_survives_characters_outside_the_font(tmp_path):
    report = _report(rows=2)
    report.title = Text("客户统计 𠮷 😀", "Report 𠮷 😀")
    path = tmp_path / "odd.pdf"

    write_report_pdf(report, path, "zh_CN")

    assert "客户统计" in _pdf_text(path)


def test_cancel_leaves_no_report_file(tmp_path):
    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        if done:
            raise Cancelled

    for writer, name in ((write_report_pdf, "r.pdf"), (write_report_xlsx, "r.xlsx")):
        with pytest.raises(Cancelled):
            writer(_report(), tmp_path / name, "zh_CN", progress=cancel)
    assert list(tmp_path.iterdir()) == []
