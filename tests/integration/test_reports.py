"""Reports (报表): exact figures over a known dataset, filters, row scope and rights, on both databases."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from crm_core import PermissionDenied, ValidationError
from crm_core.i18n import Text
from crm_core.permissions import ROLES, Action
from crm_core.reports.model import Chart, Kind, Report, ReportFilters, Table, localize
from tests.integration.test_reports_dataset import Q1, dataset  # noqa: F401  (fixture)

Q1_FILTERS = ReportFilters(date_from=Q1[0], date_to=Q1[1])


def tables(report: Report, lang: str = "en") -> dict[str, Table]:
    """The report's tables by English title, cells in ``lang``."""
    return {s.title.en: s for s in localize(report, lang).sections if isinstance(s, Table)}


def charts(report: Report, lang: str = "en") -> dict[str, Chart]:
    return {s.title.en: s for s in localize(report, lang).sections if isinstance(s, Chart)}


def column(table: Table, key: str, first: str | None = None) -> dict:
    """{first-column value: value of ``key``} for every row."""
    first = first or table.columns[0].key
    return {row[first]: row[key] for row in table.rows}


@pytest.fixture
def reports_for_own_scope(monkeypatch):
    """Give salespeople (row scope "own") the reports right, to see what an "own" role would get."""
    sales = ROLES["sales"]
    monkeypatch.setitem(ROLES, "sales", dataclasses.replace(
        sales, modules={**sales.modules, "reports": frozenset({Action.READ, Action.EXPORT})}))


def test_customer_statistics(dataset, admin):
    report = admin.reports.build("customers", Q1_FILTERS)
    t = tables(report)
    assert column(t["By status"], "count") == {"Prospect": 1, "Won": 2, "Lost": 1}
    assert t["By status"].totals["count"] == 4
    assert column(t["By importance"], "count") == {"A (high value)": 2, "B": 1, "C": 1}
    assert column(t["By industry"], "count") == {"IT": 2, "Retail": 1, "Finance": 1}
    assert column(t["By source"], "count") == {"Referral": 2, "Trade show": 1, "Online ad": 1}
    assert column(t["By owner"], "count") == {"王销售": 2, "李销售": 1, "系统管理员": 1}
    assert column(t["New customers per month"], "count") == {"2026-01": 2, "2026-02": 1, "2026-03": 1}
    assert charts(report)["New customers per month"].series[0].values == [2, 1, 1]
    assert column(t["By importance"], "share")["A (high value)"] == 0.5
    assert [c.kind for c in t["By status"].columns] == [Kind.TEXT, Kind.INTEGER, Kind.PERCENT]


@pytest.mark.parametrize("filters, expected", [
    (dataclasses.replace(Q1_FILTERS, level="A"), 2),
    (dataclasses.replace(Q1_FILTERS, industry="retail"), 1),
    (ReportFilters(industry="it"), 3),  # c5 was created before the period: counts when the period is open
    (ReportFilters(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28)), 1),
])
def test_filters_change_the_figures(dataset, admin, filters, expected):
    total = tables(admin.reports.build("customers", filters))["By status"].totals["count"]
    assert total == expected


def test_owner_filter_limits_every_report(dataset, admin):
    sales2 = dataclasses.replace(Q1_FILTERS, owner_id=dataset.users["sales2"]["id"])
    assert tables(admin.reports.build("customers", sales2))["By owner"].rows == [
        {"key": "李销售", "count": 1, "share": 1.0}]
    contracts = tables(admin.reports.build("contracts", sales2))["Contracts and payments per customer"]
    assert contracts.totals["amount"] == Decimal("20000.00")
    kpi = tables(admin.reports.build("tickets", sales2))["By engineer"]
    assert (kpi.totals["opened"], kpi.totals["backlog"]) == (2, 1)


def test_followup_efficiency(dataset, admin):
    t = tables(admin.reports.build("followups", Q1_FILTERS))["By user"]
    assert t.rows == [
        {"user": "王销售", "followups": 4, "customers": 2, "cycle": 7.0, "overdue": 1},
        {"user": "李销售", "followups": 2, "customers": 1, "cycle": 2.0, "overdue": 0},
    ]
    # (4 + 10 + 2) days over 3 gaps; the next step of 01-25 has no later follow-up and is past due
    assert t.totals == {"user": "Total", "followups": 6, "customers": 3, "cycle": 5.3, "overdue": 1}


