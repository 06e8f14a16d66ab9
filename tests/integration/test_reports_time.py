"""Reports count times by the office's local calendar, the same way on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from crm_core.lists import Filter, ListQuery
from crm_core.models import Customer
from crm_core.reports import queries
from crm_core.reports.model import ReportFilters, localize

CHINA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def office_in_china(monkeypatch):
    monkeypatch.setattr(queries, "office_tz", lambda: CHINA)


def _created(db, customer_id: int, when: dt.datetime) -> None:
    table = Customer.__table__
    with db.unit_of_work(write=True) as s:
        s.execute(update(table).where(table.c.id == customer_id).values(created_at=when))
        s.commit()


def test_months_and_days_follow_the_office_clock(db, admin, make_customer, office_in_china):
    late = make_customer("月末晚上建的客户")
    early = make_customer("月初早上建的客户")
    _created(db, late["id"], dt.datetime(2026, 1, 31, 20, tzinfo=dt.timezone.utc))  # 02-01 04:00 in Beijing
    _created(db, early["id"], dt.datetime(2026, 1, 31, 15, tzinfo=dt.timezone.utc))  # 01-31 23:00 in Beijing
    report = localize(admin.reports.build("customers", ReportFilters()), "en")
    per_month = next(s for s in report.sections if getattr(s, "title", None) and s.title.en == "New customers per month"
                     and hasattr(s, "rows"))
    assert {r["month"]: r["count"] for r in per_month.rows} == {"2026-01": 1, "2026-02": 1}
    february = ReportFilters(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28))
    by_status = localize(admin.reports.build("customers", february), "en").sections[0]
    assert by_status.totals["count"] == 1
    # and the grid, given the same bounds, finds the same customer
    span = queries.day_span(february.date_from, february.date_to)
    page = admin.customers.list(ListQuery(filters=(Filter("created_at", "between", span),)))
    assert [r["name"] for r in page.rows] == ["月末晚上建的客户"]


def test_day_span_covers_whole_local_days(office_in_china):
    low, high = queries.day_span(dt.date(2026, 2, 1), dt.date(2026, 2, 1))
    assert low == dt.datetime(2026, 1, 31, 16, tzinfo=dt.timezone.utc)
    assert high == dt.datetime(2026, 2, 1, 15, 59, 59, 999999, tzinfo=dt.timezone.utc)
    assert queries.day_span(None, None) == (None, None)


@pytest.mark.parametrize("values, expected", [
    ([], None), ([5.0], 5.0), ([2.0, 10.0, 24.0], 24.0), ([float(i) for i in range(1, 11)], 9.0),
    ([float(i) for i in range(1, 21)], 18.0),
])
def test_p90_is_the_nearest_rank(values, expected):
    assert queries.p90(values) == expected


def test_month_axis_fills_the_period():
    assert queries.month_axis({"2026-02"}, dt.date(2025, 11, 5), dt.date(2026, 2, 1)) == [
        "2025-11", "2025-12", "2026-01", "2026-02"]
    assert queries.month_axis(set(), None, None) == []
    assert queries.month_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
