"""A page near the end of a sorted list against its first page, with and without the keyset bound.

Not a test. Issue 9 (keyset paging): the keyset condition is an OR, from which no planner
starts an index range; crm_core.services.query adds a redundant bound on the first key so
a deep page starts at its cursor. For each (module, sort, role) this times, alternately in
the same run: the first page (the baseline); the page after a cursor 100 rows from the list's
end ("end after"); the page before a cursor 100 rows from its start, read backwards ("start
before"); after and before a cursor in the middle ("mid after", "mid before", where
PostgreSQL no longer reads the few rows past the cursor by a bitmap); where the sort key has
NULLs (sorted last), after and before a cursor in the middle of the NULLs ("null after",
"null before"); each two ways, chosen by ``--compare``:

* ``bound``: with the bound and without it (``query._bounded`` replaced by the bare OR);
* ``parts`` (the default): with a nullable first key's rows read as parts (``query.keyset_parts``:
  the values, then the NULLs) and without (``listing.keyset_parts`` answering None: main's
  statement before the parts, the OR expansion with its bound).

The services' kept statements are dropped at each switch. Medians of ``--reps``; ratios to the
first page. ``--cases nulls`` (the default) times the sorts on a nullable column only (the
others' statements do not change with the parts), ``all`` every sort.

Builds the database if it is empty (bench/scale_build.py's customers, then bench_sorts'
other modules), as bench_scale.py does:

    PYTHONPATH=.:bench .venv/bin/python bench/bench_deep_pages.py --sqlite /tmp/me/deep_200k.sqlite3 --customers 200000
    PYTHONPATH=.:bench .venv/bin/python bench/bench_deep_pages.py --pg-database me_deep_200k --customers 200000
    PYTHONPATH=.:bench .venv/bin/python bench/bench_deep_pages.py --pg-database me_deep_200k --explain
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from crm_core import Filter, ListQuery
from crm_core.config import Profile
from crm_core.services import listing as listing_module
from crm_core.services import query as query_module
from crm_core.session import connect, open_database

sys.path.insert(0, str(Path(__file__).parent))
from bench_scale import PASSWORD, ensure_pg_database, ms  # noqa: E402
from bench_sorts import fill  # noqa: E402
from scale_build import build  # noqa: E402

CASES = [("customers", "name"), ("customers", "-name"), ("contracts", "amount"), ("contracts", "signed_on"),
         ("contracts", "-signed_on"), ("payments", "-received_on"), ("licenses", "valid_until"),
         ("licenses", "-valid_until")]
NULLABLE = {("contracts", "signed_on"), ("licenses", "valid_until")}
DEPTH = 100
_BOUNDED = query_module._bounded
_PARTS = getattr(listing_module, "keyset_parts", None)  # None: code from before the parts


def _switch(compare: str, on: bool, services: list[Any]) -> None:
    if compare == "bound":
        query_module._bounded = _BOUNDED if on else (lambda expansion, *a, **k: expansion)
    elif _PARTS is not None:
        listing_module.keyset_parts = _PARTS if on else (lambda *a, **k: None)
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
                   help="EXPLAIN (ANALYZE, BUFFERS) (SQLite: EXPLAIN QUERY PLAN) of the middle pages instead of timing")
    p.add_argument("--compare", choices=("parts", "bound"), default="parts")
    p.add_argument("--cases", choices=("nulls", "all"), default="nulls")
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
    code = "with keyset_parts" if _PARTS is not None else "without keyset_parts (both columns the same code)"
    print(f"bench_deep_pages {time.strftime('%Y-%m-%d %H:%M')} {profile.describe()} load {os.getloadavg()[0]:.2f}; "
          f"code {Path(listing_module.__file__).parents[2]} {code}", flush=True)
    with db.unit_of_work(write=False) as s:
        sales_login = s.scalar(text("SELECT login FROM users WHERE role = 'sales' ORDER BY id LIMIT 1"))
    sessions = {"admin": connect(profile, "admin", PASSWORD), "sales": connect(profile, sales_login, PASSWORD)}
    backend = profile.backend
    compare = args.compare
    labels = ("with", "without") if compare == "bound" else ("parts", "main")
    for module, sort in CASES:
        if args.cases == "nulls" and (module, sort.lstrip("-")) not in NULLABLE:
            continue
        for who, session in sessions.items():
            service = getattr(session, module)
            _switch(compare, True, [service])
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
            if (module, sort.lstrip("-")) in NULLABLE:
                nulls = service.count(ListQuery(filters=[Filter(sort.lstrip("-"), "is_null", True)]))
                if nulls > 2:  # a cursor in the middle of the NULLs (last in either direction)
                    among = service.list(ListQuery(limit=1, sort=(sort,), fields=fields, before=(),
                                                   offset=nulls // 2 - 1)).prev_cursor
                    pages["null after"] = ListQuery(limit=50, sort=(sort,), fields=fields, after=among)
                    pages["null before"] = ListQuery(limit=50, sort=(sort,), fields=fields, before=among)
            if args.explain:
                for what in [w for w in pages if w.startswith(("mid", "null"))]:
                    for on in (False, True):
                        _switch(compare, on, [service])
                        print(f"{module} {who} {sort} {what} {labels[not on]}: "
                              f"{_explained(session, service, pages[what])}", flush=True)
                _switch(compare, True, [service])
                continue
            times: dict[str, list[float]] = {"first": []}
            for what in pages:
                times[f"{what} off"], times[f"{what} on"] = [], []
            service.list(first)  # warm
            for _ in range(args.reps):
                _switch(compare, True, [service])
                times["first"].append(ms(lambda: service.list(first)))
                for what, q in pages.items():
                    for on in (False, True):
                        _switch(compare, on, [service])
                        service.list(q)  # the statement built and compiled, not timed
                        times[f"{what} {'on' if on else 'off'}"].append(ms(lambda q=q: service.list(q)))
            _switch(compare, True, [service])
            base = statistics.median(times["first"])
            print(f"{backend:<10} {module} {who} {sort:<13} first page {base:8.2f} ms", flush=True)
            for what in pages:
                old = statistics.median(times[f"{what} off"])
                new = statistics.median(times[f"{what} on"])
                print(f"{backend:<10} {module} {who} {sort:<13} {what:<12} {labels[1]} {old:8.2f} ms "
                      f"({old / base:6.1f}x first)  {labels[0]} {new:8.2f} ms ({new / base:5.1f}x first)", flush=True)


def _explained(session: Any, service: Any, q: ListQuery) -> str:
    """PostgreSQL: the page statement's execution time and buffers, and the Index Conds on its sort column;
    SQLite: its plan's SEARCH / SCAN lines of the table."""
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
        if session.db.backend == "sqlite":
            rows = [str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + stmt, params)]
            return "; ".join(r for r in rows if f" {table} " in r or "TEMP B-TREE" in r)
        rows = [r[0] for r in conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + stmt, params)]
    buffers = next((r.strip() for r in rows if "Buffers" in r), "")
    took = "; ".join(r for r in rows if r.startswith(("Planning Time", "Execution Time")))
    conds = [r.strip() for r in rows if "Index Cond" in r and any(k in r for k in ("name", "amount", "signed_on",
                                                                                   "received_on", "valid_until"))]
    return f"{took}; {buffers}; {' | '.join(conds) if conds else 'no range on the sort column'}"


if __name__ == "__main__":
    main()