def test_conversion_by_month(dataset, admin):
    report = admin.reports.build("conversion", Q1_FILTERS)
    t = tables(report)["Prospect → won by month"]
    assert [(r["month"], r["new"], r["converted"], r["rate"], r["won"]) for r in t.rows] == [
        ("2026-01", 2, 1, 0.5, 1),  # won in January: c5, created in December
        ("2026-02", 1, 1, 1.0, 1),
        ("2026-03", 1, 0, 0.0, 1),
    ]
    assert (t.totals["new"], t.totals["converted"], t.totals["rate"], t.totals["won"]) == (4, 2, 0.5, 3)
    line = charts(report)["New and won customers per month"]
    assert [s.values for s in line.series] == [[2, 1, 1], [1, 1, 1]]


def test_satisfaction_distribution(dataset, admin):
    report = admin.reports.build("satisfaction", Q1_FILTERS)
    t = tables(report)
    assert column(t["Ratings"], "count") == {"5 of 5": 2, "4 of 5": 1, "3 of 5": 0, "2 of 5": 0, "1 of 5": 0}
    assert t["By engineer"].rows == [{"engineer": "张工", "rated": 3, "average": 4.67}]
    assert charts(report)["Ratings"].series[0].values == [2, 1, 0, 0, 0]


def test_ticket_kpis_per_engineer_and_place(dataset, admin):
    t = tables(admin.reports.build("tickets", Q1_FILTERS))
    by_engineer = {r["engineer"]: r for r in t["By engineer"].rows}
    # resolution times 10 h, 24 h, 2 h: mean 12, nearest-rank p90 = the 3rd of 3 = 24
    assert by_engineer["张工"] == {"engineer": "张工", "opened": 3, "resolved": 3, "avg_hours": 12.0,
                                   "p90_hours": 24.0, "backlog": 0}
    assert by_engineer["赵工"]["backlog"] == 1 and by_engineer["(not set)"]["backlog"] == 1
    assert t["By engineer"].totals["opened"] == 5 and t["By engineer"].totals["p90_hours"] == 24.0
    places = {(r["city"], r["store"]): (r["opened"], r["resolved"], r["avg_hours"], r["backlog"])
              for r in t["By city and store"].rows}
    assert places == {("上海", "徐汇店"): (3, 2, 17.0, 1), ("北京", "朝阳店"): (2, 1, 2.0, 1)}
    assert column(t["Backlog by severity"], "count") == {"Critical": 1, "Major": 1}


def test_license_report(dataset, admin):
    t = tables(admin.reports.build("licenses", ReportFilters()))
    seats = {r["customer"]: (r["licenses"], r["seats"], r["used"]) for r in t["Seats per customer"].rows}
    assert seats == {"上海甲软件有限公司": (1, 10, 2), "北京丙科技有限公司": (2, 6, 0), "深圳丁金融有限公司": (1, 3, 0)}
    assert column(t["Licenses expiring"], "count") == {"Within 30 days": 1, "31–60 days": 1, "61–90 days": 0}
    assert [(r["serial"], r["valid_until"]) for r in t["Expired trial licenses"].rows] == [("L3", dt.date(2026, 3, 3))]


def test_contracts_and_payments(dataset, admin):
    t = tables(admin.reports.build("contracts", Q1_FILTERS))
    monthly = {r["month"]: (r["signed"], r["amount"], r["received"]) for r in t["Signed and received per month"].rows}
    assert monthly == {"2026-01": (0, Decimal("0.00"), Decimal("0.00")),
                       "2026-02": (2, Decimal("30000.00"), Decimal("4000.00")),
                       "2026-03": (0, Decimal("0.00"), Decimal("21000.50"))}
    per = t["Contracts and payments per customer"]
    assert {r["customer"]: (r["amount"], r["received"], r["outstanding"], r["overdue"]) for r in per.rows} == {
        "上海甲软件有限公司": (Decimal("10000.00"), Decimal("5000.50"), Decimal("4999.50"), Decimal("4999.50")),
        "北京丙科技有限公司": (Decimal("20000.00"), Decimal("20000.00"), Decimal("0.00"), Decimal("0.00"))}
    assert per.totals["outstanding"] == Decimal("4999.50")
    assert all(isinstance(r[k], Decimal) for r in per.rows for k in ("amount", "received", "outstanding", "overdue"))
    assert {c.key for c in per.columns if c.kind is Kind.MONEY} == {"amount", "received", "outstanding", "overdue"}


