"""Records each group of demo-data flushes writes (not a test): the work per customer is not the same early and late.

Flush ``k`` writes every record dated up to the creation of customer ``1000·(k+1)`` (ids follow creation times):
the new customers' own first records and the later records (follow-ups, payments, tickets ...) of every older
customer that fall in that window. Counted from a finished SQLite demo database by ``created_at`` (status changes
by ``changed_at``, ticket log by ``at``, machines by ``activated_at``; audit entries are dated when written, so
left out), per group of ``GROUP`` thousand customers. The data are the same for the same seed and size on both
backends, so one count serves a PostgreSQL run of the same size too.

    python bench/demo_records_per_window.py DEMO.sqlite3 [GROUP]
"""

from __future__ import annotations

import sqlite3
import sys

TABLES = {"customers": "created_at", "contacts": "created_at", "contracts": "created_at", "payments": "created_at",
          "products": "created_at", "licenses": "created_at", "submitters": "created_at", "tickets": "created_at",
          "followups": "created_at", "needs": "created_at", "opportunities": "created_at",
          "customer_status_changes": "changed_at", "ticket_log_entries": "at", "licensed_machines": "activated_at"}


def main() -> None:
    db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    group = 1000 * (int(sys.argv[2]) if len(sys.argv) > 2 else 10)
    n = db.execute("SELECT count(*) FROM customers").fetchone()[0]
    ends = [db.execute("SELECT created_at FROM customers WHERE id = ?", (k,)).fetchone()[0]
            for k in range(group, n, group)]
    # the last group takes whatever is left, as the last flush does (a date as the end: the columns' NUMERIC
    # affinity would compare "9999" as a number, below every text)
    bounds = list(zip([""] + ends, ends + ["9999-12-31"]))
    for i, (after, upto) in enumerate(bounds):
        records = sum(db.execute(f"SELECT count(*) FROM {t} WHERE {c} > ? AND {c} <= ?", (after, upto)).fetchone()[0]
                      for t, c in TABLES.items())
        print(f"customers {i * group:>8}-{min(n, (i + 1) * group):>8}: {records:>9} records")


if __name__ == "__main__":
    main()
