"""Reports written to PDF and xlsx: the text a reader sees holds the Chinese title and the database's totals."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from crm_core.lists import Filter, ListQuery
from crm_core.models import Contract, Payment
from crm_core.reports.model import ReportFilters
from crm_core.reports.queries import day_span
from tests.integration.test_reports_dataset import Q1, dataset  # noqa: F401  (fixture)

Q1_FILTERS = ReportFilters(date_from=Q1[0], date_to=Q1[1])


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def database_totals(db, admin) -> dict[str, list[str]]:
    """Totals each report must show, read from the database apart from the report code."""
    customers = admin.customers.count(ListQuery(filters=(Filter("created_at", "between", day_span(*Q1)),)))
    followups = admin.followups.count(ListQuery(filters=(Filter("at", "between", day_span(*Q1)),)))
    with db.unit_of_work(write=False) as s:
        signed = s.scalar(select(func.sum(Contract.amount)).where(Contract.signed_on.between(*Q1)))
        received = s.scalar(select(func.sum(Payment.amount)).where(Payment.received_on.between(*Q1)))
    tickets = admin.tickets.count(ListQuery(filters=(Filter("created_at", "between", day_span(*Q1)),)))
    rated = admin.tickets.count(ListQuery(filters=(Filter("satisfaction", "is_null", False),)))
    seats = sum(r["seats"] for r in admin.licenses.list().rows)
    return {"customers": [str(customers)], "followups": [str(followups)], "conversion": [str(customers)],
            "satisfaction": [str(rated)], "tickets": [str(tickets)], "licenses": [str(seats)],
            "contracts": [f"{signed:,.2f}", f"{received:,.2f}"]}


TITLES = {"customers": "客户统计", "followups": "跟进效率", "conversion": "转化趋势", "satisfaction": "满意度分布",
          "tickets": "服务工单KPI", "licenses": "授权报表", "contracts": "合同与回款"}


def test_each_pdf_holds_the_chinese_title_and_the_database_totals(dataset, db, admin, tmp_path):
    expected = database_totals(db, admin)
    assert expected["contracts"] == ["30,000.00", "25,000.50"]
    for key, title in TITLES.items():
        filters = ReportFilters() if key == "licenses" else Q1_FILTERS
        path = tmp_path / f"{key}.pdf"
        admin.reports.write(admin.reports.build(key, filters), path, "pdf", "zh_CN")
        text = pdf_text(path)
        assert title in text, key
        total_lines = [line for line in text.splitlines() if line.strip().startswith("合计")]
        assert total_lines, key
        for figure in expected[key]:
            assert any(figure in line.split() for line in total_lines), (key, figure, total_lines)


def test_pdf_in_english_shows_the_labels_in_english(dataset, admin, tmp_path):
    path = tmp_path / "customers.pdf"
    admin.reports.write(admin.reports.build("customers", Q1_FILTERS), path, "pdf", "en")
    text = pdf_text(path)
    assert "Customer statistics" in text and "客户统计" not in text
    assert "Retail" in text and "Total" in text


def test_xlsx_holds_money_as_numbers_and_the_totals(dataset, admin, tmp_path):
    path = tmp_path / "contracts.xlsx"
    admin.reports.write(admin.reports.build("contracts", Q1_FILTERS), path, "xlsx", "zh_CN")
    values = [cell for row in openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True)
              for cell in row if cell is not None]
    assert any("合同与回款" in str(v) for v in values)
    assert any(isinstance(v, (int, float, Decimal)) and Decimal(str(v)) == Decimal("25000.50") for v in values)
    assert "上海甲软件有限公司" in values


def test_a_cancelled_write_leaves_no_file(dataset, admin, tmp_path):
    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        raise Cancelled

    out = tmp_path / "out"
    out.mkdir()
    report = admin.reports.build("tickets", Q1_FILTERS)
    for fmt in ("pdf", "xlsx"):
        with pytest.raises(Cancelled):
            admin.reports.write(report, out / f"r.{fmt}", fmt, "zh_CN", progress=cancel)
    assert list(out.iterdir()) == []
