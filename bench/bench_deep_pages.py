"""A page near the end of a sorted list against its first page, with and without the keyset bound.

Not a test. Issue 9 (keyset paging): the keyset condition is an OR, from which no planner
starts an index range; crm_core.services.query adds a redundant bound on the first key so
a deep page starts at its cursor. For each (module, sort, role) this times, alternately in
the same run: the first page (the baseline); the page after a cursor 100 rows from the list's
end ("end after"); the page before a cursor 100 rows from its start, read backwards ("start
before"); after and before a cursor in the middle ("mid after", "mid before", where
PostgreSQL no longer reads the few rows past the cursor by a bitmap); each with the bound and
without it (``query._bounded`` replaced by the bare
OR, the services' kept statements dropped). Medians of ``--reps``; ratios to the first page.

Builds the database if it is empty (bench/scale_build.py's customers, then bench_sorts'
other modules), as bench_scale.py does:

    PYTHONPATH=.:bench .venv/bin/python bench/bench_deep_pages.py --sqlite /tmp/me/deep_200k.sqlite3 --customers 200000
    PYTHONPATH=.:bench .venv/bin/python bench/bench_deep_pages.py --pg-database me_deep_200k --customers 200000
    PYTHONPATH=.:bench .venv/bin/python bench/bench_deep_pages.py --pg-database me_deep_200k --explain
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from crm_core import ListQuery
from crm_core.config import Profile
from crm_core.services import query as query_module
from crm_core.session import connect, open_database

sys.path.insert(0, str(Path(__file__).parent))
from bench_scale import PASSWORD, ensure_pg_database, ms  # noqa: E402
from bench_sorts import fill  # noqa: E402
from scale_build import build  # noqa: E402

CASES = [("customers", "name"), ("customers", "-name"), ("contracts", "amount"), ("contracts", "signed_on"),
         ("contracts", "-signed_on"), ("payments", "-received_on"), ("licenses", "valid_until")]
DEPTH = 100
_BOUNDED = query_module._bounded


def _bound(on: bool, services: list[Any]) -> None:
    query_module._bounded = _BOUNDED if on else (lambda expansion, *a, **k: expansion)
    for service in services:
        service.__dict__.pop("_page_statements", None)  # kept statements hold the old condition


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sqlite", help="SQLite file (built if absent)")
    p.add_argument("--pg-database", help="PostgreSQL database on --pg-host (created and built if absent)")
    p.add_argument("--pg-host", default="127.0.0.1")
    p.add_argument("--pg-user", default="postgres")
    p.add_argument("--customers", type=int, default=200_000)
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--seed", type=int, default=20261207)
    p.add_argument("--explain", action="store_true",
                   help="PostgreSQL: EXPLAIN (ANALYZE, BUFFERS) of the middle pages instead of timing")
    args = p.parse_args()
    if bool(args.sqlite) == bool(args.pg_database):
        p.error("give --sqlite or --pg-database")
    if args.sqlite:
        Path(args.sqlite).parent.mkdir(parents=True, exist_ok=True)
        profile = Profile(name="bench", backend="sqlite", path=args.sqlite)
    else:
        profile = Profile(name="bench", backend="postgresql", host=args.pg_host, port=5432,
                          database=args.pg_database, sslmode="disable", db_user=args.pg_user)
        ensure_pg_database(profile)
    db = open_database(profile, upgrade=True)
    started = time.perf_counter()
    if build(db, args.customers, seed=args.seed):
        print(f"built {args.customers} customers in {time.perf_counter() - started:.0f} s", flush=True)
    fill(db, args.seed)  # ANALYZEs; nothing if the other modules are there
    print(f"bench_deep_pages {time.strftime('%Y-%m-%d %H:%M')} {profile.describe()}", flush=True)
    with db.unit_of_work(write=False) as s:
        sales_login = s.scalar(text("SELECT login FROM users WHERE role = 'sales' ORDER BY id LIMIT 1"))
    sessions = {"admin": connect(profile, "admin", PASSWORD), "sales": connect(profile, sales_login, PASSWORD)}
    backend = profile.backend
    for module, sort in CASES:
        for who, session in sessions.items():
            service = getattr(session, module)
            fields = tuple(f.name for f in service.spec.grid_fields)
            first = ListQuery(limit=50, sort=(sort,), fields=fields)
            end = service.list(ListQuery(limit=1, sort=(sort,), fields=fields, before=(), offset=DEPTH - 1))
            start = service.list(ListQuery(limit=1, sort=(sort,), fields=fields, offset=DEPTH - 1))
            half = service.count() // 2
            middle = service.list(ListQuery(limit=1, sort=(sort,), fields=fields, offset=half - 1))
            pages = {"end after": ListQuery(limit=50, sort=(sort,), fields=fields, after=end.prev_cursor),
                     "start before": ListQuery(limit=50, sort=(sort,), fields=fields, before=start.next_cursor),
                     "mid after": ListQuery(limit=50, sort=(sort,), fields=fields, after=middle.next_cursor),
                     "mid before": ListQuery(limit=50, sort=(sort,), fields=fields, before=middle.next_cursor)}
            if args.explain:
                for what in ("mid after", "mid before"):
                    for on in (False, True):
                        _bound(on, [service])
                        print(f"{module} {who} {sort} {what} {'with' if on else 'without'} bound: "
                              f"{_explained(session, service, pages[what])}", flush=True)
                _bound(True, [service])
                continue
            times: dict[str, list[float]] = {"first": []}
            for what in pages:
                times[f"{what} unbounded"], times[f"{what} bounded"] = [], []
            service.list(first)  # warm
            for _ in range(args.reps):
                _bound(True, [service])
                times["first"].append(ms(lambda: service.list(first)))
                for what, q in pages.items():
                    for on in (False, True):
                        _bound(on, [service])
                        service.list(q)  # the statement built and compiled, not timed
                        times[f"{what} {'bounded' if on else 'unbounded'}"].append(ms(lambda q=q: service.list(q)))
            _bound(True, [service])
            base = statistics.median(times["first"])
            print(f"{backend:<10} {module} {who} {sort:<13} first page {base:8.2f} ms", flush=True)
            for what in pages:
                old = statistics.median(times[f"{what} unbounded"])
                new = statistics.median(times[f"{what} bounded"])
                print(f"{backend:<10} {module} {who} {sort:<13} {what:<12} without bound {old:8.2f} ms "
                      f"({old / base:6.1f}x first)  with {new:8.2f} ms ({new / base:5.1f}x first)", flush=True)


def _explained(session: Any, service: Any, q: ListQuery) -> str:
    """The page statement's execution time and buffers, and its sort index's Index Cond."""
    table = service.spec.model.__tablename__
    sent: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, stmt: str, params: Any, context: Any, executemany: bool) -> None:
        if table in stmt and "ORDER BY" in stmt and "LIMIT" in stmt:
            sent.append((stmt, params))

    event.listen(session.db.engine, "before_cursor_execute", grab)
    try:
        service.list(q)
    finally:
        event.remove(session.db.engine, "before_cursor_execute", grab)
    stmt, params = sent[-1]
    with session.db.engine.connect() as conn:
        rows = [r[0] for r in conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + stmt, params)]
    buffers = next((r.strip() for r in rows if "Buffers" in r), "")
    took = next((r for r in rows if r.startswith("Execution Time")), "")
    conds = [r.strip() for r in rows if "Index Cond" in r and any(k in r for k in ("name", "amount", "signed_on",
                                                                                   "received_on", "valid_until"))]
    return f"{took}; {buffers}; {conds[0] if conds else 'no range on the sort column'}"


if __name__ == "__main__":
    main()
