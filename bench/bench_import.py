"""Time the import dry run (check) of 10 000 customer rows on a fresh SQLite database.

Not a test: prints the time of ``ImportService.check`` against a baseline
measured in the same run (parsing the same CSV with the csv module), so the
ratio means something on any machine.

    /tmp/venv/bin/python bench/bench_import.py [rows]
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

from crm_core.config import Profile
from crm_core.session import connect, create_first_admin, open_database

HEADERS = ["公司名称", "公司类别", "重要级别", "所属行业", "客户来源", "电话", "Email", "跟进人", "备注"]


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        for i in range(rows):
            w.writerow([f"基准测试公司{i:06d}有限公司", "有限责任公司", "ABC"[i % 3], "制造业", "展会推广",
                        f"139{i:08d}", f"c{i}@example.cn", "admin", "导入基准"])


def main(rows: int = 10_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        profile = Profile(name="bench", backend="sqlite", path=str(folder / "bench.sqlite3"))
        db = open_database(profile)
        create_first_admin(db, {"login": "admin", "name": "管理员", "phone": "13800000000", "password": "bench-secret-1"})
        session = connect(profile, "admin", "bench-secret-1")
        source = folder / "customers.csv"
        write_file(source, rows)

        start = time.perf_counter()
        with source.open(encoding="utf-8-sig", newline="") as f:
            parsed = sum(1 for _ in csv.reader(f))
        baseline = time.perf_counter() - start

        mapping = session.imports.auto_mapping("customers", HEADERS)
        start = time.perf_counter()
        check = session.imports.check("customers", source, mapping)
        checked = time.perf_counter() - start
        assert check.valid_rows == rows == parsed - 1, check.errors[:3]
        print(f"rows: {rows}")
        print(f"baseline (csv parse): {baseline:.3f} s")
        print(f"check():              {checked:.3f} s  ({rows / checked:.0f} rows/s)")
        print(f"ratio:                {checked / baseline:.0f}x")
        session.close()
        db.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
