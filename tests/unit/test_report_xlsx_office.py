"""The report's xlsx as an office suite reads it: LibreOffice (headless) opens the streamed workbook.

The report sheet is written by our own stream writer (crm_core.exporting.xlsx_stream) with
native charts placed through a drawing part; LibreOffice converts it to CSV (every cell as
shown: Chinese, formatted money, percentages, dates, the total row) and to ODS (its own
format: the three charts are there, as chart objects over the data ranges).
"""

from __future__ import annotations

import csv
import zipfile

from crm_core.reports.render_xlsx import write_report_xlsx
from tests.integration.test_export_office import soffice  # noqa: F401  (the fixture)
from tests.unit.test_render_report import _report


def test_libreoffice_reads_the_report_cells_and_its_charts(soffice, tmp_path):  # noqa: F811
    path = tmp_path / "report.xlsx"
    write_report_xlsx(_report(rows=3), path, "zh_CN")

    out = soffice(path, "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.reader(fh)]
    assert rows[0][0] == "客户统计报表" and rows[1][0] == "筛选：重要级别 = A（高价值）"
    table = next(i for i, r in enumerate(rows) if r[:1] == ["按跟进人统计"])
    assert rows[table + 1][:5] == ["跟进人", "客户数", "合同金额", "成交率", "首次签约"]
    assert rows[table + 2][:6] == ["销售1号", "1", "1,000.50", "1.0%", "2026-01-02", "2026-02"]
    assert rows[table + 5][0] == '=HYPERLINK("http://evil.example")'  # text, never evaluated
    assert rows[table + 6][:3] == ["合计", "6", "6,003.00"]
    chart_data = next(i for i, r in enumerate(rows) if r[:1] == ["每月新增客户"])
    assert rows[chart_data + 1][:3] == ["类别", "新增", "成交"] and rows[chart_data + 2][:3] == ["2026-01", "3", "1"]

    ods = soffice(path, "ods", tmp_path / "ods")
    with zipfile.ZipFile(ods) as z:
        objects = [n for n in z.namelist() if n.startswith("Object ") and n.endswith("content.xml")]
        charts = [z.read(n).decode() for n in objects]
    assert len(charts) == 3
    kinds = sorted(next(k for k in ("chart:bar", "chart:line", "chart:circle") if f'chart:class="{k}"' in c)
                   for c in charts)
    assert kinds == ["chart:bar", "chart:circle", "chart:line"]
