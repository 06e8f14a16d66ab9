"""Cost of a new ticket's state set by the database (row_stamps.INITIAL_VALUES) on a raw insert.

20,000 tickets in one ``INSERT ... SELECT generate_series`` as a service login on a private scram
cluster (row-level security, the audit trail and every other trigger in both runs), rolled back.
Baseline: ``crm_actors_tickets`` as it was, without the six initial-state assignments; alternated
with the function as ``db upgrade`` now creates it, RUNS times each. Prints the load average before
and after, each run, the medians and the ratio.

    PYTHONPATH=$PWD /work/main/.venv/bin/python bench/bench_ticket_state.py
"""

from __future__ import annotations

import os
import statistics
import time

import psycopg

from crm_core.pgsecurity import add_user, init_database, row_stamps
from tests.security import cluster as clusters

ROWS, RUNS = 20_000, 9
PASSWORD = "Passw0rd!Passw0rd"
KEY = "T20991230"
INSERT = ("INSERT INTO tickets (number, customer_id, feedback_type, description, status, version, created_at, "
          "updated_at, is_active) SELECT %s || CASE WHEN i < 1000 THEN lpad(i::text, 3, '0') ELSE i::text END, %s, 'complaint', 'x' || i, 'open', 1, now(), "
          "now(), true FROM generate_series(1, %s) i")


def _function(with_state: bool) -> str:
    from crm_core.pgsecurity.row_stamps import _actor_tables

    cols, all_columns = _actor_tables()["tickets"]
    saved = row_stamps.INITIAL_VALUES
    row_stamps.INITIAL_VALUES = saved if with_state else {}
    try:
        return row_stamps.actors_function("tickets", cols, all_columns)[1]
    finally:
        row_stamps.INITIAL_VALUES = saved


def _insert(cl: clusters.SecureCluster, customer: int) -> float:
    with psycopg.connect(**cl.conninfo("crm", "svc1", PASSWORD)) as conn:
        started = time.perf_counter()
        conn.execute(INSERT, (KEY, customer, ROWS))
        took = time.perf_counter() - started
        conn.rollback()
    return took


def main() -> None:
    cl = clusters.start("bench-superuser-pw")
    try:
        init_database(cl.url("postgres"), "crm", {"login": "admin", "name": "管理员", "phone": "13800000000",
                                                   "password": PASSWORD})
        add_user(cl.url("crm"), {"login": "svc1", "name": "客服一", "role": "service", "phone": "13700000001",
                                 "password": PASSWORD})
        su = psycopg.connect(**cl.conninfo("crm"), autocommit=True)
        customer = su.execute(
            "INSERT INTO customers (code, name, category, status, search_text, version, created_at, updated_at, "
            "is_active) VALUES ('C20991230001', '北京星辰软件有限公司', 'company', 'prospect', '', 1, now(), now(), "
            "true) RETURNING id").fetchone()[0]
        su.execute("INSERT INTO code_sequences (key, last_value) VALUES (%s, %s)", (KEY, ROWS))
        bodies = {"initial state not set (baseline)": _function(False), "initial state set": _function(True)}
        print("load average before", os.getloadavg())
        times: dict[str, list[float]] = {label: [] for label in bodies}
        for _ in range(RUNS):
            for label, body in bodies.items():
                su.execute(body)
                times[label].append(_insert(cl, customer))
        print("load average after", os.getloadavg())
        base = statistics.median(times["initial state not set (baseline)"])
        for label, runs in times.items():
            print(f"{label:34s} {[round(t, 3) for t in runs]} median {statistics.median(runs):.3f} s "
                  f"ratio {statistics.median(runs) / base:.3f}")
    finally:
        clusters.stop(cl)


if __name__ == "__main__":
    main()
