"""Export throughput: N demo-like customers to CSV, xlsx and PDF (not a test).

Usage: python bench/bench_export.py [ROWS]   (default 20000)

Builds a throw-away SQLite database, inserts ROWS customers in one go, then
exports them through ``session.exports`` in each format. CSV is the baseline
of the same run, so the ratios compare formats on this machine, whatever its
speed; the peak traced memory shows that no format holds all rows.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from crm_core.config import Profile
from crm_core.lists import ListQuery
from crm_core.models import Customer
from crm_core.session import connect, create_first_admin, open_database

PASSWORD = "bench-secret-123"


def _seed(db, uid: int, rows: int) -> None:
    rng = random.Random(7)
    cities, words = ["北京", "上海", "深圳", "杭州", "成都"], ["星辰", "云图", "智联", "远航", "数科"]
    with db.unit_of_work(write=True) as s:
        s.add_all(Customer(code=f"B{i:09d}", name=f"{rng.choice(cities)}{rng.choice(words)}软件有限公司{i}",
                           status=rng.choice(["prospect", "interested", "won"]), level=rng.choice("ABC"),
                           industry=rng.choice(["manufacturing", "retail", "finance"]), phone=f"139{i:08d}",
                           email=f"info{i}@example.com", owner_id=uid, created_by_id=uid, search_text="")
                  for i in range(rows))
        s.commit()


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        profile = Profile(name="bench", backend="sqlite", path=str(Path(tmp) / "bench.sqlite3"))
        db = open_database(profile, upgrade=True)
        create_first_admin(db, {"login": "admin", "name": "系统管理员", "phone": "13800000000", "password": PASSWORD})
        session = connect(profile, "admin", PASSWORD)
        _seed(db, session.actor.user_id, rows)
        session.exports.write("customers", ListQuery(limit=1), None, Path(tmp) / "warm.pdf", "pdf", "zh_CN")
        baseline = None
        for fmt in ("csv", "xlsx", "pdf"):
            path = Path(tmp) / f"customers.{fmt}"
            tracemalloc.start()
            start = time.perf_counter()
            n = session.exports.write("customers", ListQuery(sort=("name",)), None, path, fmt, "zh_CN")
            seconds = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            rate = n / seconds
            baseline = baseline or rate
            print(f"{fmt:5} {n:>8} rows {seconds:7.2f} s {rate:9.0f} rows/s  x{rate / baseline:5.2f} of csv  "
                  f"peak {peak / 1e6:6.1f} MB  file {path.stat().st_size / 1e6:6.1f} MB")
        session.close()
        db.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
