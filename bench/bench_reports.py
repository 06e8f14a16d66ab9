"""Time every report and the dashboard over the demo dataset (3000 customers), relative to a plain COUNT(*).

Not a test: timings depend on the machine. Each figure is printed as seconds
and as a multiple of the baseline measured in the same run (``SELECT
COUNT(*) FROM customers`` through the same session), so runs on different
machines can be compared.

Usage::

    python bench/bench_reports.py [--db PATH] [--customers 3000] [--repeat 3]

``--db`` keeps the generated SQLite file for the next run (generating 3000
customers takes minutes); an existing file with customers is reused as is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from crm_core import demo
from crm_core.config import Profile
from crm_core.models import Customer
from crm_core.reports.model import ReportFilters
from crm_core.services.codes import office_today
from crm_core.session import connect, open_database


def timed(work: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``repeat`` runs (the first run warms caches and is left out when repeating)."""
    runs = []
    for _ in range(repeat + (1 if repeat > 1 else 0)):
        start = time.perf_counter()
        work()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs[1:] if repeat > 1 else runs)


def prepare(path: Path, customers: int) -> Profile:
    profile = Profile(name="bench", backend="sqlite", path=str(path))
    db = open_database(profile, upgrade=True)
    try:
        with db.unit_of_work(write=False) as s:
            existing = s.scalar(select(func.count()).select_from(Customer)) or 0
        if not existing:
            print(f"generating {customers} demo customers into {path} ...", file=sys.stderr)
            demo.generate(db, customers=customers)
    finally:
        db.dispose()
    return profile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="SQLite file to use (kept); default: a temporary file")
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.sqlite3"
        session = connect(prepare(path, args.customers), "admin", demo.DEFAULT_PASSWORD, upgrade=False)
        try:
            run(session, args.repeat)
        finally:
            session.close()
    return 0


def run(session: object, repeat: int) -> None:
    def baseline() -> None:
        with session.db.unit_of_work(write=False) as s:
            s.scalar(select(func.count()).select_from(Customer))

    base = timed(baseline, repeat)
    today = office_today()
    year = ReportFilters(date_from=today - dt.timedelta(days=365), date_to=today)
    print(f"{'what':<32}{'seconds':>10}{'x COUNT(*)':>14}")
    print(f"{'COUNT(*) customers':<32}{base:>10.4f}{1:>14.0f}")
    for key, _ in session.reports.catalogue():
        for label, filters in ((key, ReportFilters()), (f"{key} (last 12 months)", year)):
            seconds = timed(lambda: session.reports.build(key, filters), repeat)
            print(f"{label:<32}{seconds:>10.4f}{seconds / base:>14.0f}")
    seconds = timed(lambda: session.dashboard.load(today - dt.timedelta(days=365), today), repeat)
    print(f"{'dashboard (last 12 months)':<32}{seconds:>10.4f}{seconds / base:>14.0f}")


if __name__ == "__main__":
    sys.exit(main())
