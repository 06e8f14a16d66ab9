"""The dashboard's four charts, each category with the grid a click on it opens."""

from __future__ import annotations

from collections import defaultdict

from typing import Any

from sqlalchemy import ColumnElement, and_, func, select

from crm_core.i18n import Text
from crm_core.lists import Filter
from crm_core.models import Customer, CustomerStatusChange, Ticket
from crm_core.modules.choices import CUSTOMER_STATUS
from crm_core.reports import builders_service as service
from crm_core.reports.labels import COUNT, choice_labels, dictionary_labels, label
from crm_core.reports.model import Chart, ChartKind, DashboardChart, GridTarget, Series
from crm_core.reports.queries import ReportQuery, day_span, month_axis, month_bounds

ACTIVE = Filter("is_active", "eq", True)
# A figure that would need more ids than this in its filter opens no grid (the figure stays exact).
MAX_TARGET_IDS = 2000
NEW = Text("新增客户", "New customers")
WON = Text("成交客户", "Won customers")


def id_target(module: str, ids: list[int]) -> GridTarget | None:
    """A grid of exactly these records (None when there are none or too many to pass as a filter)."""
    if not ids or len(ids) > MAX_TARGET_IDS:
        return None
    return GridTarget(module, (Filter("id", "in", tuple(sorted(ids))),))


def charts(q: ReportQuery, lang: str) -> list[DashboardChart]:
    """New customers per month (bar), won per month (line), customers by status (pie), backlog by severity (bar).

    Labels are in ``lang`` (the actor's language): chart categories are plain text.
    """
    return [new_per_month(q, lang), won_per_month(q, lang), by_status(q, lang), backlog_by_severity(q, lang)]


def _active_customers(q: ReportQuery) -> ColumnElement[bool]:
    return and_(Customer.is_active.is_(True), q.customer_condition)


def _month_span(q: ReportQuery, key: str) -> tuple[Any, Any]:
    """UTC bounds of month ``key`` clipped to the period."""
    first, last = month_bounds(key)
    return day_span(max(first, q.filters.date_from), min(last, q.filters.date_to))


def new_per_month(q: ReportQuery, lang: str) -> DashboardChart:
    month = q.month(Customer.created_at)
    found = dict(q.rows(select(month, func.count()).where(_active_customers(q), q.in_period(Customer.created_at))
                        .group_by(month)))
    axis = month_axis(found, q.filters.date_from, q.filters.date_to)
    targets = [GridTarget("customers", (Filter("created_at", "between", _month_span(q, m)), ACTIVE)) for m in axis]
    chart = Chart(Text("每月新增客户", "New customers per month"), ChartKind.BAR, axis,
                  [Series(NEW, [int(found.get(m, 0)) for m in axis])])
    return DashboardChart(chart, targets)


def won_per_month(q: ReportQuery, lang: str) -> DashboardChart:
    month = q.month(CustomerStatusChange.changed_at)
    ids: dict[str, set[int]] = defaultdict(set)
    for m, cid in q.rows(select(month, CustomerStatusChange.customer_id).distinct()
                         .join(Customer, Customer.id == CustomerStatusChange.customer_id)
                         .where(CustomerStatusChange.to_status == "won", _active_customers(q),
                                q.in_period(CustomerStatusChange.changed_at))):
        ids[m].add(cid)
    axis = month_axis(ids, q.filters.date_from, q.filters.date_to)
    chart = Chart(Text("每月成交客户", "Won customers per month"), ChartKind.LINE, axis,
                  [Series(WON, [len(ids.get(m, ())) for m in axis])])
    return DashboardChart(chart, [id_target("customers", sorted(ids.get(m, ()))) for m in axis])


def by_status(q: ReportQuery, lang: str) -> DashboardChart:
    """Every active customer in scope by its status now (the period does not apply)."""
    found = dict(q.rows(select(Customer.status, func.count()).where(_active_customers(q)).group_by(Customer.status)))
    labels = choice_labels(CUSTOMER_STATUS)
    codes = [c.code for c in CUSTOMER_STATUS if c.code in found]
    chart = Chart(Text("客户状态分布", "Customers by status"), ChartKind.PIE, [label(labels, c)(lang) for c in codes],
                  [Series(COUNT, [int(found[c]) for c in codes])])
    return DashboardChart(chart, [GridTarget("customers", (Filter("status", "eq", c), ACTIVE)) for c in codes])


def backlog_by_severity(q: ReportQuery, lang: str) -> DashboardChart:
    """Tickets open or in progress now, by severity."""
    found = dict(q.rows(select(Ticket.severity, func.count()).where(service.backlog_condition(),
                                                                    q.of_customers(Ticket.customer_id))
                        .group_by(Ticket.severity)))
    labels = dictionary_labels(q.s, "severity")
    order = {code: i for i, code in enumerate(labels)}
    codes = sorted(found, key=lambda c: order.get(c, len(order)))
    chart = Chart(Text("未解决工单（按问题级别）", "Open tickets by severity"), ChartKind.BAR,
                  [label(labels, c)(lang) for c in codes], [Series(COUNT, [int(found[c]) for c in codes])])
    targets = [GridTarget("tickets", (Filter("status", "in", service.BACKLOG_STATUSES), Filter("severity", "eq", c),
                                      ACTIVE)) for c in codes]
    return DashboardChart(chart, targets)
