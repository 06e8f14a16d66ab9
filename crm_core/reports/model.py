"""The shape of a report: plain data between the builders and the renderers.

Builders (``crm_core.reports.builders``) return a :class:`Report`; renderers
(``render_xlsx``, ``render_pdf``) write one to a file in the reader's language.
All labels are :class:`Text` (zh_CN and en); cell values are plain Python
values (``int``, ``Decimal`` for money, ``float`` for ratios/hours,
``datetime.date``, ``str``, or ``None``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from crm_core.i18n import Text


class Kind(StrEnum):
    """How a column's values are typed in xlsx and formatted in PDF."""

    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"  # Decimal, two places
    DATE = "date"
    DATETIME = "datetime"
    PERCENT = "percent"  # float 0..1
    NUMBER = "number"  # float, e.g. hours or days, one decimal
    MONTH = "month"  # 'YYYY-MM': a real date (the 1st, shown yyyy-mm) in xlsx, the text itself in PDF


_MONTH_KEY = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def month_start(value: Any) -> dt.date | None:
    """The 1st of the month ``'YYYY-MM'`` (a :attr:`Kind.MONTH` value); None for anything else."""
    if isinstance(value, str) and _MONTH_KEY.fullmatch(value):
        return dt.date(int(value[:4]), int(value[5:]), 1)
    return None


@dataclass(frozen=True)
class Column:
    key: str
    label: Text
    kind: Kind = Kind.TEXT


@dataclass
class Table:
    """One table of a report; ``totals`` (same keys as rows) is shown as a last, bold row."""

    title: Text
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None = None


class ChartKind(StrEnum):
    BAR = "bar"
    LINE = "line"
    PIE = "pie"


@dataclass
class Series:
    name: Text
    values: list[float | int]


@dataclass
class Chart:
    """A chart over ``categories`` (bar/line: one or more series; pie: exactly one)."""

    title: Text
    kind: ChartKind
    categories: list[str]
    series: list[Series]


@dataclass(frozen=True)
class ReportFilters:
    """What every report may be filtered by (SPEC: level, industry, owner, time range).

    ``date_from``/``date_to`` are inclusive local dates; None means open-ended.
    ``level`` is a code of ``choices.LEVEL``, ``industry`` a dictionary code,
    ``owner_id`` a user id.
    """

    level: str | None = None
    industry: str | None = None
    owner_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass
class Report:
    """A finished report: what was asked, by whom, when, and its sections in order.

    ``filters_shown`` lists (label, value already in words) pairs for the
    header, e.g. (Text("行业", "Industry"), Text("软件", "Software")).
    """

    key: str
    title: Text
    filters: ReportFilters
    filters_shown: list[tuple[Text, Text]]
    generated_at: dt.datetime  # UTC-aware
    generated_by: str  # the user's display name
    sections: list[Table | Chart] = field(default_factory=list)


# ------------------------------------------------------------------ dashboard

@dataclass(frozen=True)
class GridTarget:
    """Where a click on a tile or a bar leads: a module's grid with these filters.

    ``filters`` are :class:`crm_core.lists.Filter` values the module's
    ``list()`` accepts, so the client opens exactly the records counted.
    """

    module: str
    filters: tuple[Any, ...] = ()


@dataclass
class Tile:
    """One figure on the dashboard (新增客户, 成交客户, 平均跟进周期, 流失率, ...)."""

    key: str
    label: Text
    value: int | float | Any | None  # Decimal for money; None when there is nothing to measure
    kind: Kind
    target: GridTarget | None = None
    hint: Text | None = None  # what the figure means, shown as a tooltip


@dataclass
class DashboardChart:
    """A chart plus, per category, the grid a click on it opens (None: not clickable)."""

    chart: Chart
    targets: list[GridTarget | None]


@dataclass
class Dashboard:
    """Everything the dashboard page shows for one period, within the actor's scope.

    ``personal`` is True when the figures are limited to the actor's own
    customers (row scope "own", e.g. a salesperson).
    """

    date_from: dt.date
    date_to: dt.date
    personal: bool
    tiles: list[Tile]
    charts: list[DashboardChart]


# ------------------------------------------------------------------ language

def localize(report: Report, lang: str) -> Report:
    """A copy of ``report`` whose :class:`Text` cells and chart categories are plain strings in ``lang``.

    Builders put category labels (statuses, industries...) into cells and chart
    categories as :class:`Text` so that one report can be written in either
    language; renderers and previews work on the localized copy.
    """
    def plain(value: Any) -> Any:
        return value(lang) if isinstance(value, Text) else value

    sections: list[Table | Chart] = []
    for section in report.sections:
        if isinstance(section, Table):
            sections.append(Table(section.title, section.columns,
                                  [{k: plain(v) for k, v in row.items()} for row in section.rows],
                                  {k: plain(v) for k, v in section.totals.items()} if section.totals else None))
        else:
            sections.append(Chart(section.title, section.kind, [plain(c) for c in section.categories],
                                  section.series))
    return Report(report.key, report.title, report.filters, report.filters_shown, report.generated_at,
                  report.generated_by, sections)
