"""客户统计 and 转化趋势: customer counts and the prospect → won conversion by month.

Customers count when they are active (not 失效) and within the actor's row
scope and the level / industry / owner filters. The period selects customers
by their created time (local day).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, distinct, exists, func, select

from crm_core.i18n import Text
from crm_core.models import Customer, CustomerStatusChange
from crm_core.modules.choices import CUSTOMER_STATUS, LEVEL
from crm_core.reports.labels import (COUNT, MONTH, SHARE, TOTAL, choice_labels, dictionary_labels, label,
                                     user_names)
from crm_core.reports.model import Chart, ChartKind, Column, Kind, Series, Table
from crm_core.reports.queries import ReportQuery, month_axis

CUSTOMERS_TITLE = Text("客户统计", "Customer statistics")
CONVERSION_TITLE = Text("转化趋势", "Conversion trend")
NEW = Text("新增客户", "New customers")
WON = Text("成交客户", "Won customers")


def breakdown(title: Text, key_label: Text, counts: list[tuple[Any, int]], labels: dict[Any, Text],
              order_first: list[Any] | None = None) -> Table:
    """A count-by-category table with shares and a total row.

    Args:
        counts: (code, count) pairs from a GROUP BY.
        order_first: codes in display order (e.g. statuses in workflow order); others follow by count.
    """
    found = dict(counts)
    order = [c for c in (order_first or []) if c in found]
    order += sorted((c for c in found if c not in order), key=lambda c: (-found[c], str(c)))
    total = sum(found.values())
    rows = [{"key": label(labels, c), "count": found[c], "share": found[c] / total if total else 0.0}
            for c in order]
    columns = [Column("key", key_label), Column("count", COUNT, Kind.INTEGER), Column("share", SHARE, Kind.PERCENT)]
    return Table(title, columns, rows, {"key": TOTAL, "count": total, "share": 1.0 if total else 0.0})


def _customers(q: ReportQuery) -> Any:
    return and_(Customer.is_active.is_(True), q.customer_condition, q.in_period(Customer.created_at))


def _count_by(q: ReportQuery, col: Any) -> list[tuple[Any, int]]:
    return [(k, int(n)) for k, n in q.rows(select(col, func.count()).where(_customers(q)).group_by(col))]


def build_customers(q: ReportQuery) -> list[Table | Chart]:
    """Counts by status, level, industry, source and owner, and new customers per month."""
    industries, sources = dictionary_labels(q.s, "industry"), dictionary_labels(q.s, "source")
    statuses = choice_labels(CUSTOMER_STATUS)
    by_status = _count_by(q, Customer.status)
    q.step(1, 6)
    by_owner = _count_by(q, Customer.owner_id)
    owners = user_names(q.s, [k for k, _ in by_owner])
    sections: list[Table | Chart] = [
        breakdown(Text("按客户状态", "By status"), Text("客户状态", "Status"), by_status, statuses,
                  [c.code for c in CUSTOMER_STATUS]),
        breakdown(Text("按重要级别", "By importance"), Text("重要级别", "Importance"), _count_by(q, Customer.level),
                  choice_labels(LEVEL), [c.code for c in LEVEL]),
        breakdown(Text("按所属行业", "By industry"), Text("所属行业", "Industry"), _count_by(q, Customer.industry),
                  industries),
        breakdown(Text("按客户来源", "By source"), Text("客户来源", "Source"), _count_by(q, Customer.source), sources),
        breakdown(Text("按跟进人", "By owner"), Text("跟进人", "Owner"), by_owner, owners),
    ]
    q.step(5, 6)
    status_order = [c.code for c in CUSTOMER_STATUS if c.code in dict(by_status)]
    sections.append(Chart(Text("客户状态分布", "Customers by status"), ChartKind.PIE,
                          [statuses[c] for c in status_order],
                          [Series(COUNT, [dict(by_status)[c] for c in status_order])]))
    sections += _new_per_month(q)
    q.step(6, 6)
    return sections


def _new_per_month(q: ReportQuery) -> list[Table | Chart]:
    month = q.month(Customer.created_at)
    found = {k: int(n) for k, n in q.rows(select(month, func.count()).where(_customers(q)).group_by(month))}
    axis = month_axis(found, q.filters.date_from, q.filters.date_to)
    rows = [{"month": m, "count": found.get(m, 0)} for m in axis]
    table = Table(Text("每月新增客户", "New customers per month"),
                  [Column("month", MONTH, Kind.MONTH), Column("count", NEW, Kind.INTEGER)], rows,
                  {"month": TOTAL, "count": sum(found.values())})
    chart = Chart(Text("每月新增客户", "New customers per month"), ChartKind.BAR, axis,
                  [Series(NEW, [r["count"] for r in rows])])
    return [table, chart]


def build_conversion(q: ReportQuery) -> list[Table | Chart]:
    """Cohorts by month created: how many became 成交客户 (ever), and wins recorded per month.

    Conversion rate of a month = customers created that month that have ever
    been moved to 成交客户 (a status change to "won") / customers created that
    month. "Won in month" counts customers moved to won in that month
    (customer_status_changes), whenever they were created.
    """
    month = q.month(Customer.created_at)
    ever_won = exists().where(CustomerStatusChange.customer_id == Customer.id,
                              CustomerStatusChange.to_status == "won")
    cohort = {k: (int(n), int(w or 0)) for k, n, w in q.rows(
        select(month, func.count(), func.sum(case((ever_won, 1), else_=0)))
        .where(_customers(q)).group_by(month))}
    q.step(1, 2)
    won_month = q.month(CustomerStatusChange.changed_at)
    wins = {k: int(n) for k, n in q.rows(
        select(won_month, func.count(distinct(CustomerStatusChange.customer_id)))
        .join(Customer, Customer.id == CustomerStatusChange.customer_id)
        .where(CustomerStatusChange.to_status == "won", Customer.is_active.is_(True), q.customer_condition,
               q.in_period(CustomerStatusChange.changed_at)).group_by(won_month))}
    q.step(2, 2)
    axis = month_axis(set(cohort) | set(wins), q.filters.date_from, q.filters.date_to)
    rows = []
    for m in axis:
        new, converted = cohort.get(m, (0, 0))
        rows.append({"month": m, "new": new, "converted": converted,
                     "rate": converted / new if new else None, "won": wins.get(m, 0)})
    new_total = sum(n for n, _ in cohort.values())
    converted_total = sum(w for _, w in cohort.values())
    table = Table(Text("潜在客户 → 成交客户（按月）", "Prospect → won by month"), [
        Column("month", MONTH, Kind.MONTH), Column("new", NEW, Kind.INTEGER),
        Column("converted", Text("其中已成交", "Of which won"), Kind.INTEGER),
        Column("rate", Text("转化率", "Conversion rate"), Kind.PERCENT),
        Column("won", Text("当月成交", "Won in month"), Kind.INTEGER)], rows,
        {"month": TOTAL, "new": new_total, "converted": converted_total,
         "rate": converted_total / new_total if new_total else None, "won": sum(wins.values())})
    chart = Chart(Text("每月新增与成交", "New and won customers per month"), ChartKind.LINE, axis,
                  [Series(NEW, [r["new"] for r in rows]), Series(WON, [r["won"] for r in rows])])
    return [table, chart]
