"""Grid pages of every customer-scoped module, sorted by each column, as admin and as a salesperson.

Not a test. Issue 9, items 3-4: a module's first grid page, and a later keyset
page, sorted by each column its grid offers (``EntitySpec.offered_sorts``; every
grid column with ``--all-fields``), both directions, for the admin and for the
first salesperson, against a bare ``SELECT * FROM <table> ORDER BY id LIMIT 50``
of the same table measured alternately in the same run. One line per
(module, role, sort): the medians, the ratio and the target (<= 5x).

The shared benchmark databases (bench/scale_build.py) hold customers and
contacts only. ``--fill`` first writes the other modules' rows into the given
database with plain INSERTs (a copy of yours: never the shared ones) at an
office's proportions per customer (contracts 1/4, payments 1.5 a contract,
tickets 1/4, follow-ups 1, opportunities 0.15, needs 0.1, products 0.1,
licenses 0.15), spread over the customers and the last two years.

    PYTHONPATH=. .venv/bin/python bench/bench_sorts.py --sqlite /tmp/me/s200k.sqlite3 --fill
    PYTHONPATH=. .venv/bin/python bench/bench_sorts.py --pg-database me_200k --modules contacts,payments
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select, text

from crm_core import ListQuery
from crm_core.config import Profile
from crm_core.models import Contract, Customer, FollowUp, License, Need, Opportunity, Payment, Product, Ticket
from crm_core.session import connect, open_database

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import PASSWORD, alternate, line  # noqa: E402

MODULES = ("contacts", "contracts", "payments", "tickets", "followups", "opportunities", "needs",
           "products", "licenses")
CHUNK = 5000


def fill(db: Any, seed: int) -> None:
    """Write the other modules' rows (see the module doc); nothing if contracts already exist."""
    rng = random.Random(seed)
    now = dt.datetime.now().astimezone()
    with db.unit_of_work(write=True) as s:
        if s.scalar(select(func.count()).select_from(Contract)):
            print("fill: contracts exist already, nothing written", flush=True)
            return
        customers = [r[0] for r in s.execute(select(Customer.id).order_by(Customer.id))]
        users = [r[0] for r in s.execute(text("SELECT id FROM users WHERE role = 'sales' ORDER BY id"))]
        engineers = [r[0] for r in s.execute(text("SELECT id FROM users WHERE role = 'engineer' ORDER BY id"))]
    n = len(customers)
    base = {"version": 1, "is_active": True}

    def when() -> dt.datetime:
        return now - dt.timedelta(days=730 * rng.random(), minutes=rng.randrange(600))

    def stamp(at: dt.datetime) -> dict[str, Any]:
        return {**base, "created_at": at, "updated_at": at}

    def write(model: Any, rows: list[dict[str, Any]]) -> None:
        started = time.perf_counter()
        for i in range(0, len(rows), CHUNK):
            with db.unit_of_work(write=True) as s:
                s.execute(insert(model), rows[i:i + CHUNK])
                s.commit()
        print(f"fill: {len(rows)} {model.__tablename__} in {time.perf_counter() - started:.1f} s", flush=True)

    contracts = []
    for k in range(n // 4):
        at = when()
        contracts.append({**stamp(at), "number": f"HT{k:08d}", "customer_id": rng.choice(customers),
                          "title": f"合同 {k}", "signed_on": at.date(),
                          "ends_on": (at + dt.timedelta(days=365)).date() if rng.random() < 0.8 else None,
                          "payment_due_on": (at + dt.timedelta(days=30)).date() if rng.random() < 0.6 else None,
                          "amount": rng.randrange(1000, 5_000_000) * 100,
                          "delivery_status": rng.choice(("pending", "partial", "delivered"))})
    write(Contract, contracts)
    with db.unit_of_work(write=False) as s:
        ids = [(r[0], r[1], r[2]) for r in s.execute(select(Contract.id, Contract.customer_id, Contract.signed_on))]
    payments = []
    for cid, customer, signed in ids:
        for _ in range(rng.choice((1, 1, 2, 2))):
            on = signed + dt.timedelta(days=rng.randrange(90))
            at = dt.datetime.combine(on, dt.time(10), now.tzinfo)
            payments.append({**stamp(at), "contract_id": cid, "customer_id": customer, "received_on": on,
                             "amount": rng.randrange(100, 1_000_000) * 100,
                             "method": rng.choice(("bank", "cash", "wechat", None)),
                             "handler": rng.choice(("张伟", "李娜", "王芳", None)), "account": None})
    write(Payment, payments)
    tickets = []
    for k in range(n // 4):
        at = when()
        status = rng.choice(("open", "in_progress", "resolved", "closed"))
        tickets.append({**stamp(at), "number": f"FK{k:08d}", "customer_id": rng.choice(customers),
                        "feedback_type": rng.choice(("complaint", "suggestion")), "description": f"问题 {k}",
                        "severity": rng.choice(("high", "medium", "low", None)), "status": status,
                        "engineer_id": rng.choice(engineers) if engineers and status != "open" else None,
                        "city": rng.choice(("北京", "上海", "杭州", "成都", None)),
                        "resolved_at": at + dt.timedelta(days=3) if status in ("resolved", "closed") else None})
    write(Ticket, tickets)
    followups = []
    for k in range(n):
        at = when()
        followups.append({**stamp(at), "customer_id": rng.choice(customers), "user_id": rng.choice(users),
                          "at": at, "method": rng.choice(("phone", "visit", "wechat")), "content": f"跟进 {k}",
                          "next_due_on": (at + dt.timedelta(days=7)).date() if rng.random() < 0.5 else None,
                          "next_done": rng.random() < 0.5})
    write(FollowUp, followups)
    write(Opportunity, [{**stamp(at := when()), "customer_id": rng.choice(customers), "name": f"机会 {k}",
                         "stage": rng.choice(("lead", "qualified", "proposal", "negotiation", "won", "lost")),
                         "amount": rng.randrange(1000, 900_000) * 100, "owner_id": rng.choice(users),
                         "expected_on": (at + dt.timedelta(days=60)).date()} for k in range(n * 15 // 100)])
    write(Need, [{**stamp(when()), "customer_id": rng.choice(customers), "need_type": "consulting",
                  "description": f"需求 {k}", "priority": rng.choice(("high", "medium", "low")),
                  "owner_id": rng.choice(users), "state": rng.choice(("open", "in_progress", "done"))}
                 for k in range(n // 10)])
    write(Product, [{**stamp(when()), "customer_id": rng.choice(customers), "name": f"产品 {k % 300}",
                     "product_version": f"{k % 7}.{k % 3}"} for k in range(n // 10)])
    write(License, [{**stamp(at := when()), "customer_id": rng.choice(customers), "serial": f"SN{k:010d}",
                     "seats": rng.randrange(1, 200), "valid_from": at.date(),
                     "valid_until": (at + dt.timedelta(days=365)).date() if rng.random() < 0.9 else None,
                     "is_trial": rng.random() < 0.1} for k in range(n * 15 // 100)])
    with db.unit_of_work(write=True) as s:
        s.execute(text("ANALYZE"))
        s.commit()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sqlite", help="SQLite file (a copy of yours)")
    p.add_argument("--pg-database", help="PostgreSQL database (a copy of yours) on --pg-host")
    p.add_argument("--pg-host", default="127.0.0.1")
    p.add_argument("--pg-user", default="postgres")
    p.add_argument("--fill", action="store_true", help="first write the other modules' rows (see above)")
    p.add_argument("--modules", default=",".join(MODULES))
    p.add_argument("--all-fields", action="store_true", help="every grid column, not only the offered sorts")
    p.add_argument("--reps", type=int, default=5, help="timed repetitions per figure (alternated with the baseline)")
    p.add_argument("--seed", type=int, default=20261207)
    args = p.parse_args()
    if bool(args.sqlite) == bool(args.pg_database):
        p.error("give --sqlite or --pg-database")
    profile = Profile(name="bench", backend="sqlite", path=args.sqlite) if args.sqlite else \
        Profile(name="bench", backend="postgresql", host=args.pg_host, port=5432, database=args.pg_database,
                sslmode="disable", db_user=args.pg_user)
    backend = profile.backend
    db = open_database(profile, upgrade=True)
    if args.fill:
        fill(db, args.seed)
    print(f"bench_sorts {time.strftime('%Y-%m-%d %H:%M')} {profile.describe()}", flush=True)
    admin = connect(profile, "admin", PASSWORD)
    with db.unit_of_work(write=False) as s:
        sales_login = s.scalar(text("SELECT login FROM users WHERE role = 'sales' ORDER BY id LIMIT 1"))
    sales = connect(profile, sales_login, PASSWORD)
    engine = db.engine
    caught: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, stmt: str, params: Any, context: Any, executemany: bool) -> None:
        if " LIMIT " in stmt.upper() and f"FROM {table}" in stmt:
            caught.append((stmt, params))

    def run_raw(stmt: str, params: Any) -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql(stmt, params).all()

    for module in args.modules.split(","):
        spec = getattr(admin, module).spec
        table = spec.model.__tablename__  # read by grab() above

        def bare(_: int, table: str = table) -> None:
            with engine.connect() as conn:
                conn.execute(text(f"SELECT * FROM {table} ORDER BY id LIMIT 50")).all()

        names = [f.name for f in spec.grid_fields] + ["id"]
        if not args.all_fields and spec.offered_sorts is not None:
            names = [n for n in names if n in spec.offered_sorts]
        fields = tuple(f.name for f in spec.grid_fields)
        for who, session in (("admin", admin), ("sales", sales)):
            service = getattr(session, module)
            for name in names:
                for sort in (name, f"-{name}"):
                    query = ListQuery(limit=50, sort=(sort,), fields=fields)
                    first = service.list(query)  # warm: statement kept, pages cached
                    pages = [("first", query)]
                    if first.next_cursor is not None:
                        pages.append(("next", ListQuery(limit=50, sort=(sort,), fields=fields,
                                                        after=first.next_cursor)))
                    for what, q in pages:
                        xs, ys = alternate(lambda _: service.list(q), bare, args.reps)
                        line(backend, f"{module} {who} {sort} {what}", statistics.median(xs),
                             statistics.median(ys), "<= 5x")
                        # The page's statement alone (the same SQL and values, run again), against
                        # the bare SELECT: the database's work without the service's Python.
                        caught.clear()
                        event.listen(session.db.engine, "before_cursor_execute", grab)
                        try:
                            service.list(q)
                        finally:
                            event.remove(session.db.engine, "before_cursor_execute", grab)
                        stmt, params = caught[-1]
                        xs, ys = alternate(lambda _: run_raw(stmt, params), bare, args.reps)
                        # best of the runs: the machine's load adds to single runs, never takes away
                        line(backend, f"{module} {who} {sort} {what} (SQL, best)", min(xs), min(ys), "<= 5x")


if __name__ == "__main__":
    main()
