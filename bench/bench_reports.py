"""Time every report and the dashboard over the demo dataset (3000 customers), relative to a plain COUNT(*).

Not a test: timings depend on the machine. Each figure is printed as seconds
and as a multiple of the baseline measured in the same run (``SELECT
COUNT(*) FROM customers`` through the same session), so runs on different
machines can be compared.

The PDF part writes the contracts-and-payments report over ``--pdf-rows``
customers (10,000; built in memory, the database is not involved) and
compares it with reportlab's raw canvas drawing the same texts with
``drawString`` (target ≤ 2×).

The xlsx part writes the same report as xlsx and compares it with openpyxl's
write-only mode writing the same values (no styles; the floor the grid export
is held to). ``--xlsx-compare FILE`` also times another ``render_xlsx.py`` (e.g.
the previous version, ``git show main:crm_core/reports/render_xlsx.py``) in the
same process, alternately with the current one.

Usage::

    python bench/bench_reports.py [--db PATH] [--customers 3000] [--repeat 3] [--pdf-rows 10000] [--pdf-only]
                                  [--xlsx-only] [--xlsx-compare OLD_render_xlsx.py]

``--db`` keeps the generated SQLite file for the next run (generating 3000
customers takes minutes); an existing file with customers is reused as is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select

from crm_core import demo
from crm_core.config import Profile
from crm_core.i18n import Text
from crm_core.models import Customer
from crm_core.reports.cells import format_value
from crm_core.reports.model import Column, Kind, Report, ReportFilters, Table
from crm_core.reports.pdf_base import cjk_font
from crm_core.reports.render_pdf import write_report_pdf
from crm_core.services.codes import office_today
from crm_core.session import connect, open_database


def timed(work: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``repeat`` runs (the first run warms caches and is left out when repeating)."""
    runs = []
    for _ in range(repeat + (1 if repeat > 1 else 0)):
        start = time.perf_counter()
        work()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs[1:] if repeat > 1 else runs)


def prepare(path: Path, customers: int) -> Profile:
    profile = Profile(name="bench", backend="sqlite", path=str(path))
    db = open_database(profile, upgrade=True)
    try:
        with db.unit_of_work(write=False) as s:
            existing = s.scalar(select(func.count()).select_from(Customer)) or 0
        if not existing:
            print(f"generating {customers} demo customers into {path} ...", file=sys.stderr)
            demo.generate(db, customers=customers)
    finally:
        db.dispose()
    return profile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="SQLite file to use (kept); default: a temporary file")
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pdf-rows", type=int, default=10_000)
    parser.add_argument("--pdf-only", action="store_true", help="only the PDF against the raw canvas")
    parser.add_argument("--xlsx-only", action="store_true", help="only the xlsx against openpyxl write-only")
    parser.add_argument("--xlsx-compare", type=Path, help="another render_xlsx.py to time alongside")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        xlsx_against_openpyxl(Path(tmp), args.pdf_rows, args.repeat, args.xlsx_compare)
    if args.xlsx_only:
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        pdf_against_canvas(Path(tmp), args.pdf_rows, args.repeat)
    if args.pdf_only:
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.sqlite3"
        session = connect(prepare(path, args.customers), "admin", demo.DEFAULT_PASSWORD, upgrade=False)
        try:
            run(session, args.repeat)
        finally:
            session.close()
    return 0


def run(session: object, repeat: int) -> None:
    def baseline() -> None:
        with session.db.unit_of_work(write=False) as s:
            s.scalar(select(func.count()).select_from(Customer))

    base = timed(baseline, repeat)
    today = office_today()
    year = ReportFilters(date_from=today - dt.timedelta(days=365), date_to=today)
    print(f"{'what':<32}{'seconds':>10}{'x COUNT(*)':>14}")
    print(f"{'COUNT(*) customers':<32}{base:>10.4f}{1:>14.0f}")
    for key, _ in session.reports.catalogue():
        for label, filters in ((key, ReportFilters()), (f"{key} (last 12 months)", year)):
            seconds = timed(lambda: session.reports.build(key, filters), repeat)
            print(f"{label:<32}{seconds:>10.4f}{seconds / base:>14.0f}")
    seconds = timed(lambda: session.dashboard.load(today - dt.timedelta(days=365), today), repeat)
    print(f"{'dashboard (last 12 months)':<32}{seconds:>10.4f}{seconds / base:>14.0f}")


