"""Where the time of each flush of ``demo.generate`` goes, as the database grows (not a test).

Times every SQL statement (by its table and verb, via SQLAlchemy's cursor events and the bulk rows' driver
calls) and the writer's Python per module, per flush, and prints the sums of each group of flushes so that what
grows with the database's size shows.

    PYTHONPATH=. python bench/demo_growth_probe.py sqlite|postgresql CUSTOMERS WHERE [GROUP]
"""

from __future__ import annotations

import os
import re
import resource
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.join(os.getcwd(), "bench"))
from sqlalchemy import event  # noqa: E402

from crm_core import demo, demo_write  # noqa: E402
from crm_core.bulk import rows as bulk_rows  # noqa: E402
from crm_core.session import open_database  # noqa: E402

backend, n, where = sys.argv[1], int(sys.argv[2]), sys.argv[3]
group = int(sys.argv[4]) if len(sys.argv) > 4 else 10
from bench_scale import local_profile  # noqa: E402

profile = local_profile(backend, where, "probe")
db = open_database(profile, upgrade=True)

acc: dict[str, float] = defaultdict(float)
_VERB = re.compile(r'^\s*(INSERT INTO|UPDATE|SELECT .*? FROM|DELETE FROM|COPY|WITH)\s+"?(\w+)', re.S | re.I)


def _key(sql: str) -> str:
    m = _VERB.match(sql)
    if not m:
        return "sql " + sql[:40].replace("\n", " ")
    return f"sql {m.group(1).split()[0].upper()} {m.group(2)}"


@event.listens_for(db.engine, "before_cursor_execute")
def _before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
    conn.info.setdefault("probe_t", []).append(time.perf_counter())


@event.listens_for(db.engine, "after_cursor_execute")
def _after(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
    acc[_key(statement)] += time.perf_counter() - conn.info["probe_t"].pop()


def _timed(name, f):  # noqa: ANN001, ANN202
    def wrapper(*a, **k):  # noqa: ANN002, ANN003, ANN202
        t = time.perf_counter()
        try:
            return f(*a, **k)
        finally:
            acc[name] += time.perf_counter() - t
    return wrapper


_orig_insert = bulk_rows.insert_rows


def _insert_rows(s, table, columns, rows):  # noqa: ANN001, ANN202
    t = time.perf_counter()
    try:
        return _orig_insert(s, table, columns, rows)
    finally:
        acc[f"bulk insert {table.name}"] += time.perf_counter() - t
        acc["rows written"] += len(rows)


for mod in (bulk_rows, demo_write, sys.modules["crm_core.bulk.writer"]):
    mod.insert_rows = _insert_rows
PW = demo_write.PlanWriter
for name in [f"_{m}" for m in demo_write.ORDER]:
    setattr(PW, name, _timed("module " + name, getattr(PW, name)))
PW.receive = _timed("receive", PW.receive)
demo_write._Spill.take = _timed("spill take", demo_write._Spill.take)
_flush = PW.flush
stats: list[tuple[float, float, dict[str, float]]] = []


def flush(self, k):  # noqa: ANN001, ANN202
    t, c = time.perf_counter(), time.process_time()
    with self.db.unit_of_work(write=True) as s:
        self.flush_in(s, k)
        t2 = time.perf_counter()
        s.commit()
        acc["commit"] += time.perf_counter() - t2
    if hasattr(self, "_analyze") and (k + 1) & k == 0:  # what PlanWriter.flush does after the commit
        t2 = time.perf_counter()
        self._analyze()
        acc["analyze"] += time.perf_counter() - t2
    acc["flush wall"] += time.perf_counter() - t
    acc["flush cpu"] += time.process_time() - c
    if (k + 1) % group == 0:
        stats.append(dict(acc))
        top = sorted(acc.items(), key=lambda kv: -kv[1])
        print(f"flushes {k + 1 - group}-{k}: " + ", ".join(f"{a}={b:.2f}" for a, b in top[:22]), flush=True)
        acc.clear()


PW.flush = flush
start, cpu = time.perf_counter(), time.process_time()
last = [start]


_server = [0.0]


def server_cpu() -> float:
    """CPU seconds of this database's server backends (PostgreSQL on this machine), 0 on SQLite."""
    if backend != "postgresql":
        return 0.0
    import psycopg
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as c:
        pids = [r[0] for r in c.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (where,))]
    total = 0.0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return total


def progress(done, total):  # noqa: ANN001, ANN202
    if done % (group * demo.CHUNK) == 0:
        now = time.perf_counter()
        cpu_now = server_cpu()
        print(f"# server backends' CPU {cpu_now - _server[0]:.1f} s (the pooled ones alive now)", flush=True)
        _server[0] = cpu_now
        print(f"# {done} customers: {now - last[0]:.1f} s for the last {group * demo.CHUNK} (since start "
              f"{now - start:.1f} s, cpu {time.process_time() - cpu:.1f}), rss "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB, "
              f"load {open('/proc/loadavg').read().split()[0]}", flush=True)
        last[0] = now


demo.generate(db, customers=n, progress=progress)
print(f"total {time.perf_counter() - start:.1f} s wall, cpu {time.process_time() - cpu:.1f}")
