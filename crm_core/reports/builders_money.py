"""合同与回款: contracts signed, payments received, outstanding and overdue amounts.

Definitions (deactivated contracts and payments are left out, as on the
contract form):
* signed: contracts whose signing date is in the period;
* received by month: payments whose date is in the period;
* outstanding of a contract: its amount − all payments received against it;
* overdue: the outstanding of contracts whose payment date (付款日期) is
  before today.
The per-customer table covers the contracts signed in the period.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select, type_coerce

from crm_core.db.types import Money
from crm_core.i18n import Text
from crm_core.models import Contract, Customer, Payment
from crm_core.reports.labels import MONTH, TOTAL
from crm_core.reports.model import Chart, ChartKind, Column, Kind, Series, Table
from crm_core.reports.queries import ReportQuery, month_axis

CONTRACTS_TITLE = Text("合同与回款", "Contracts and payments")
ZERO = Decimal("0.00")
SIGNED_AMOUNT = Text("签约金额", "Signed amount")
RECEIVED = Text("回款金额", "Received")


def received_per_contract() -> Any:
    """Subquery (contract_id, received): active payments summed per contract."""
    return select(Payment.contract_id, func.sum(Payment.amount).label("received")) \
        .where(Payment.is_active.is_(True)).group_by(Payment.contract_id).subquery()


def money_sums(received: Any, today: dt.date) -> tuple[Any, Any, Any]:
    """SQL sums of contract amount, received and overdue outstanding (Money-typed: Decimal on both databases)."""
    got = func.coalesce(received.c.received, 0)
    overdue = case((Contract.payment_due_on < today, Contract.amount - got), else_=0)
    return (type_coerce(func.sum(Contract.amount), Money()), type_coerce(func.sum(got), Money()),
            type_coerce(func.sum(overdue), Money()))


def _contracts(q: ReportQuery) -> ColumnElement[bool]:
    return and_(Contract.is_active.is_(True), q.of_customers(Contract.customer_id),
                q.in_period(Contract.signed_on, local=False))


def build_contracts(q: ReportQuery) -> list[Table | Chart]:
    """Per month: signed and received; per customer: amount, received, outstanding, overdue."""
    month = q.month(Contract.signed_on, local=False)
    signed = {m: (int(n), a) for m, n, a in q.rows(
        select(month, func.count(), type_coerce(func.sum(Contract.amount), Money()))
        .where(_contracts(q)).group_by(month))}
    q.step(1, 3)
    pay_month = q.month(Payment.received_on, local=False)
    received = dict(q.rows(select(pay_month, type_coerce(func.sum(Payment.amount), Money()))
                           .where(Payment.is_active.is_(True), q.of_customers(Payment.customer_id),
                                  q.in_period(Payment.received_on, local=False)).group_by(pay_month)))
    q.step(2, 3)
    axis = month_axis(set(signed) | set(received), q.filters.date_from, q.filters.date_to)
    rows = [{"month": m, "signed": signed.get(m, (0, ZERO))[0], "amount": signed.get(m, (0, ZERO))[1] or ZERO,
             "received": received.get(m) or ZERO} for m in axis]
    monthly = Table(Text("每月签约与回款", "Signed and received per month"), [
        Column("month", MONTH, Kind.MONTH), Column("signed", Text("签约合同数", "Contracts signed"), Kind.INTEGER),
        Column("amount", SIGNED_AMOUNT, Kind.MONEY), Column("received", RECEIVED, Kind.MONEY)], rows,
        {"month": TOTAL, "signed": sum(r["signed"] for r in rows), "amount": sum((r["amount"] for r in rows), ZERO),
         "received": sum((r["received"] for r in rows), ZERO)})
    chart = Chart(Text("每月签约与回款", "Signed and received per month"), ChartKind.BAR, axis,
                  [Series(SIGNED_AMOUNT, [float(r["amount"]) for r in rows]),
                   Series(RECEIVED, [float(r["received"]) for r in rows])])
    per_customer = _per_customer(q)
    q.step(3, 3)
    return [monthly, chart, per_customer]


def _per_customer(q: ReportQuery) -> Table:
    received = received_per_contract()
    amount, got, overdue = money_sums(received, q.today)
    rows = []
    for code, name, n, a, r, o in q.rows(
            select(Customer.code, Customer.name, func.count(Contract.id), amount, got, overdue)
            .join(Customer, Customer.id == Contract.customer_id)
            .outerjoin(received, received.c.contract_id == Contract.id)
            .where(_contracts(q)).group_by(Customer.id, Customer.code, Customer.name).order_by(Customer.code)):
        a, r, o = a or ZERO, r or ZERO, o or ZERO
        rows.append({"code": code, "customer": name, "contracts": int(n), "amount": a, "received": r,
                     "outstanding": a - r, "overdue": o})
    keys = ("amount", "received", "outstanding", "overdue")
    return Table(Text("各客户合同与回款", "Contracts and payments per customer"), [
        Column("code", Text("客户编码", "Customer code")), Column("customer", Text("公司名称", "Company")),
        Column("contracts", Text("合同数", "Contracts"), Kind.INTEGER),
        Column("amount", Text("合同金额", "Contract amount"), Kind.MONEY), Column("received", RECEIVED, Kind.MONEY),
        Column("outstanding", Text("未回款", "Outstanding"), Kind.MONEY),
        Column("overdue", Text("逾期未回款", "Overdue"), Kind.MONEY)], rows,
        {"code": TOTAL, "customer": None, "contracts": sum(r["contracts"] for r in rows),
         **{k: sum((r[k] for r in rows), ZERO) for k in keys}})
