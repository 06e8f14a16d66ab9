"""A small known dataset for the report and dashboard tests, built through the services.

Times the services set to "now" (created times, status changes, ticket
resolution) are then moved back by SQL to fixed days of the first quarter of
2026, the way the demo data does, so that every figure is known exactly:

customers (created, level, industry, owner, status history)
    c1 2026-01-10  A it      sales1  prospect → won (K1) 2026-02-10
    c2 2026-01-20  B retail  sales1  prospect → lost 2026-03-10
    c3 2026-02-05  A it      sales2  prospect → won (K3) 2026-03-01
    c4 2026-03-15  C finance admin   prospect
    c5 2025-12-20  B it      sales2  prospect → won (K5) 2026-01-05
contracts: K1 c1 10000.00 signed 2026-02-01 due 2026-02-28, paid 4000.00 (02-15) + 1000.50 (03-03);
    K3 c3 20000.00 signed 2026-02-20 paid in full 03-05; K5 c5 5000.00 signed 2025-12-28 due in 30 days.
follow-ups: c1 by sales1 01-11, 01-15, 01-25 (next step due 02-01, open: overdue);
    c3 by sales2 02-06 (next step due 02-07), 02-08; c2 by sales1 03-01 (next step done).
tickets: t1 c1 eng1 critical 上海/徐汇店 10 h, satisfaction 5; t2 c1 eng1 major 上海/徐汇店 24 h, 4;
    t3 c3 eng1 minor 北京/朝阳店 2 h, 5; t4 c3 eng2 critical 北京/朝阳店 in progress; t5 c2 major 上海/徐汇店 open.
licenses: L1 c1 10 seats, 2 machines, ends in 20 days; L2 c3 5 seats ends in 45 days;
    L3 c3 trial (1 seat) 2026-02-01 → 2026-03-03 (expired); L4 c4 3 seats, no end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from crm_core.models import Customer, CustomerStatusChange, Ticket
from crm_core.reports.queries import office_tz
from crm_core.services.codes import office_today

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def local(y: int, m: int, d: int, h: int = 12) -> dt.datetime:
    """A time on the office's clock (midday: the same local day whatever the zone)."""
    return dt.datetime(y, m, d, h, tzinfo=office_tz())


def utc(y: int, m: int, d: int, h: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=dt.timezone.utc)


@dataclass
class Dataset:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, Any] = field(default_factory=dict)


def _set(db: Any, table: Any, row_id: int, **values: Any) -> None:
    with db.unit_of_work(write=True) as s:
        s.execute(update(table).where(table.c.id == row_id).values(**values))
        s.commit()


def _status(db: Any, admin: Any, customer: dict, status: str, when: dt.datetime, contract: str | None = None) -> None:
    current = admin.customers.get(customer["id"])
    admin.customers.change_status(customer["id"], status, version=current["version"], contract_number=contract)
    table = CustomerStatusChange.__table__
    with db.unit_of_work(write=True) as s:
        s.execute(update(table).where(table.c.customer_id == customer["id"], table.c.to_status == status)
                  .values(changed_at=when))
        s.commit()


def build(db: Any, admin: Any, login: Any) -> Dataset:
    data = Dataset()
    for who, name in (("sales1", "王销售"), ("sales2", "李销售"), ("engineer1", "张工"), ("engineer2", "赵工")):
        data.sessions[who] = login(who, name=name)
        data.users[who] = admin.users.get(data.sessions[who].actor.user_id)
    data.users["admin"] = admin.users.get(admin.actor.user_id)
    _customers(db, admin, data)
    _contracts(db, admin, data)
    _followups(admin, data)
    _tickets(db, admin, data)
    _licenses(admin, data)
    return data


def _customers(db: Any, admin: Any, data: Dataset) -> None:
    plan = {"c1": ("上海甲软件有限公司", "A", "it", "referral", "sales1", local(2026, 1, 10)),
            "c2": ("上海乙零售有限公司", "B", "retail", "trade_show", "sales1", local(2026, 1, 20)),
            "c3": ("北京丙科技有限公司", "A", "it", "referral", "sales2", local(2026, 2, 5)),
            "c4": ("深圳丁金融有限公司", "C", "finance", "online_ad", "admin", local(2026, 3, 15)),
            "c5": ("杭州戊网络有限公司", "B", "it", None, "sales2", local(2025, 12, 20))}
    for key, (name, level, industry, source, owner, created) in plan.items():
        c = admin.customers.create({"name": name, "level": level, "industry": industry, "source": source,
                                    "owner_id": data.users[owner]["id"]})
        _set(db, Customer.__table__, c["id"], created_at=created)
        table = CustomerStatusChange.__table__
        with db.unit_of_work(write=True) as s:
            s.execute(update(table).where(table.c.customer_id == c["id"]).values(changed_at=created))
            s.commit()
        data.customers[key] = c