def contracts_report(rows: int) -> Report:
    """合同与回款 as the builder makes it, over ``rows`` invented customers (codes, long names, money)."""
    rng = random.Random(3)
    cities, words = ["北京", "上海", "深圳", "杭州", "成都"], ["星辰", "云图", "智联", "远航", "数科"]
    data = []
    for i in range(rows):
        amount = Decimal(rng.randint(1_000, 5_000_000))
        received = (amount * rng.randint(0, 100) / 100).quantize(Decimal("0.01"))
        name = f"{rng.choice(cities)}{rng.choice(words)}软件有限公司{i}" + ("（华东区域分公司暨研发中心）" if i % 7 == 0 else "")
        data.append({"code": f"C2026063{i:06d}", "customer": name, "contracts": rng.randint(1, 9), "amount": amount,
                     "received": received, "outstanding": amount - received, "overdue": Decimal("0.00")})
    money = ("amount", "received", "outstanding", "overdue")
    columns = [Column("code", Text("客户编码", "Customer code")), Column("customer", Text("公司名称", "Company")),
               Column("contracts", Text("合同数", "Contracts"), Kind.INTEGER)] + [
        Column(k, Text(zh, en), Kind.MONEY) for k, zh, en in zip(
            money, ("合同金额", "回款金额", "未回款", "逾期未回款"), ("Amount", "Received", "Outstanding", "Overdue"))]
    totals = {"code": Text("合计", "Total"), "contracts": sum(r["contracts"] for r in data),
              **{k: sum(r[k] for r in data) for k in money}}
    return Report("contracts", Text("合同与回款", "Contracts and payments"), ReportFilters(), [],
                  dt.datetime.now(dt.timezone.utc), "系统管理员",
                  [Table(Text("各客户合同与回款", "Per customer"), columns, data, totals)])


def raw_canvas(path: Path, table: Table) -> None:
    """The floor: the same texts drawn with ``drawString`` at fixed places, 45 rows a page, no table."""
    canvas, font = Canvas(str(path), pagesize=landscape(A4)), cjk_font()
    canvas.setFont(font, 8.5)
    y = 550.0
    for row in table.rows:
        for i, column in enumerate(table.columns):
            canvas.drawString(40 + i * 105, y, format_value(row.get(column.key), column.kind))
        y -= 11.5
        if y < 40:
            canvas.showPage()
            canvas.setFont(font, 8.5)
            y = 550.0
    canvas.save()


def pdf_against_canvas(tmp: Path, rows: int, repeat: int) -> None:
    report = contracts_report(rows)
    table = report.sections[0]
    write_report_pdf(contracts_report(20), tmp / "warm.pdf", "zh_CN")  # font loading is not what is measured
    ours, base = [], []
    for _ in range(max(1, repeat)):
        base.append(timed(lambda: raw_canvas(tmp / "raw.pdf", table), 1))
        ours.append(timed(lambda: write_report_pdf(report, tmp / "report.pdf", "zh_CN"), 1))
    a, b = statistics.median(ours), statistics.median(base)
    print(f"report PDF, {rows} rows: {a:.2f} s; raw canvas {b:.2f} s; ratio {a / b:.2f} (target <= 2)")


def openpyxl_write_only(path: Path, report: Report) -> None:
    """The floor: openpyxl's write-only mode writing the same values, without styles or widths."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for section in report.sections:
        keys = [c.key for c in section.columns]
        ws.append([c.label("zh_CN") for c in section.columns])
        for row in section.rows:
            ws.append([row.get(k) for k in keys])
    wb.save(path)


def xlsx_against_openpyxl(tmp: Path, rows: int, repeat: int, compare: Path | None) -> None:
    import importlib.util

    from crm_core.reports.render_xlsx import write_report_xlsx

    writers = {"report xlsx (this tree)": write_report_xlsx}
    if compare is not None:
        spec = importlib.util.spec_from_file_location("render_xlsx_compared", compare)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        writers[f"report xlsx ({compare.name})"] = module.write_report_xlsx
    report = contracts_report(rows)
    times: dict[str, list[float]] = {name: [] for name in writers}
    base = []
    for _ in range(max(1, repeat)):  # alternately: the machine's load falls on every writer alike
        base.append(timed(lambda: openpyxl_write_only(tmp / "floor.xlsx", report), 1))
        for name, write in writers.items():
            times[name].append(timed(lambda w=write: w(report, tmp / "report.xlsx", "zh_CN"), 1))
    b = statistics.median(base)
    print(f"openpyxl write-only, {rows} rows: {b:.2f} s")
    for name, runs in times.items():
        a = statistics.median(runs)
        print(f"{name}, {rows} rows: {a:.2f} s; ratio to openpyxl write-only {a / b:.2f}")


if __name__ == "__main__":
    sys.exit(main())
