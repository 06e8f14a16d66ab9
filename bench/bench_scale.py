"""An office at scale: saves, lists, counts, search, the grid and 50 clients over N customers.

Not a test. Builds (with the bulk path, :mod:`crm_core.bulk`) or reuses a
database per backend with ``--customers`` customers (a third of them with a
contact), cached under ``--data-dir`` and reused when it already holds that
many, then prints one line per figure: the value, a baseline measured in the
same run, their ratio and the target (docs/PERFORMANCE).

    PYTHONPATH=. .venv/bin/python bench/bench_scale.py --customers 20000 --backend sqlite
    PYTHONPATH=. .venv/bin/python bench/bench_scale.py --customers 1000000   # both backends, minutes to build

PostgreSQL: the server on 127.0.0.1:5432, user postgres, trust auth (``--pg-host`` etc.).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import func, select, text

from crm_core import ListQuery
from crm_core.config import Profile
from crm_core.models import Customer
from crm_core.session import connect, open_database

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_build import build  # noqa: E402

PASSWORD = "demo1234"


def profile_for(backend: str, n: int, args: argparse.Namespace) -> Profile:
    if backend == "sqlite":
        return Profile(name="bench", backend="sqlite", path=str(Path(args.data_dir) / f"scale_{n}.sqlite3"))
    return Profile(name="bench", backend="postgresql", host=args.pg_host, port=args.pg_port,
                   database=args.pg_database or f"crm_bench_scale_{n}", sslmode="disable", db_user=args.pg_user)


def local_profile(backend: str, where: str, name: str = "bench") -> Profile:
    """A profile of this machine's database: ``where`` is the SQLite file or the PostgreSQL database (created
    if missing, on the local server as ``postgres``)."""
    if backend == "sqlite":
        return Profile(name=name, backend="sqlite", path=where)
    profile = Profile(name=name, backend="postgresql", host="127.0.0.1", port=5432, database=where,
                      sslmode="disable", db_user="postgres")
    ensure_pg_database(profile)
    return profile


def ensure_pg_database(profile: Profile) -> None:
    from sqlalchemy import create_engine

    admin = create_engine(f"postgresql+psycopg://{profile.db_user}@{profile.host}:{profile.port}/postgres",
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": profile.database}) is None:
            conn.execute(text(f'CREATE DATABASE "{profile.database}"'))
    admin.dispose()


def ms(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(len(xs) * 0.95) - 1)] if len(xs) > 1 else xs[0]


def line(backend: str, what: str, value: float, baseline: float | None, target: str, unit: str = "ms") -> None:
    ratio = f"{value / baseline:7.1f}x" if baseline else "      -"
    base = f"{baseline:9.2f} {unit}" if baseline is not None else " " * (10 + len(unit))
    print(f"{backend:<10} {what:<44} {value:9.2f} {unit}  baseline {base}  ratio {ratio}  target {target}",
          flush=True)


def alternate(a: Callable[[int], Any], b: Callable[[int], Any], n: int) -> tuple[list[float], list[float]]:
    """Time ``a(i)`` and ``b(i)`` alternately (the machine's noise hits both alike)."""
    xs, ys = [], []
    for i in range(n):
        xs.append(ms(lambda: a(i)))
        ys.append(ms(lambda: b(i)))
    return xs, ys


def bench_backend(backend: str, args: argparse.Namespace) -> None:
    n = args.customers
    profile = profile_for(backend, n, args)
    if backend == "postgresql":
        ensure_pg_database(profile)
    else:
        Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    db = open_database(profile, upgrade=True)
    started = time.perf_counter()
    built = build(db, n, seed=args.seed)
    if built:
        print(f"{backend:<10} built {n} customers ({built}) in {time.perf_counter() - started:.0f} s", flush=True)
    else:
        print(f"{backend:<10} reused the cached database with {n} customers ({profile.describe()})", flush=True)
    with db.unit_of_work(write=True) as s:
        s.execute(text("ANALYZE"))
        s.commit()
    admin = connect(profile, "admin", PASSWORD)
    with db.unit_of_work(write=False) as s:
        top = int(s.scalar(select(func.max(Customer.id))) or 0)
        sales_login = s.scalar(text("SELECT login FROM users WHERE role = 'sales' ORDER BY id LIMIT 1"))
        names = [r[0] for r in s.execute(select(Customer.name).where(Customer.id.in_(
            [random.Random(k).randint(1, top) for k in range(50)])))]
        phones = [r[0] for r in s.execute(select(Customer.phone).where(Customer.phone.is_not(None)).limit(50))]
    sales = connect(profile, sales_login, PASSWORD)
    rng = random.Random(args.seed)
    engine = db.engine
    reps = args.reps

    # -- customer save vs a plain UPDATE of the row
    ids = [rng.randint(1, top) for _ in range(reps * 2)]
    versions = {i: admin.customers.get(i)["version"] for i in ids[:reps]}

    def save(k: int) -> None:
        cid = ids[k]
        versions[cid] = admin.customers.update(cid, {"notes": f"bench {k}"}, version=versions[cid])["version"]

    def plain_update(k: int) -> None:
        with engine.begin() as conn:
            conn.execute(text("UPDATE customers SET notes = :n, version = version + 1 WHERE id = :i"),
                         {"n": f"bench {k}", "i": ids[reps + k]})

    xs, ys = alternate(save, plain_update, reps)
    line(backend, "customer update p95", p95(xs), p95(ys), "<= 10x")

    # -- first page (admin, salesperson) vs a bare SELECT ... ORDER BY id LIMIT 50
    def bare(_: int) -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT * FROM customers ORDER BY id LIMIT 50")).all()

    for who, session in (("admin", admin), ("salesperson", sales)):
        xs, ys = alternate(lambda _: session.customers.list(ListQuery(limit=50)), bare, reps)
        line(backend, f"first page as {who} (median)", statistics.median(xs), statistics.median(ys), "<= 5x")
    for sort in ("name", "-created_at"):
        xs, ys = alternate(lambda _: sales.customers.list(ListQuery(limit=50, sort=(sort,))), bare, reps // 2)
        line(backend, f"salesperson page sorted {sort} (median)", statistics.median(xs), statistics.median(ys), "<= 5x")

    # -- count (or its approximation)
    def bare_count(_: int) -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM customers")).scalar()

    xs, ys = alternate(lambda _: admin.customers.count(), bare_count, max(5, reps // 4))
    line(backend, "count, exact (median)", statistics.median(xs), statistics.median(ys), "<= 50 ms")
    quick = getattr(admin.customers, "quick_count", None)  # what the grid shows (exact when cheap)
    for what, query in (("unfiltered", ListQuery()), ("level A", ListQuery(filters={"level": "A"})),
                        ("salesperson", None), ("search 科技", ListQuery(search="科技"))):
        if quick is None:
            print(f"{backend:<10} quick count: no quick_count API on this branch", flush=True)
            break
        fn = (lambda _: sales.customers.quick_count()) if query is None else (lambda _, q=query: quick(q))
        xs, ys = alternate(fn, bare_count, max(5, reps // 4))
        exact = (sales.customers.quick_count() if query is None else quick(query)).exact
        line(backend, f"quick count, {what} ({'exact' if exact else 'estimate'}, median)", statistics.median(xs),
             statistics.median(ys), "<= 50 ms")

    # -- search p95 per term class
    classes = {
        "2-char Chinese": [nm[2:4] for nm in names],
        "2-char Latin": ["in", "co", "of", "se"],
        "2-char digits": ["00", "13", "57", "88"],
        "longer term": [nm[2:6] for nm in names],
        "phone fragment": [p.replace("-", "")[-6:-1] for p in phones],
        "e-mail fragment": ["info@", "contact@", "service@", "office@"],
        "several words": [f"{nm[:2]} {nm[2:4]}" for nm in names],
        # A common word whose matches cluster in the sort order (the names start with the city).
        "city word sorted by name": list(dict.fromkeys(nm[:2] for nm in names)),
    }
    for cls, terms in classes.items():
        terms = [t for t in terms if t and len(t.strip()) >= 2][:20]
        sort = ("name",) if "sorted by name" in cls else ()
        calls = max(len(terms), reps // 2)
        deadline = time.monotonic() + args.class_seconds

        def search(k: int) -> None:
            if time.monotonic() < deadline:
                admin.customers.list(ListQuery(search=terms[k % len(terms)], limit=50, sort=sort))

        xs, ys = alternate(search, bare, calls)
        done = sum(1 for k in range(calls) if xs[k] > 0.05)  # calls past the deadline return at once
        xs = [x for x in xs if x > 0.05] or [0.0]
        note = f"  (stopped after {done} of {calls} calls: {args.class_seconds:.0f} s)" if done < calls else ""
        line(backend, f"search p95: {cls}", p95(xs), p95(ys), f"<= {50 if backend == 'postgresql' else 25} ms{note}")

    admin.close()
    sales.close()
    db.dispose()

    # -- the grid: longest GUI-thread block and peak memory (a fresh process, offscreen)
    if not args.skip_grid:
        out = subprocess.run([sys.executable, str(Path(__file__).with_name("scale_grid_probe.py")),
                              *profile_args(profile)], capture_output=True, text=True, timeout=1800)
        for row in out.stdout.splitlines():
            print(f"{backend:<10} {row}", flush=True)
        if out.returncode:
            print(out.stderr[-2000:], flush=True)

    # -- 50 clients (PostgreSQL)
    if backend == "postgresql" and args.clients:
        from scale_clients import run_clients

        # Closed loop (no pause: the machine's saturation) and an office (each clerk pauses
        # --think-seconds on average between operations: what a user waits).
        runs = [(0.0, args.clients_seconds)] + ([(args.think_seconds, args.office_seconds)] if args.think_seconds else [])
        for think, seconds in runs:
            for row in run_clients(profile, args.clients, seconds, PASSWORD, think_s=think):
                print(f"{backend:<10} {row}", flush=True)


def profile_args(profile: Profile) -> list[str]:
    if profile.backend == "sqlite":
        return ["sqlite", profile.path]
    return ["postgresql", profile.host, str(profile.port), profile.database, profile.db_user]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--data-dir", default="/tmp/crm_bench_scale")
    p.add_argument("--seed", type=int, default=20261206)
    p.add_argument("--reps", type=int, default=60, help="timed repetitions per figure")
    p.add_argument("--clients", type=int, default=50, help="client processes for the PostgreSQL run (0: skip)")
    p.add_argument("--clients-seconds", type=float, default=30, help="length of the closed-loop run")
    p.add_argument("--think-seconds", type=float, default=3.0,
                   help="office run: mean pause of a clerk between operations (exponential; 0: no office run)")
    p.add_argument("--office-seconds", type=float, default=90, help="length of the office run")
    p.add_argument("--skip-grid", action="store_true")
    p.add_argument("--class-seconds", type=float, default=60,
                   help="a search term class stops after this long (its p95 over the calls made)")
    p.add_argument("--pg-host", default="127.0.0.1")
    p.add_argument("--pg-port", type=int, default=5432)
    p.add_argument("--pg-user", default="postgres")
    p.add_argument("--pg-database", help="the PostgreSQL database (default crm_bench_scale_N; a copy made with "
                                         "createdb -T keeps the shared one as it is)")
    args = p.parse_args()
    import os
    import platform

    print(f"bench_scale {time.strftime('%Y-%m-%d %H:%M')} on {platform.node()} ({os.cpu_count()} cores, "
          f"Python {platform.python_version()}), {args.customers} customers", flush=True)
    for backend in (("sqlite", "postgresql") if args.backend == "both" else (args.backend,)):
        bench_backend(backend, args)


if __name__ == "__main__":
    main()