def test_an_own_scope_role_sees_only_its_customers_figures(dataset, login, reports_for_own_scope):
    sales1 = dataset.sessions["sales1"]
    report = sales1.reports.build("customers", Q1_FILTERS)
    assert column(tables(report)["By status"], "count") == {"Won": 1, "Lost": 1}
    contracts = tables(sales1.reports.build("contracts", ReportFilters()))["Contracts and payments per customer"]
    assert [r["customer"] for r in contracts.rows] == ["上海甲软件有限公司"]
    tickets = tables(sales1.reports.build("tickets", Q1_FILTERS))["By engineer"]
    assert tickets.totals["opened"] == 3  # t1, t2 (c1) and t5 (c2)
    assert sales1.reports.filter_choices()["owner"] == [(dataset.users["sales1"]["id"], Text("王销售", "王销售"))]
    assert ("范围", "Scope") in [(label.zh, label.en) for label, _ in report.filters_shown]


def test_filters_are_shown_in_words(dataset, admin):
    filters = ReportFilters(level="A", industry="it", owner_id=dataset.users["sales1"]["id"],
                            date_from=Q1[0], date_to=Q1[1])
    report = admin.reports.build("customers", filters)
    assert [(k.en, v.zh, v.en) for k, v in report.filters_shown] == [
        ("Importance", "A（高价值）", "A (high value)"), ("Industry", "信息技术", "IT"), ("Owner", "王销售", "王销售"),
        ("Period", "2026-01-01 至 2026-03-31", "2026-01-01 to 2026-03-31")]
    assert report.generated_by == "系统管理员" and report.title == Text("客户统计", "Customer statistics")
    assert report.generated_at.tzinfo is not None and report.generated_at.utcoffset() == dt.timedelta(0)


def test_filter_choices(dataset, admin):
    choices = admin.reports.filter_choices()
    assert [code for code, _ in choices["level"]] == ["A", "B", "C"]
    assert ("it", Text("信息技术", "IT")) in choices["industry"]
    assert {name.zh for _, name in choices["owner"]} >= {"王销售", "李销售", "系统管理员"}


@pytest.mark.parametrize("role", ["engineer1", "sales1", "service1"])
def test_roles_without_reports_are_refused(dataset, login, role):
    session = login(role)
    with pytest.raises(PermissionDenied):
        session.reports.build("customers", ReportFilters())
    with pytest.raises(PermissionDenied):
        session.reports.catalogue()


def test_writing_needs_the_export_right(dataset, login, admin, monkeypatch, tmp_path):
    manager = ROLES["manager"]
    monkeypatch.setitem(ROLES, "manager", dataclasses.replace(
        manager, modules={**manager.modules, "reports": frozenset({Action.READ})}))
    session = login("manager1")
    report = session.reports.build("customers", Q1_FILTERS)
    with pytest.raises(PermissionDenied):
        session.reports.write(report, tmp_path / "r.xlsx", "xlsx", "zh_CN")
    assert not (tmp_path / "r.xlsx").exists()


def test_bad_requests_are_explained(dataset, admin, tmp_path):
    with pytest.raises(ValidationError) as exc:
        admin.reports.build("nope", ReportFilters())
    assert exc.value.fields == {"report"}
    with pytest.raises(ValidationError) as exc:
        admin.reports.build("customers", ReportFilters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 2, 1)))
    assert exc.value.fields == {"date_to"}
    report = admin.reports.build("customers", ReportFilters())
    with pytest.raises(ValidationError) as exc:
        admin.reports.write(report, tmp_path / "r.doc", "doc", "zh_CN")
    assert exc.value.fields == {"format"}


def test_every_report_builds_on_an_empty_database(admin):
    """A new office has no tickets, contracts or follow-ups yet: every report still builds, with zeros."""
    for key, _title in admin.reports.catalogue():
        report = admin.reports.build(key, ReportFilters())
        assert report.key == key and report.sections
    kpi = tables(admin.reports.build("tickets", ReportFilters()))
    assert all(row.get("avg_hours") in (None, 0) for t in kpi.values() for row in t.rows + [t.totals or {}])


def test_catalogue_lists_the_seven_reports(admin):
    assert [key for key, _ in admin.reports.catalogue()] == [
        "customers", "followups", "conversion", "satisfaction", "tickets", "licenses", "contracts"]


def test_progress_is_reported_and_a_cancel_stops_the_build(dataset, admin):
    calls = []
    admin.reports.build("tickets", Q1_FILTERS, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (4, 4)

    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        raise Cancelled

    with pytest.raises(Cancelled):
        admin.reports.build("customers", Q1_FILTERS, progress=cancel)
