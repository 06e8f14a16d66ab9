"""Dashboard charts label their value axis as figures are read: 1,500万 in Chinese, 15,000,000 in English."""

from __future__ import annotations

from PySide6.QtCore import Qt

from crm_core.i18n import Text
from crm_core.reports.model import Chart, ChartKind, Series
from crm_desktop.dashboard.charts import ChartPanel

MONTHS = ["2026-01", "2026-02", "2026-03"]


def _labels(qtbot, chart: Chart, lang: str) -> list[str]:
    panel = ChartPanel(chart, lang)
    qtbot.addWidget(panel)
    return panel.chart().axes(Qt.Orientation.Vertical)[0].categoriesLabels()


def test_money_axis_in_wan_and_with_separators(qtbot):
    chart = Chart(Text("每月签约金额", "Signed"), ChartKind.BAR, MONTHS,
                  [Series(Text("签约金额", "Signed"), [15_000_000, 2_500_000, 9_000_000])])

    assert _labels(qtbot, chart, "zh_CN") == ["0", "500万", "1,000万", "1,500万", "2,000万"]
    assert _labels(qtbot, chart, "en")[-2:] == ["15,000,000", "20,000,000"]


def test_small_counts_get_whole_ticks(qtbot):
    chart = Chart(Text("新增客户", "New"), ChartKind.LINE, MONTHS, [Series(Text("新增", "New"), [1, 3, 2])])

    assert _labels(qtbot, chart, "zh_CN") == ["0", "1", "2", "3", "4"]
