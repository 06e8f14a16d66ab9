"""Demo data (``demo.generate``, behind ``crm-admin demo-data``): planning in a worker process against in-process.

Not a test: for each backend and size it runs ``demo.generate`` into a fresh database, alternately with the
customers planned in-process (the baseline: ``crm_core.demo_write.PLAN_IN_WORKER = False``) and in the forked
worker (the default), each run in a child process of its own, and prints wall time, CPU (the run's process
plus its children: the worker) and the ratio to the baseline measured in the same run.

    PYTHONPATH=. python bench/bench_demo.py [--customers 10000] [--backend sqlite postgresql] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, os.path.join(os.getcwd(), "bench"))
from crm_core import demo, demo_write
from crm_core.session import open_database
backend, n, worker, where = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
demo_write.PLAN_IN_WORKER = worker
from bench_scale import local_profile
profile = local_profile(backend, where)
db = open_database(profile, upgrade=True)
start, cpu = time.perf_counter(), time.process_time()
demo.generate(db, customers=n)
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
children = resource.getrusage(resource.RUSAGE_CHILDREN)
db.dispose()
print(json.dumps({"wall": wall, "cpu": cpu, "worker": children.ru_utime + children.ru_stime}))
"""


def _drop_pg(name: str) -> None:
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f'DROP DATABASE IF EXISTS "{name}"'],
                   check=True, stderr=subprocess.DEVNULL)


def run(backend: str, n: int, worker: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        where = os.path.join(tmp, "demo.sqlite3") if backend == "sqlite" else f"bench_demo_{os.getpid()}"
        if backend == "postgresql":
            _drop_pg(where)
        try:
            out = subprocess.run([sys.executable, "-c", CHILD, backend, str(n), "1" if worker else "0", where],
                                 check=True, capture_output=True, text=True).stdout
        finally:
            if backend == "postgresql":
                _drop_pg(where)
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[10_000])
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(f"load average {' '.join(open('/proc/loadavg').read().split()[:3])}, {time.strftime('%H:%M:%S')}")
    for backend in args.backend:
        for n in args.customers:
            for _ in range(args.repeat):
                base, new = run(backend, n, worker=False), run(backend, n, worker=True)
                print(f"{backend} {n:>7}: in-process {base['wall']:6.1f} s wall, {base['cpu']:6.1f} s CPU | "
                      f"worker {new['wall']:6.1f} s wall, {new['cpu']:6.1f} + {new['worker']:5.1f} s CPU | "
                      f"wall ratio {new['wall'] / base['wall']:.2f}, writer CPU ratio {new['cpu'] / base['cpu']:.2f}",
                      flush=True)


if __name__ == "__main__":
    main()
