"""Report and dashboard charts drawn with QtCharts; a click on a bar, point or slice opens its records."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (QBarCategoryAxis, QBarSeries, QBarSet, QCategoryAxis, QChart, QChartView, QLineSeries,
                              QPieSeries, QPieSlice)
from PySide6.QtCore import QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QPainter
from PySide6.QtWidgets import QToolTip, QWidget

from crm_core.i18n import Text
from crm_core.reports.axis import nice_ticks
from crm_core.reports.model import Chart, ChartKind, GridTarget

# Calm, distinguishable colours (also for colour-blind readers), in series/slice order.
PALETTE = ("#2f6fdf", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f", "#bab0ac")
MIN_HEIGHT = 280
PIE_LABEL_SHARE = 0.04  # slices under 4 % keep their label to the legend: labels would collide


class ChartPanel(QChartView):
    """One :class:`Chart`, with an optional grid target per category.

    Signals:
        target_clicked(object): the :class:`GridTarget` of the category clicked.
    """

    target_clicked = Signal(object)

    def __init__(self, chart: Chart, lang: str, targets: Sequence[GridTarget | None] = (),
                 parent: QWidget | None = None):
        """Draw ``chart`` in ``lang``; ``targets[i]`` is what a click on category ``i`` opens (None: nothing)."""
        super().__init__(parent)
        self.source = chart
        # Categories may be bilingual (statuses, severities) or plain (months).
        self.categories = [c(lang) if isinstance(c, Text) else str(c) for c in chart.categories]
        self.targets = list(targets) + [None] * (len(chart.categories) - len(targets))
        self.setObjectName(f"chart_{chart.kind.value}")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(MIN_HEIGHT)
        qchart = QChart()
        qchart.setTitle(chart.title(lang))
        title_font = QFont(self.font())
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.1)
        qchart.setTitleFont(title_font)
        qchart.setMargins(QMargins(6, 6, 6, 6))
        qchart.setAnimationOptions(QChart.AnimationOption.NoAnimation)  # figures, not a show
        qchart.legend().setFont(self.font())
        if chart.kind is ChartKind.PIE:
            self._add_pie(qchart, chart)
        else:
            self._add_bars_or_lines(qchart, chart, lang)
        self.setChart(qchart)

    # ------------------------------------------------------------ building

    def _add_pie(self, qchart: QChart, chart: Chart) -> None:
        series = QPieSeries()
        values = chart.series[0].values if chart.series else []
        total = sum(values) or 1
        for i, (category, value) in enumerate(zip(self.categories, values, strict=False)):
            piece = series.append(f"{category} {value:,}", float(value))
            piece.setColor(QColor(PALETTE[i % len(PALETTE)]))
            piece.setLabelVisible(value / total >= PIE_LABEL_SHARE)
            piece.setLabelFont(self.font())
            piece.hovered.connect(lambda on, p=piece, c=category, v=value: self._on_slice_hovered(on, p, c, v, total))
            piece.clicked.connect(lambda i=i: self._open(i))
        series.setPieSize(0.62)
        qchart.addSeries(series)
        qchart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)

    def _add_bars_or_lines(self, qchart: QChart, chart: Chart, lang: str) -> None:
        axis_x = QBarCategoryAxis()
        axis_x.append(self.categories)
        axis_x.setLabelsFont(self.font())
        axis_x.setTruncateLabels(False)  # "2026-01" cut to "20…" says nothing
        if len(chart.categories) > 8:
            axis_x.setLabelsAngle(-90)  # twelve month names side by side would overlap
        axis_y = value_axis([v for s in chart.series for v in s.values], lang)
        axis_y.setLabelsFont(self.font())
        qchart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        qchart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        if chart.kind is ChartKind.BAR:
            series = QBarSeries()
            for n, source in enumerate(chart.series):
                bar_set = QBarSet(source.name(lang))
                bar_set.append([float(v) for v in source.values])
                bar_set.setColor(QColor(PALETTE[n % len(PALETTE)]))
                bar_set.clicked.connect(self._open)
                bar_set.hovered.connect(lambda on, i, s=source, b=bar_set: self._on_bar_hovered(on, i, s.values, b))
                series.append(bar_set)
            qchart.addSeries(series)
            series.attachAxis(axis_x)
            series.attachAxis(axis_y)
        else:
            for n, source in enumerate(chart.series):
                line = QLineSeries()
                line.setName(source.name(lang))
                line.setPointsVisible(True)
                pen = line.pen()
                pen.setColor(QColor(PALETTE[n % len(PALETTE)]))
                pen.setWidthF(2.5)
                line.setPen(pen)
                line.setMarkerSize(7)
                for i, value in enumerate(source.values):
                    line.append(float(i), float(value))
                line.clicked.connect(self._on_line_clicked)
                qchart.addSeries(line)
                line.attachAxis(axis_x)
                line.attachAxis(axis_y)
        qchart.legend().setVisible(len(chart.series) > 1)  # one series: the title says what it is

    # --------------------------------------------------------------- slots

    def _open(self, index: int) -> None:
        if 0 <= index < len(self.targets) and self.targets[index] is not None:
            self.target_clicked.emit(self.targets[index])

    def _on_line_clicked(self, point: QPointF) -> None:
        self._open(round(point.x()))

    def _on_bar_hovered(self, on: bool, index: int, values: Sequence[float], bar_set: QBarSet) -> None:
        self._hover(on, index, f"{bar_set.label()} · {self.categories[index]}: {values[index]:,}")

    def _on_slice_hovered(self, on: bool, piece: QPieSlice, category: str, value: float, total: float) -> None:
        piece.setExploded(on)
        index = self.categories.index(category)
        self._hover(on, index, f"{category}: {value:,} ({value / total:.0%})")

    def _hover(self, on: bool, index: int, text: str) -> None:
        clickable = on and self.targets[index] is not None
        self.setCursor(Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor)
        if on:
            QToolTip.showText(QCursor.pos(), text, self)
        else:
            QToolTip.hideText()


def value_axis(values: Sequence[float], lang: str) -> QCategoryAxis:
    """A value axis from zero to a round number, labelled "1,500万" / "15,000,000" (QValueAxis's printf
    formats cannot group digits), with the same ticks as the PDF charts."""
    ticks = nice_ticks(max([float(v) for v in values] + [0.0]), lang,
                       whole=all(float(v).is_integer() for v in values))
    axis = QCategoryAxis()
    axis.setRange(0, ticks.top)
    axis.setStartValue(0)
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    for label, value in zip(ticks.labels, ticks.values):
        axis.append(label, value)
    return axis
