"""PDF tables and chart axes as a reader sees them: whole codes, wrapped names, totals, "1,500万"."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal
from pathlib import Path

from crm_core.i18n import Text
from crm_core.reports.axis import nice_ticks
from crm_core.reports.model import Chart, ChartKind, Column, Kind, Report, ReportFilters, Series, Table
from crm_core.reports.pdf_base import cjk_font
from crm_core.reports.pdf_layout import Metrics, plan_widths, wrap_lines
from crm_core.reports.render_pdf import write_report_pdf

LONG_NAME = "北京星辰智能软件科技股份有限公司华东区域营销服务中心暨研发基地（筹）"


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _contracts(rows: int) -> Report:
    columns = [Column("code", Text("客户编码", "Customer code")), Column("name", Text("公司名称", "Company")),
               Column("address", Text("地址", "Address")),
               Column("amount", Text("合同金额", "Contract amount"), Kind.MONEY),
               Column("received", Text("回款金额", "Received"), Kind.MONEY),
               Column("signed", Text("签约日期", "Signed"), Kind.DATE)]
    data = [{"code": f"C2026063{i:06d}", "name": LONG_NAME if i % 3 == 0 else f"上海云图软件有限公司{i}",
             "address": "浦东新区张江高科技园区碧波路 690 号 " * (1 + i % 2), "amount": Decimal("1234567.89") * i,
             "received": Decimal("1000.50") * i, "signed": dt.date(2026, 1, 1) + dt.timedelta(days=i)}
            for i in range(1, rows + 1)]
    totals = {"code": Text("合计", "Total"), "amount": sum(r["amount"] for r in data),
              "received": sum(r["received"] for r in data)}
    months = [f"2026-{m:02d}" for m in range(1, 7)]
    return Report("contracts", Text("合同与回款", "Contracts and payments"), ReportFilters(), [],
                  dt.datetime(2026, 11, 23, 1, 30, tzinfo=dt.timezone.utc), "系统管理员",
                  [Chart(Text("每月签约金额", "Signed per month"), ChartKind.BAR, months,
                         [Series(Text("签约金额", "Signed"), [15_000_000, 2_500_000, 9_000_000, 0, 12_000_000, 7_000_000])]),
                   Table(Text("各客户合同与回款", "Per customer"), columns, data, totals)])


def test_report_pdf_keeps_codes_and_figures_on_one_line_and_wraps_long_names(tmp_path):
    path = tmp_path / "contracts.pdf"
    write_report_pdf(_contracts(60), path, "zh_CN")

    text = _pdf_text(path)
    lines = text.splitlines()
    for i in range(1, 61):
        code_line = next(line for line in lines if f"C2026063{i:06d}" in line.split())
        assert f"{Decimal('1234567.89') * i:,.2f}" in code_line.split()  # the row's figure on the code's line
    assert "北京星辰智能软件科技股份有限公司" in text and "（筹）" in text  # wrapped, nothing lost
    total = next(line for line in lines if line.strip().startswith("合计"))
    assert f"{sum(Decimal('1234567.89') * i for i in range(1, 61)):,.2f}" in total.split()
    assert "第 1 页" in text


def test_chart_axis_shows_wan_in_chinese_and_separators_in_english(tmp_path):
    zh, en = tmp_path / "zh.pdf", tmp_path / "en.pdf"
    write_report_pdf(_contracts(2), zh, "zh_CN")
    write_report_pdf(_contracts(2), en, "en")

    zh_text, en_text = _pdf_text(zh), _pdf_text(en)
    assert "1,500万" in zh_text and "500万" in zh_text and "15000000" not in zh_text
    assert "15,000,000" in en_text and "15000000" not in en_text


def test_axis_ticks_are_round_and_labelled_for_the_reader():
    assert nice_ticks(15_000_000, "zh_CN").labels == ("0", "500万", "1,000万", "1,500万", "2,000万")
    assert nice_ticks(15_000_000, "en").labels[-2:] == ("15,000,000", "20,000,000")
    assert nice_ticks(250_000_000, "zh_CN").labels[1:3] == ("0.5亿", "1亿")
    assert nice_ticks(12_345, "zh_CN").labels[-1] == "15,000"  # headroom above 12,345
    assert nice_ticks(3, "zh_CN").labels == ("0", "1", "2", "3", "4")
    assert nice_ticks(0.28, "en", whole=False).labels == ("0", "0.1", "0.2", "0.3")
    assert nice_ticks(0, "zh_CN").labels == ("0", "1")


def test_widest_text_columns_give_way_first_and_rigid_ones_never():
    widths, scale = plan_widths([100, 300, 40, 200], [True, False, False, False], [100, 40, 30, 40], 500)
    assert scale == 1.0 and widths[0] == 100 and widths[2] == 40  # the code and the short column stay whole
    assert abs(sum(widths) - 500) < 0.01 and widths[1] == widths[3] < 200
    widths, scale = plan_widths([300, 300], [True, True], [300, 300], 400)
    assert scale < 1.0 and abs(sum(widths) - 400) < 0.01  # nothing can give: a smaller font


def test_wrapping_breaks_chinese_anywhere_but_latin_at_spaces():
    m = Metrics(cjk_font(), 10)
    lines = wrap_lines(LONG_NAME, 100, m)
    assert "".join(lines) == LONG_NAME and all(m.width(line) <= 100 for line in lines)
    lines = wrap_lines("Shanghai Cloud Software Company Limited", 80, m)
    assert all(not line.startswith(" ") and " ".join(lines).split() == "Shanghai Cloud Software Company Limited".split()
               for line in lines)
    assert all(m.width(line) <= 80 for line in lines)
