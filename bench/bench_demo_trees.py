"""Demo data (``demo.generate``) with the code of two source trees, alternated (not a test).

For comparing a branch with main at sizes where the demo data's growth shows: each run is a child process with
``PYTHONPATH`` set to its tree, into a fresh database, and prints wall time, the process's CPU (+ its children:
SQLite's planning worker), on PostgreSQL the CPU of the server backends that served it (read from ``/proc``
just before the run disconnects, so this needs the server on this machine) and the rows its tables were
sequentially scanned for (``pg_stat_user_tables.seq_tup_read``), the whole cluster's CPU over the run (its
processes alive at the end and, through the postmaster's children times, those that exited: parallel workers;
other clients' work on the same server counts too), and the load average at the start and end.

    python bench/bench_demo_trees.py --trees /work/wt/dg_main /work/wt/demogrowth --customers 100000 \\
        --backend postgresql --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

CHILD = r"""
import json, os, resource, sys, time
from crm_core import demo
from crm_core.config import Profile
from crm_core.session import open_database
from sqlalchemy import text
backend, n, where = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if backend == "sqlite":
    profile = Profile(name="bench", backend="sqlite", path=where)
else:
    profile = Profile(name="bench", backend="postgresql", host="127.0.0.1", port=5432, database=where,
                      sslmode="disable", db_user="postgres")
db = open_database(profile, upgrade=True)
def cluster_cpu():
    # the PostgreSQL cluster's CPU: its processes alive now (backends, parallel workers, WAL writer,
    # checkpointer ...) and, in the postmaster's cutime/cstime, those that have exited since it started
    if backend != "postgresql":
        return 0.0
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    master = int(open(os.environ.get("PG_PID_FILE", "/var/run/postgresql/15-main.pid")).readline())
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(pid) == master:
                total += sum(int(x) for x in f[11:15])
            elif int(f[1]) == master:
                total += int(f[11]) + int(f[12])
    return total / tick
load0 = open("/proc/loadavg").read().split()[0]
cluster0 = cluster_cpu()
start, cpu = time.perf_counter(), time.process_time()
demo.generate(db, customers=n)
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
children = resource.getrusage(resource.RUSAGE_CHILDREN)
out = {"wall": wall, "cpu": cpu, "worker": children.ru_utime + children.ru_stime, "load": [load0,
       open("/proc/loadavg").read().split()[0]], "server": 0.0, "seq_rows": 0, "cluster": cluster_cpu() - cluster0}
if backend == "postgresql":
    with db.engine.connect() as conn:
        pids = [r[0] for r in conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))]
        out["seq_rows"] = int(conn.scalar(text("SELECT sum(seq_tup_read) FROM pg_stat_user_tables")) or 0)
    for pid in pids:
        try:
            f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            out["server"] += (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
db.dispose()
print(json.dumps(out))
"""


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", sql], check=True,
                   stderr=subprocess.DEVNULL)


def run(tree: str, backend: str, n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        where = os.path.join(tmp, "demo.sqlite3") if backend == "sqlite" else f"bench_trees_{os.getpid()}"
        if backend == "postgresql":
            _psql(f'DROP DATABASE IF EXISTS "{where}"')
            _psql(f'CREATE DATABASE "{where}"')
        try:
            env = {**os.environ, "PYTHONPATH": tree}
            out = subprocess.run([sys.executable, "-c", CHILD, backend, str(n), where], check=True, cwd=tree,
                                 capture_output=True, text=True, env=env).stdout
        finally:
            if backend == "postgresql":
                _psql(f'DROP DATABASE IF EXISTS "{where}"')
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", nargs=2, required=True, help="baseline tree, then the tree measured")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--backend", default="postgresql")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--measured-first", action="store_true", help="start the first pair with the measured tree")
    args = parser.parse_args()
    baseline, measured = args.trees
    for i in range(args.repeat):
        # alternated: every other pair (all of them with --measured-first shifted by one) starts with the branch
        order = [baseline, measured] if (i + args.measured_first) % 2 == 0 else [measured, baseline]
        results = {tree: run(tree, args.backend, args.customers) for tree in order}
        for name, tree in (("baseline", baseline), ("measured", measured)):
            r = results[tree]
            print(f"{args.backend} {args.customers} {name} (run {order.index(tree) + 1} of the pair): "
                  f"{r['wall']:.1f} s wall, CPU {r['cpu']:.1f} + worker {r['worker']:.1f} s, server backends "
                  f"{r['server']:.1f} s, whole cluster {r['cluster']:.1f} s, seq-scanned rows {r['seq_rows']:,}, "
                  f"load {r['load'][0]} -> {r['load'][1]}", flush=True)
        print(f"wall ratio {results[measured]['wall'] / results[baseline]['wall']:.2f}", flush=True)


if __name__ == "__main__":
    main()
