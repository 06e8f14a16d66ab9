"""DashboardService (``session.dashboard``): the 管理看板 figures for one period, within the actor's scope.

Managers and administrators see the whole office; a role whose customer
scope is "own" (sales) gets a personal dashboard over the customers he owns
or that are shared with him. Every count tile and chart category carries a
:class:`GridTarget` whose filters, listed in that module's grid by the same
actor, give exactly the records counted. Definitions: docs/reports.md.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select

from crm_core.errors import FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.lists import Filter
from crm_core.models import Contract, Customer, CustomerStatusChange, License, Ticket, User
from crm_core.permissions import Action
from crm_core.reports import builders_activity as activity
from crm_core.reports import builders_money as money
from crm_core.reports import builders_service as service
from crm_core.reports.dashboard_charts import ACTIVE, charts, id_target
from crm_core.reports.model import Dashboard, GridTarget, Kind, ReportFilters, Tile
from crm_core.reports.queries import Progress, ReportQuery, customer_scope, day_span, within
from crm_core.services.codes import office_today
from crm_core.services.context import Context

EXPIRING_DAYS = 30
# Tiles measured over the chosen period (the others are "now"): these have a trend against
# the period before.
PERIOD_TILES = frozenset({"new_customers", "won_customers", "avg_followup_cycle", "churn_rate"})


class DashboardService:
    """Tiles and charts of the dashboard page."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def load(self, date_from: dt.date, date_to: dt.date, *, progress: Progress | None = None,
             lang: str | None = None) -> Dashboard:
        """The dashboard for the local days ``date_from``..``date_to`` (inclusive).

        Args:
            lang: language of the chart categories that are labels (statuses,
                severities); default: the user's saved language, else zh_CN.

        Raises:
            PermissionDenied: the role has no dashboard.
            ValidationError: the period ends before it starts.
        """
        self.ctx.require("dashboard", Action.READ)
        if date_to < date_from:
            raise ValidationError([FieldError("date_to", "date_order", Text(
                "结束日期：不能早于开始日期", "End date: cannot be before the start date"))])
        scope = customer_scope(self.ctx)
        with self.ctx.db.unit_of_work(write=False) as s:
            q = ReportQuery(s, self.ctx.db.backend, ReportFilters(date_from=date_from, date_to=date_to), scope,
                            office_today(), progress)
            lang = lang or s.scalar(select(User.language).where(User.id == self.ctx.actor.user_id)) or "zh_CN"
            tiles = self._tiles(q)
            q.step(7, 8)
            chart_list = charts(q, lang)
            q.step(8, 8)
        return Dashboard(date_from, date_to, scope is not None, tiles, chart_list)

    def period_tiles(self, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
        """``{key: value}`` of the period tiles (:data:`PERIOD_TILES`) only: the previous period of a trend.

        Raises:
            PermissionDenied: the role has no dashboard.
        """
        self.ctx.require("dashboard", Action.READ)
        scope = customer_scope(self.ctx)
        with self.ctx.db.unit_of_work(write=False) as s:
            q = ReportQuery(s, self.ctx.db.backend, ReportFilters(date_from=date_from, date_to=date_to), scope,
                            office_today(), None)
            low, high = day_span(date_from, date_to)
            tiles = [new_customers_tile(q, low, high), won_customers_tile(q), churn_tile(q)]
            cycle = activity.average_cycle(q)
        values = {t.key: t.value for t in tiles}
        values["avg_followup_cycle"] = cycle
        return values

    def _tiles(self, q: ReportQuery) -> list[Tile]:
        low, high = day_span(q.filters.date_from, q.filters.date_to)
        tiles = [new_customers_tile(q, low, high)]
        q.step(1, 8)
        tiles.append(won_customers_tile(q))
        q.step(2, 8)
        tiles.append(Tile("avg_followup_cycle", Text("平均跟进周期（天）", "Average follow-up cycle (days)"),
                          activity.average_cycle(q), Kind.NUMBER,
                          GridTarget("followups", (Filter("at", "between", (low, high)), ACTIVE)),
                          Text("期间内同一客户相邻两次跟进之间的平均天数",
                               "Mean days between consecutive follow-ups of the same customer in the period")))
        q.step(3, 8)
        tiles.append(churn_tile(q))
        q.step(4, 8)
        tiles.append(open_tickets_tile(q))
        q.step(5, 8)
        tiles.append(expiring_tile(q))
        tiles.append(outstanding_tile(q))
        q.step(6, 8)
        return tiles


def _customers(q: ReportQuery) -> ColumnElement[bool]:
    return and_(Customer.is_active.is_(True), q.customer_condition)


def new_customers_tile(q: ReportQuery, low: dt.datetime | None, high: dt.datetime | None) -> Tile:
    n = q.s.scalar(select(func.count()).where(_customers(q), within(Customer.created_at, low, high)))
    return Tile("new_customers", Text("新增客户", "New customers"), int(n or 0), Kind.INTEGER,
                GridTarget("customers", (Filter("created_at", "between", (low, high)), ACTIVE)),
                Text("期间内创建的客户", "Customers created in the period"))


def moved_to(q: ReportQuery, status: str) -> list[int]:
    """Ids of customers moved to ``status`` in the period (customer_status_changes)."""
    return list(q.s.scalars(select(CustomerStatusChange.customer_id).distinct()
                            .join(Customer, Customer.id == CustomerStatusChange.customer_id)
                            .where(CustomerStatusChange.to_status == status, _customers(q),
                                   q.in_period(CustomerStatusChange.changed_at))))


def won_customers_tile(q: ReportQuery) -> Tile:
    ids = moved_to(q, "won")
    return Tile("won_customers", Text("成交客户", "Won customers"), len(ids), Kind.INTEGER,
                id_target("customers", ids), Text("期间内转为成交客户的客户", "Customers moved to won in the period"))


def active_at_start(q: ReportQuery) -> int:
    """Customers that existed at the period start and were not 流失客户 then."""
    start, _ = day_span(q.filters.date_from, None)
    last = select(CustomerStatusChange.to_status).where(
        CustomerStatusChange.customer_id == Customer.id, CustomerStatusChange.changed_at < start) \
        .order_by(CustomerStatusChange.changed_at.desc(), CustomerStatusChange.id.desc()).limit(1) \
        .correlate(Customer).scalar_subquery()
    return int(q.s.scalar(select(func.count()).where(
        _customers(q), Customer.created_at < start, func.coalesce(last, "prospect") != "lost")) or 0)


def churn_tile(q: ReportQuery) -> Tile:
    """Churn rate = customers moved to 流失客户 in the period / customers there to lose in it.

    Those there to lose: active at the period start, plus those created during it (a customer
    won and lost within the period counts on both sides), so the rate never passes 100 %.
    """
    lost = moved_to(q, "lost")
    low, high = day_span(q.filters.date_from, q.filters.date_to)
    created = int(q.s.scalar(select(func.count()).where(_customers(q), within(Customer.created_at, low, high))) or 0)
    base = active_at_start(q) + created
    return Tile("churn_rate", Text("流失率", "Churn rate"), len(lost) / base if base else None, Kind.PERCENT,
                id_target("customers", lost),
                Text(f"期间内流失 {len(lost)} 个 /（期初有效客户 + 期间新增客户）{base} 个",
                     f"{len(lost)} lost in the period / {base} active at its start or created in it"))


def open_tickets_tile(q: ReportQuery) -> Tile:
    n = q.s.scalar(select(func.count()).where(service.backlog_condition(), q.of_customers(Ticket.customer_id)))
    return Tile("open_tickets", Text("未解决工单", "Open tickets"), int(n or 0), Kind.INTEGER,
                GridTarget("tickets", (Filter("status", "in", service.BACKLOG_STATUSES), ACTIVE)),
                Text("当前待处理和处理中的工单", "Tickets open or in progress now"))


def expiring_tile(q: ReportQuery) -> Tile:
    n = q.s.scalar(select(func.count()).where(service.expiring_condition(q.today, EXPIRING_DAYS),
                                              q.of_customers(License.customer_id)))
    until = q.today + dt.timedelta(days=EXPIRING_DAYS)
    return Tile("licenses_expiring", Text("即将到期授权", "Licenses expiring"), int(n or 0), Kind.INTEGER,
                GridTarget("licenses", (Filter("valid_until", "between", (q.today, until)), ACTIVE)),
                Text(f"{EXPIRING_DAYS} 天内到期的授权", f"Licenses expiring within {EXPIRING_DAYS} days"))


def outstanding_tile(q: ReportQuery) -> Tile:
    """Amount − received over every active contract in scope, now; opens the contracts with money due."""
    received = money.received_per_contract()
    amount, paid, _ = money.money_sums(received, q.today)

    def over_contracts(*cols: Any) -> Any:
        return select(*cols).outerjoin(received, received.c.contract_id == Contract.id) \
            .where(Contract.is_active.is_(True), q.of_customers(Contract.customer_id))

    total_amount, total_paid = q.s.execute(over_contracts(amount, paid)).one()
    value = (total_amount or Decimal("0.00")) - (total_paid or Decimal("0.00"))
    due = list(q.s.scalars(over_contracts(Contract.id).where(
        Contract.amount > func.coalesce(received.c.received, 0))))
    return Tile("payments_outstanding", Text("未回款金额", "Payments outstanding"), value, Kind.MONEY,
                id_target("contracts", due),
                Text("有效合同的合同金额减去已回款（当前）", "Contract amounts minus payments received, active contracts, now"))