def _contracts(db: Any, admin: Any, data: Dataset) -> None:
    c = data.customers
    k1 = admin.contracts.create({"number": "K1", "customer_id": c["c1"]["id"], "signed_on": dt.date(2026, 2, 1),
                                 "payment_due_on": dt.date(2026, 2, 28), "amount": Decimal("10000.00")})
    admin.payments.create({"contract_id": k1["id"], "received_on": dt.date(2026, 2, 15), "amount": Decimal("4000.00")})
    admin.payments.create({"contract_id": k1["id"], "received_on": dt.date(2026, 3, 3), "amount": Decimal("1000.50")})
    k3 = admin.contracts.create({"number": "K3", "customer_id": c["c3"]["id"], "signed_on": dt.date(2026, 2, 20),
                                 "amount": Decimal("20000.00")})
    admin.payments.create({"contract_id": k3["id"], "received_on": dt.date(2026, 3, 5), "amount": Decimal("20000.00")})
    admin.contracts.create({"number": "K5", "customer_id": c["c5"]["id"], "signed_on": dt.date(2025, 12, 28),
                            "payment_due_on": office_today() + dt.timedelta(days=30), "amount": Decimal("5000.00")})
    _status(db, admin, c["c5"], "won", local(2026, 1, 5), "K5")
    _status(db, admin, c["c1"], "won", local(2026, 2, 10), "K1")
    _status(db, admin, c["c2"], "lost", local(2026, 3, 10))
    _status(db, admin, c["c3"], "interested", local(2026, 2, 6))
    _status(db, admin, c["c3"], "won", local(2026, 3, 1), "K3")


def _followups(admin: Any, data: Dataset) -> None:
    c, u = data.customers, data.users

    def follow(customer: str, user: str, at: dt.datetime, **values: Any) -> None:
        admin.followups.create({"customer_id": c[customer]["id"], "user_id": u[user]["id"], "at": at,
                                "method": "phone", "content": "沟通需求", **values})

    follow("c1", "sales1", utc(2026, 1, 11, 4))
    follow("c1", "sales1", utc(2026, 1, 15, 4))
    follow("c1", "sales1", utc(2026, 1, 25, 4), next_step="上门演示", next_due_on=dt.date(2026, 2, 1))
    follow("c3", "sales2", utc(2026, 2, 6, 4), next_step="发报价", next_due_on=dt.date(2026, 2, 7))
    follow("c3", "sales2", utc(2026, 2, 8, 4))
    follow("c2", "sales1", utc(2026, 3, 1, 4), next_step="回访", next_due_on=dt.date(2026, 3, 5), next_done=True)


def _tickets(db: Any, admin: Any, data: Dataset) -> None:
    c, u = data.customers, data.users
    plan = [("c1", "engineer1", "critical", "上海", "徐汇店", utc(2026, 2, 1), 10, 5),
            ("c1", "engineer1", "major", "上海", "徐汇店", utc(2026, 2, 3), 24, 4),
            ("c3", "engineer1", "minor", "北京", "朝阳店", utc(2026, 2, 10), 2, 5),
            ("c3", "engineer2", "critical", "北京", "朝阳店", utc(2026, 3, 1), None, None),
            ("c2", None, "major", "上海", "徐汇店", utc(2026, 3, 2), None, None)]
    for customer, engineer, severity, city, store, created, hours, score in plan:
        t = admin.tickets.create({"customer_id": c[customer]["id"], "feedback_type": "complaint",
                                  "description": "系统报错", "severity": severity, "city": city, "store": store})
        if engineer:
            t = admin.tickets.assign(t["id"], u[engineer]["id"], version=t["version"])
        if hours is not None:
            t = admin.tickets.resolve(t["id"], "已修复", version=t["version"])
            admin.tickets.close(t["id"], version=t["version"], satisfaction=score)
            resolved = created + dt.timedelta(hours=hours)
            _set(db, Ticket.__table__, t["id"], created_at=created, resolved_at=resolved,
                 closed_at=resolved + dt.timedelta(hours=1))
        else:
            _set(db, Ticket.__table__, t["id"], created_at=created)


def _licenses(admin: Any, data: Dataset) -> None:
    c, today = data.customers, office_today()
    l1 = admin.licenses.create({"customer_id": c["c1"]["id"], "serial": "L1", "seats": 10,
                                "valid_from": dt.date(2026, 1, 1), "valid_until": today + dt.timedelta(days=20)})
    admin.licenses.add_machine(l1["id"], "前台电脑", "FP-1")
    admin.licenses.add_machine(l1["id"], "财务电脑", "FP-2")
    admin.licenses.create({"customer_id": c["c3"]["id"], "serial": "L2", "seats": 5,
                           "valid_from": dt.date(2026, 1, 15), "valid_until": today + dt.timedelta(days=45)})
    admin.licenses.create({"customer_id": c["c3"]["id"], "serial": "L3", "seats": 1, "is_trial": True,
                           "valid_from": dt.date(2026, 2, 1)})
    admin.licenses.create({"customer_id": c["c4"]["id"], "serial": "L4", "seats": 3,
                           "valid_from": dt.date(2026, 3, 20)})


@pytest.fixture
def dataset(db, admin, login) -> Dataset:
    return build(db, admin, login)


def test_dataset_is_what_the_reports_expect(dataset, admin):
    assert admin.customers.count() == 5
    assert {t["status"] for t in admin.tickets.list().rows} == {"closed", "in_progress", "open"}
