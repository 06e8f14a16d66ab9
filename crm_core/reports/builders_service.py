"""服务工单KPI and 授权报表: ticket KPIs per engineer and per city/store, and license seats and expiry.

Ticket KPIs (deactivated tickets left out):
* opened: tickets created in the period;
* resolved: tickets whose resolution time (resolved_at) falls in the period;
* average / p90 resolution hours: resolved_at − created_at of those resolved
  tickets, p90 by the nearest-rank method (see :func:`queries.p90`);
* backlog: tickets open or in progress now, whatever the period.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select

from crm_core.i18n import Text
from crm_core.models import Customer, License, LicensedMachine, Ticket
from crm_core.reports.labels import COUNT, TOTAL, dictionary_labels, label, user_names
from crm_core.reports.model import Chart, ChartKind, Column, Kind, Series, Table
from crm_core.reports.queries import ReportQuery, hours_between, p90

TICKETS_TITLE = Text("服务工单KPI", "Service ticket KPIs")
LICENSES_TITLE = Text("授权报表", "License report")
BACKLOG_STATUSES = ("open", "in_progress")
KPI_COLUMNS = [
    Column("opened", Text("新建", "Opened"), Kind.INTEGER),
    Column("resolved", Text("已解决", "Resolved"), Kind.INTEGER),
    Column("avg_hours", Text("平均解决时长（小时）", "Average resolution (hours)"), Kind.NUMBER),
    Column("p90_hours", Text("P90 解决时长（小时）", "P90 resolution (hours)"), Kind.NUMBER),
    Column("backlog", Text("待处理积压", "Backlog"), Kind.INTEGER),
]


def _tickets(q: ReportQuery) -> ColumnElement[bool]:
    return and_(Ticket.is_active.is_(True), q.of_customers(Ticket.customer_id))


def backlog_condition() -> ColumnElement[bool]:
    return and_(Ticket.is_active.is_(True), Ticket.status.in_(BACKLOG_STATUSES))


def _kpis(q: ReportQuery, keys: list[Any]) -> dict[tuple, dict[str, Any]]:
    """KPI figures grouped by ``keys`` (columns of Ticket)."""
    out: dict[tuple, dict[str, Any]] = defaultdict(_empty_kpis)
    for *k, n in q.rows(select(*keys, func.count()).where(_tickets(q), q.in_period(Ticket.created_at)).group_by(*keys)):
        out[tuple(k)]["opened"] = int(n)
    hours = hours_between(Ticket.created_at, Ticket.resolved_at, q.dialect)
    resolved = and_(_tickets(q), Ticket.resolved_at.is_not(None), q.in_period(Ticket.resolved_at))
    for *k, n, avg in q.rows(select(*keys, func.count(), func.avg(hours)).where(resolved).group_by(*keys)):
        # Without grouping keys an empty period still gives one row: (0, NULL).
        out[tuple(k)].update(resolved=int(n), avg_hours=round(float(avg), 1) if avg is not None else None)
    durations: dict[tuple, list[float]] = defaultdict(list)
    for *k, h in q.rows(select(*keys, hours).where(resolved).order_by(*keys, hours)):
        durations[tuple(k)].append(float(h))  # only the one column, already sorted: for the p90
    for k, values in durations.items():
        out[k]["p90_hours"] = round(p90(values), 1)
    for *k, n in q.rows(select(*keys, func.count()).where(_tickets(q), backlog_condition()).group_by(*keys)):
        out[tuple(k)]["backlog"] = int(n)
    return out


def _empty_kpis() -> dict[str, Any]:
    return {"opened": 0, "resolved": 0, "avg_hours": None, "p90_hours": None, "backlog": 0}


def _overall(q: ReportQuery) -> dict[str, Any]:
    return _kpis(q, []).get((), _empty_kpis())


def build_tickets(q: ReportQuery) -> list[Table | Chart]:
    """KPIs per engineer, per city and store, and the backlog by severity."""
    overall = _overall(q)
    q.step(1, 4)
    per_engineer = _kpis(q, [Ticket.engineer_id])
    names = user_names(q.s, [k[0] for k in per_engineer])
    rows = [{"engineer": label(names, k[0]), **v} for k, v in
            sorted(per_engineer.items(), key=lambda kv: (kv[0][0] is None, -kv[1]["opened"], kv[0][0] or 0))]
    engineers = Table(Text("按工程师", "By engineer"),
                      [Column("engineer", Text("问题跟踪工程师", "Engineer")), *KPI_COLUMNS], rows,
                      {"engineer": TOTAL, **overall})
    q.step(2, 4)
    per_place = _kpis(q, [Ticket.city, Ticket.store])
    place_rows = [{"city": label({}, k[0]), "store": label({}, k[1]), **v} for k, v in
                  sorted(per_place.items(), key=lambda kv: (str(kv[0][0] or ""), str(kv[0][1] or "")))]
    places = Table(Text("按城市/门店", "By city and store"),
                   [Column("city", Text("城市", "City")), Column("store", Text("门店", "Store")), *KPI_COLUMNS],
                   place_rows, {"city": TOTAL, "store": None, **overall})
    q.step(3, 4)
    severities = dictionary_labels(q.s, "severity")
    by_severity = q.rows(select(Ticket.severity, func.count()).where(_tickets(q), backlog_condition())
                         .group_by(Ticket.severity))
    order = {code: i for i, code in enumerate(severities)}
    by_severity.sort(key=lambda r: order.get(r[0], len(order)))
    backlog = Table(Text("积压工单（按问题级别）", "Backlog by severity"),
                    [Column("severity", Text("问题级别", "Severity")), Column("count", COUNT, Kind.INTEGER)],
                    [{"severity": label(severities, k), "count": int(n)} for k, n in by_severity],
                    {"severity": TOTAL, "count": sum(int(n) for _, n in by_severity)})
    chart = Chart(Text("积压工单（按问题级别）", "Backlog by severity"), ChartKind.BAR,
                  [label(severities, k) for k, _ in by_severity], [Series(COUNT, [int(n) for _, n in by_severity])])
    q.step(4, 4)
    return [engineers, places, backlog, chart]


# ----------------------------------------------------------------- licenses

EXPIRY_BUCKETS = ((30, Text("30 天内", "Within 30 days")), (60, Text("31–60 天", "31–60 days")),
                  (90, Text("61–90 天", "61–90 days")))


def expiring_condition(today: dt.date, days: int) -> ColumnElement[bool]:
    """Active licenses whose last valid day is today or within ``days`` days."""
    return and_(License.is_active.is_(True), License.valid_until >= today,
                License.valid_until <= today + dt.timedelta(days=days))


def build_licenses(q: ReportQuery) -> list[Table | Chart]:
    """Seats bought / used per customer, expiry in 30/60/90 days, expired trials.

    The period selects licenses by their start (valid_from) for the seats
    table and expired trials by their end date; "expiring" always looks 90
    days ahead from today.
    """
    used = select(LicensedMachine.license_id, func.count().label("used")) \
        .where(LicensedMachine.is_active.is_(True)).group_by(LicensedMachine.license_id).subquery()
    seats = q.rows(select(Customer.code, Customer.name, func.count(License.id), func.sum(License.seats),
                          func.sum(func.coalesce(used.c.used, 0)))
                   .join(Customer, Customer.id == License.customer_id)
                   .outerjoin(used, used.c.license_id == License.id)
                   .where(License.is_active.is_(True), q.of_customers(License.customer_id),
                          q.in_period(License.valid_from, local=False))
                   .group_by(Customer.id, Customer.code, Customer.name).order_by(Customer.code))
    q.step(1, 3)
    seat_rows = [{"code": c, "customer": n, "licenses": int(k), "seats": int(b), "used": int(u)}
                 for c, n, k, b, u in seats]
    seat_table = Table(Text("各客户授权个数", "Seats per customer"), [
        Column("code", Text("客户编码", "Customer code")), Column("customer", Text("公司名称", "Company")),
        Column("licenses", Text("授权数", "Licenses"), Kind.INTEGER),
        Column("seats", Text("购买授权个数", "Seats bought"), Kind.INTEGER),
        Column("used", Text("已用授权个数", "Seats used"), Kind.INTEGER)], seat_rows,
        {"code": TOTAL, "customer": None, **{k: sum(r[k] for r in seat_rows) for k in ("licenses", "seats", "used")}})
    return [seat_table, *_expiry(q)]


def _expiry(q: ReportQuery) -> list[Table | Chart]:
    days_left = {30: q.today + dt.timedelta(days=30), 60: q.today + dt.timedelta(days=60)}
    bucket = case((License.valid_until <= days_left[30], 30), (License.valid_until <= days_left[60], 60), else_=90)
    counts = dict(q.rows(select(bucket, func.count()).where(expiring_condition(q.today, 90),
                                                            q.of_customers(License.customer_id)).group_by(bucket)))
    q.step(2, 3)
    rows = [{"window": text, "count": int(counts.get(days, 0))} for days, text in EXPIRY_BUCKETS]
    expiring = Table(Text("即将到期的授权", "Licenses expiring"),
                     [Column("window", Text("到期时间", "Expires")), Column("count", COUNT, Kind.INTEGER)], rows,
                     {"window": TOTAL, "count": sum(r["count"] for r in rows)})
    trials = q.rows(select(Customer.code, Customer.name, License.serial, License.valid_until)
                    .join(Customer, Customer.id == License.customer_id)
                    .where(License.is_active.is_(True), License.is_trial.is_(True), License.valid_until < q.today,
                           q.of_customers(License.customer_id), q.in_period(License.valid_until, local=False))
                    .order_by(License.valid_until, License.serial))
    q.step(3, 3)
    expired = Table(Text("已过期的试用授权", "Expired trial licenses"), [
        Column("code", Text("客户编码", "Customer code")), Column("customer", Text("公司名称", "Company")),
        Column("serial", Text("授权序列号", "Serial number")), Column("valid_until", Text("到期日期", "Expired on"),
                                                                   Kind.DATE)],
        [{"code": c, "customer": n, "serial": s, "valid_until": d} for c, n, s, d in trials],
        {"code": TOTAL, "customer": Text(f"共 {len(trials)} 个", f"{len(trials)} licenses"), "serial": None,
         "valid_until": None})
    chart = Chart(Text("即将到期的授权", "Licenses expiring"), ChartKind.BAR, [r["window"] for r in rows],
                  [Series(COUNT, [r["count"] for r in rows])])
    return [expiring, chart, expired]
