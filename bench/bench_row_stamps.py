"""Cost of the row-stamp triggers (crm_core/pgsecurity/row_stamps.py) on a raw insert as a salesman's login.

20,000 follow-ups in one ``INSERT ... SELECT generate_series`` as sales1 on a private scram
cluster (row-level security and the audit trail in both runs), rolled back. Baseline: every
``crm_ids_handed_out`` and ``crm_actor_columns`` trigger of the database disabled; alternated with
them enabled, RUNS times each. Prints the load average before and after, each run, the medians and
the ratio.

    PYTHONPATH=$PWD /work/main/.venv/bin/python bench/bench_row_stamps.py
"""

from __future__ import annotations

import os
import statistics
import time

import psycopg

from crm_core.pgsecurity import add_user, init_database
from tests.security import cluster as clusters

ROWS, RUNS = 20_000, 5
PASSWORD = "Passw0rd!Passw0rd"
INSERT = ("INSERT INTO followups (customer_id, user_id, at, content, next_done, version, created_at, updated_at, "
          "is_active) SELECT %s, %s, now(), 'x' || i, false, 1, now(), now(), true FROM generate_series(1, %s) i")


def _toggle(su: psycopg.Connection, on: bool) -> None:
    for table, trigger in su.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname IN "
                                     "('crm_ids_handed_out', 'crm_actor_columns')").fetchall():
        su.execute(f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} TRIGGER {trigger}")


def _insert(cl: clusters.SecureCluster, customer: int, user: int) -> float:
    with psycopg.connect(**cl.conninfo("crm", "sales1", PASSWORD)) as conn:
        started = time.perf_counter()
        conn.execute(INSERT, (customer, user, ROWS))
        took = time.perf_counter() - started
        conn.rollback()
    return took


def main() -> None:
    cl = clusters.start("bench-superuser-pw")
    try:
        init_database(cl.url("postgres"), "crm", {"login": "admin", "name": "管理员", "phone": "13800000000",
                                                   "password": PASSWORD})
        user = add_user(cl.url("crm"), {"login": "sales1", "name": "销售一", "role": "sales",
                                         "phone": "13700000001", "password": PASSWORD})["id"]
        su = psycopg.connect(**cl.conninfo("crm"), autocommit=True)
        customer = su.execute(
            "INSERT INTO customers (code, name, category, status, owner_id, search_text, version, created_at, "
            "updated_at, is_active) VALUES ('C20991230001', '北京星辰软件有限公司', 'company', 'prospect', %s, '', 1, "
            "now(), now(), true) RETURNING id", (user,)).fetchone()[0]
        print("load average before", os.getloadavg())
        times: dict[str, list[float]] = {"triggers off (baseline)": [], "triggers on": []}
        for _ in range(RUNS):
            for label, on in (("triggers off (baseline)", False), ("triggers on", True)):
                _toggle(su, on)
                times[label].append(_insert(cl, customer, user))
        _toggle(su, True)
        print("load average after", os.getloadavg())
        base = statistics.median(times["triggers off (baseline)"])
        for label, runs in times.items():
            print(f"{label:26s} {[round(t, 2) for t in runs]} median {statistics.median(runs):.2f} s "
                  f"ratio {statistics.median(runs) / base:.2f}")
    finally:
        clusters.stop(cl)


if __name__ == "__main__":
    main()
