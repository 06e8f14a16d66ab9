"""Export throughput against the libraries' own speed, measured in the same run (not a test).

Usage: python bench/bench_export.py [--rows 100000] [--repeat 1] [--backend sqlite|postgresql] [--formats csv,xlsx,pdf]

Builds a throw-away database with ROWS customers, reads them once through the
export path (``customers.export``: permissions, masking, reference names), then
times, alternating so the machine's load hits both alike:

* our CSV writer      vs ``csv.writer.writerows`` of the stored values (codes, ids, UTC times),
                        and of the very cells our file holds (labels, names, local times) (target ≤ 2×);
* our xlsx writer     vs openpyxl ``write_only`` appending the raw values (target ≤ 1.2×);
* our PDF writer      vs reportlab's raw canvas ``drawString`` of the same texts.

The writers get the records already read; the end-to-end lines (``session.exports.write``,
reading included) follow, with the reading alone as their yardstick.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import insert, text

from crm_core.config import Profile
from crm_core.exporting.columns import dictionary_labels, export_columns
from crm_core.exporting.pdf_grid import write_pdf
from crm_core.exporting.tabular import csv_column, write_csv, write_xlsx
from crm_core.lists import ListQuery
from crm_core.models import Customer
from crm_core.reports.cells import format_value
from crm_core.reports.pdf_base import PdfMeta, cjk_font
from crm_core.session import connect, create_first_admin, open_database

PASSWORD = "bench-secret-123"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _seed(db: Any, uid: int, rows: int) -> None:
    rng = random.Random(7)
    cities, words = ["北京", "上海", "深圳", "杭州", "成都"], ["星辰", "云图", "智联", "远航", "数科"]
    now = dt.datetime.now(dt.timezone.utc)
    values = [dict(code=f"C2026063{i:06d}", name=f"{rng.choice(cities)}{rng.choice(words)}软件有限公司{i}",
                   status=rng.choice(["prospect", "interested", "won"]), level=rng.choice("ABC"),
                   industry=rng.choice(["manufacturing", "retail", "finance"]), phone=f"139{i:08d}",
                   email=f"info{i}@example.com", owner_id=uid, created_by_id=uid, search_text="", version=1,
                   is_active=True, created_at=now, updated_at=now) for i in range(rows)]
    with db.unit_of_work(write=True) as s:
        for start in range(0, rows, 10000):
            s.execute(insert(Customer), values[start:start + 10000])
        s.commit()


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _pair(ours: Callable[[], object], base: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median seconds of ours and the baseline, run alternately."""
    a, b = [], []
    for _ in range(repeat):
        b.append(_timed(base))
        a.append(_timed(ours))
    return statistics.median(a), statistics.median(b)


def _raw_csv(path: Path, rows: list[list[Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)


def _raw_xlsx(path: Path, rows: list[list[Any]]) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for row in rows:
        ws.append(row)
    wb.save(path)


def _raw_canvas(path: Path, rows: list[list[str]]) -> None:
    """The floor: every text drawn with drawString at a fixed place, 40 rows a page, no table."""
    canvas, font = Canvas(str(path), pagesize=landscape(A4)), cjk_font()
    canvas.setFont(font, 7.5)
    y = 540.0
    for row in rows:
        for i, cell in enumerate(row):
            canvas.drawString(40 + i * 70, y, cell)
        y -= 12.5
        if y < 40:
            canvas.showPage()
            canvas.setFont(font, 7.5)
            y = 540.0
    canvas.save()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--formats", default="csv,xlsx,pdf", help="comma-separated subset of csv,xlsx,pdf")
    parser.add_argument("--pg-database", default="crm_bench_export",
                        help="throw-away PostgreSQL database (dropped and created; one per concurrent run)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if args.backend == "sqlite":
            profile = Profile(name="bench", backend="sqlite", path=str(tmp_path / "bench.sqlite3"))
        else:
            profile = _fresh_pg(args.pg_database)
        db = open_database(profile, upgrade=True)
        create_first_admin(db, {"login": "admin", "name": "系统管理员", "phone": "13800000000", "password": PASSWORD})
        session = connect(profile, "admin", PASSWORD)
        _seed(db, session.actor.user_id, args.rows)
        query = ListQuery(sort=("code",))
        read = _timed(lambda: sum(1 for _ in session.customers.export(query)))
        records = list(session.customers.export(query))
        cols = export_columns(session.customers.spec, None, "zh_CN",
                              dictionary_labels(session.dictionary.entries()), session.customers.custom_fields())
        meta = PdfMeta("客户信息导出", "筛选：无", "生成人：系统管理员", "zh_CN")
        raw = [[_plain(r.get(c.field.name)) for c in cols] for r in records]
        converters = [csv_column(c) for c in cols]
        final = [row for start in range(0, len(records), 100)
                 for row in zip(*[conv(records[start:start + 100]) for conv in converters])]
        texts = [[format_value(c.get(r), c.kind) for c in cols] for r in records]
        print(f"{len(records)} rows x {len(cols)} columns, {args.backend}; read through the export path: {read:.2f} s")
        print(f"{'writer':<8}{'ours s':>9}{'baseline s':>12}{'ratio':>8}  baseline")
        for fmt, ours, base, name, target in (
                ("csv", lambda: write_csv(tmp_path / "o.csv", cols, iter(records), meta),
                 lambda: _raw_csv(tmp_path / "b.csv", raw), "csv.writer, stored values", 2.0),
                ("csv", lambda: write_csv(tmp_path / "o.csv", cols, iter(records), meta),
                 lambda: _raw_csv(tmp_path / "f.csv", final), "csv.writer, the file's own cells", 2.0),
                ("xlsx", lambda: write_xlsx(tmp_path / "o.xlsx", cols, iter(records), meta),
                 lambda: _raw_xlsx(tmp_path / "b.xlsx", raw), "openpyxl write_only", 1.2),
                ("pdf", lambda: write_pdf(tmp_path / "o.pdf", cols, iter(records), meta),
                 lambda: _raw_canvas(tmp_path / "b.pdf", texts), "reportlab raw canvas", None)):
            if fmt not in args.formats.split(","):
                continue
            a, b = _pair(ours, base, args.repeat)
            goal = f" (target <= {target})" if target else ""
            print(f"{fmt:<8}{a:>9.2f}{b:>12.2f}{a / b:>8.2f}  {name}{goal}")
        print(f"{'end to end':<12}{'seconds':>9}{'x reading':>11}")
        for fmt in args.formats.split(","):
            seconds = _timed(lambda: session.exports.write("customers", query, None, tmp_path / f"e.{fmt}", fmt,
                                                           "zh_CN"))
            print(f"{fmt:<12}{seconds:>9.2f}{seconds / read:>11.2f}")
        session.close()
        db.dispose()


def _plain(value: Any) -> Any:
    """What the baselines write: the stored value, naive local time for timestamps (openpyxl refuses tz)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone().replace(tzinfo=None)
    return value


def _fresh_pg(name: str) -> Profile:
    from sqlalchemy import create_engine

    admin_engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin_engine.dispose()
    return Profile(name="bench", backend="postgresql", host="127.0.0.1", port=5432, database=name,
                   sslmode="disable", auth="app", db_user="postgres")


if __name__ == "__main__":
    main(sys.argv[1:])
