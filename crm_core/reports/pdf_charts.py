"""Report charts as reportlab drawings (bar, line, pie) with CJK labels and readable axes (1,500万)."""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from crm_core.reports.axis import nice_ticks
from crm_core.reports.model import Chart, ChartKind
from crm_core.reports.pdf_base import cjk_font, pdf_text

PALETTE = [colors.HexColor(c) for c in ("#4472C4", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5",
                                        "#70AD47", "#264478", "#9E480E", "#636363", "#997300")]
HEIGHT = 210


def chart_drawing(chart: Chart, lang: str, width: float) -> Drawing:
    """``chart`` drawn ``width`` points wide with a legend where series need naming (the caller titles it)."""
    drawing = Drawing(width, HEIGHT)
    if not chart.categories or not chart.series:
        return drawing
    if chart.kind is ChartKind.PIE:
        _add_pie(drawing, chart, width)
    else:
        _add_axes_chart(drawing, chart, lang, width)
    return drawing


def _labels(chart: Chart) -> list[str]:
    return [pdf_text(str(c)) for c in chart.categories]


def _add_axes_chart(drawing: Drawing, chart: Chart, lang: str, width: float) -> None:
    plot = VerticalBarChart() if chart.kind is ChartKind.BAR else HorizontalLineChart()
    many = len(chart.categories) > 8
    plot.data = [tuple(float(v or 0) for v in s.values) for s in chart.series]
    ticks = nice_ticks(max((max(d) for d in plot.data if d), default=0), lang,
                       whole=all(float(v).is_integer() for d in plot.data for v in d))
    label_room = max(stringWidth(label, cjk_font(), 7.5) for label in ticks.labels)
    plot.x, plot.y = label_room + 12, 60 if many else 40
    plot.width = width - plot.x - (125 if len(chart.series) > 1 else 25)
    plot.height = HEIGHT - plot.y - 12
    axis = plot.categoryAxis
    axis.categoryNames = _labels(chart)
    axis.labels.fontName, axis.labels.fontSize = cjk_font(), 7.5
    if many:
        axis.labels.angle, axis.labels.boxAnchor, axis.labels.dy = 35, "ne", -2
    value_axis = plot.valueAxis
    value_axis.labels.fontName, value_axis.labels.fontSize = cjk_font(), 7.5
    value_axis.valueMin, value_axis.valueMax, value_axis.valueStep = 0, ticks.top, ticks.step
    labels = dict(zip([round(v, 9) for v in ticks.values], ticks.labels))
    value_axis.labelTextFormat = lambda v: labels.get(round(v, 9), "")
    value_axis.visibleGrid, value_axis.gridStrokeColor = True, colors.HexColor("#D9D9D9")
    for i in range(len(chart.series)):
        color = PALETTE[i % len(PALETTE)]
        if chart.kind is ChartKind.BAR:
            plot.bars[i].fillColor, plot.bars[i].strokeColor = color, color
        else:
            plot.lines[i].strokeColor, plot.lines[i].strokeWidth = color, 1.8
            plot.lines[i].symbol = makeMarker("FilledCircle", size=3.5, fillColor=color)
    drawing.add(plot)
    if len(chart.series) > 1:
        _add_legend(drawing, [(PALETTE[i % len(PALETTE)], s.name(lang)) for i, s in enumerate(chart.series)],
                    x=plot.x + plot.width + 20, y=plot.y + plot.height)


def _add_pie(drawing: Drawing, chart: Chart, width: float) -> None:
    values = [float(v or 0) for v in chart.series[0].values]
    total = sum(values)
    pie = Pie()
    size = HEIGHT - 30
    pie.x, pie.y, pie.width, pie.height = 40, 15, size, size
    pie.data = values if total > 0 else [1.0] * len(values)
    pie.labels = None
    pie.slices.strokeColor, pie.slices.strokeWidth = colors.white, 0.8
    for i in range(len(values)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
    drawing.add(pie)
    pairs = []
    for i, (name, value) in enumerate(zip(_labels(chart), values, strict=False)):
        share = f"{value / total * 100:.1f}%" if total > 0 else "-"
        pairs.append((PALETTE[i % len(PALETTE)], f"{name}  {_number(value)} ({share})"))
    _add_legend(drawing, pairs, x=pie.x + size + 40, y=pie.y + size)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _add_legend(drawing: Drawing, pairs: list[tuple[colors.Color, str]], *, x: float, y: float) -> None:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.fontName, legend.fontSize = cjk_font(), 8
    legend.columnMaximum = 10
    legend.dx = legend.dy = 7
    legend.deltay = 11
    legend.colorNamePairs = [(color, pdf_text(name)) for color, name in pairs]
    drawing.add(legend)
