"""The dashboard (管理看板) as managers and salespeople see it, and where its clicks lead (both backends)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from crm_core.reports.model import Kind
from crm_desktop.dashboard import DashboardPage
from crm_desktop.dashboard.formatting import format_tile_value, format_value
from crm_desktop.dashboard.period import period_range
from tests.gui.helpers import WAIT
from tests.helpers import version_of

TILE_KEYS = ["new_customers", "won_customers", "avg_followup_cycle", "churn_rate", "open_tickets",
             "licenses_expiring", "payments_outstanding"]


@pytest.fixture
def dataset(admin, login, make_customer):
    """Four customers created today, one deactivated; two active ones owned by a salesperson."""
    sales = login("sales1", name="张伟")
    make_customer("杭州云帆网络科技有限公司", owner_id=sales.actor.user_id)
    make_customer("上海海纳信息技术有限公司", owner_id=sales.actor.user_id)
    make_customer("北京星辰软件有限公司")
    gone = make_customer("深圳前海贸易有限公司")
    admin.customers.deactivate(gone["id"], "重复录入", version=version_of(admin.customers, gone["id"]))
    return sales


def nav_texts(window) -> list[str]:
    return [window.nav.item(i).text() for i in range(window.nav.count())]


def open_dashboard(qtbot, window) -> DashboardPage:
    window.nav.setCurrentRow(nav_texts(window).index("Dashboard"))
    page = window.stack.currentWidget()
    assert isinstance(page, DashboardPage)
    wait_dashboard(qtbot, page)
    return page


def wait_dashboard(qtbot, page: DashboardPage) -> None:
    qtbot.waitUntil(lambda: page.dashboard is not None and not page.loading, timeout=WAIT)


def tile_texts(page: DashboardPage) -> dict[str, str]:
    return {key: card.value_label.text() for key, card in page.tiles.items()}


# --------------------------------------------------------------- who sees it

def test_manager_has_dashboard_and_reports_sales_a_personal_dashboard_engineer_neither(
        qtbot, login, dataset, open_main):
    manager = open_main(login("manager1"), lang="en")
    assert nav_texts(manager)[-2:] == ["Dashboard", "Reports"]
    assert manager.stack.count() == 2  # 工作台 and customers: the dashboard is created when first chosen
    page = open_dashboard(qtbot, manager)
    assert page.scope_label.text().startswith("All customers")
    manager.nav.setCurrentRow(nav_texts(manager).index("Reports"))
    assert manager.stack.currentWidget().objectName() == "page_reports"

    sales = open_main(dataset, lang="en")
    assert nav_texts(sales)[-1] == "Dashboard" and "Reports" not in nav_texts(sales)
    assert open_dashboard(qtbot, sales).scope_label.text().startswith("My customers")

    engineer = open_main(login("engineer1"), lang="en")
    assert "Dashboard" not in nav_texts(engineer) and "Reports" not in nav_texts(engineer)
    with pytest.raises(KeyError):
        engineer.view("dashboard")


# --------------------------------------------------------------- the figures

def test_tiles_show_the_figures_of_the_period(qtbot, login, dataset, open_main):
    page = open_dashboard(qtbot, open_main(login("manager1"), lang="en"))
    assert list(page.tiles) == TILE_KEYS
    first, last = period_range("last_12_months", dt.date.today())  # months, so monthly charts say something
    assert page.scope_label.text() == f"All customers · {first} – {last}"
    texts = tile_texts(page)
    assert texts["new_customers"] == "3"  # the deactivated one is not counted
    assert texts["payments_outstanding"] == "¥0.00"
    assert page.tiles["new_customers"].label.text() == "New customers"
    assert page.tiles["new_customers"].toolTip().startswith("Customers created in the period")
    for tile in page.dashboard.tiles:  # each figure as the office writes it
        assert texts[tile.key].startswith(format_tile_value(tile.value, tile.kind, "en"))
        if tile.kind is Kind.MONEY:
            assert texts[tile.key].startswith("¥")

    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.period.choose("last_month")  # everything was created today
    assert tile_texts(page)["new_customers"] == "0"
    assert page.scope_label.text().endswith(" – ".join(map(str, period_range("last_month", dt.date.today()))))


def test_sales_dashboard_counts_only_his_customers(qtbot, dataset, open_main):
    page = open_dashboard(qtbot, open_main(dataset, lang="en"))
    assert page.dashboard.personal
    assert tile_texts(page)["new_customers"] == "2"


# --------------------------------------------------------------- click-through

def test_clicking_the_new_customers_tile_opens_exactly_those_customers(qtbot, login, dataset, open_main):
    window = open_main(login("manager1"), lang="en")
    page = open_dashboard(qtbot, window)
    card = page.tiles["new_customers"]
    assert card.clickable and card.cursor().shape() == Qt.CursorShape.PointingHandCursor
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    grid = window.current_page()
    assert grid is not None and grid.module == "customers" and window.stack.currentWidget() is grid
    qtbot.waitUntil(lambda: grid.model.total == 3 and not grid.model.loading, timeout=WAIT)
    names = {grid.model.record_at(r)["name"] for r in range(grid.model.rowCount())}
    assert names == {"杭州云帆网络科技有限公司", "上海海纳信息技术有限公司", "北京星辰软件有限公司"}
    assert grid.total_label.text() == "3 records"


def test_clicking_a_bar_of_new_customers_per_month_opens_that_months_customers(qtbot, login, dataset,
                                                                               open_main):
    window = open_main(login("manager1"), lang="en")
    page = open_dashboard(qtbot, window)
    panel = next(p for p in page.charts
                 if any(t is not None and t.module == "customers" for t in p.targets)
                 and p.chart().series()[0].type().name == "SeriesTypeBar")
    bar_set = panel.chart().series()[0].barSets()[0]
    index = max(i for i, t in enumerate(panel.targets) if t is not None and bar_set.at(i) > 0)
    bar_set.clicked.emit(index)  # what QtCharts sends when the bar is clicked
    grid = window.current_page()
    assert grid is not None and grid.module == "customers"
    qtbot.waitUntil(lambda: grid.model.total is not None and not grid.model.loading, timeout=WAIT)
    assert grid.model.total == int(bar_set.at(index)) == 3


def test_a_tile_of_a_module_the_role_may_not_open_is_not_clickable(qtbot, dataset, open_main):
    window = open_main(dataset, lang="en")
    page = open_dashboard(qtbot, window)
    for key, card in page.tiles.items():
        target = card.tile.target
        assert card.clickable == (target is not None and target.module in window.modules), key


# --------------------------------------------------------------- periods

@pytest.mark.parametrize(("key", "today", "expected"), [
    ("this_month", dt.date(2024, 2, 10), (dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
    ("last_month", dt.date(2026, 1, 15), (dt.date(2025, 12, 1), dt.date(2025, 12, 31))),
    ("this_quarter", dt.date(2026, 11, 23), (dt.date(2026, 10, 1), dt.date(2026, 12, 31))),
    ("this_quarter", dt.date(2026, 2, 1), (dt.date(2026, 1, 1), dt.date(2026, 3, 31))),
    ("this_year", dt.date(2026, 6, 30), (dt.date(2026, 1, 1), dt.date(2026, 12, 31))),
])
def test_named_periods_cover_whole_calendar_months(key, today, expected):
    assert period_range(key, today) == expected


def test_a_custom_range_loads_that_range(qtbot, login, dataset, open_main):
    page = open_dashboard(qtbot, open_main(login("manager1"), lang="en"))
    assert not page.period.from_edit.isEnabled()  # a named period fixes the dates
    today = dt.date.today()
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.period.set_custom_range(today, today - dt.timedelta(days=6))  # entered backwards: still a range
    assert page.period.from_edit.isEnabled()
    assert (page.dashboard.date_from, page.dashboard.date_to) == (today - dt.timedelta(days=6), today)
    assert tile_texts(page)["new_customers"] == "3"


# --------------------------------------------------------------- at a glance

def test_money_reads_in_wan_with_the_full_amount_in_the_tooltip():
    from decimal import Decimal

    assert format_tile_value(Decimal("1234567.00"), Kind.MONEY, "zh_CN") == "¥123.46万"
    assert format_tile_value(Decimal("9999.00"), Kind.MONEY, "zh_CN") == "¥9,999.00"
    assert format_tile_value(Decimal("1234567.00"), Kind.MONEY, "en") == format_value(Decimal("1234567.00"),
                                                                                         Kind.MONEY)


def test_period_tiles_show_the_trend_and_the_funnel_opens_a_stage(qtbot, login, dataset, open_main):
    window = open_main(login("manager1"), lang="en")
    page = open_dashboard(qtbot, window)
    new = page.tiles["new_customers"]
    assert not new.trend_label.isHidden()  # nothing the 12 months before: no percentage, the figure
    assert new.trend_label.text() == "Previous period: 0"
    assert page.tiles["open_tickets"].trend_label.isHidden()  # a "now" figure has no previous period
    assert page.funnel_panel is not None
    lead = next(r for r in page.funnel_panel.rows if r.objectName() == "funnel_lead")
    qtbot.mouseClick(lead, Qt.MouseButton.LeftButton)
    grid = window.current_page()
    assert grid is not None and grid.module == "opportunities"
    qtbot.waitUntil(lambda: grid.model.total is not None and not grid.model.loading, timeout=WAIT)
    assert all(grid.model.record_at(r)["stage"] == "lead" for r in range(grid.model.rowCount()))


def test_previous_period_of_whole_months_is_the_same_months_before():
    from crm_desktop.dashboard.period import previous_range

    assert previous_range(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert previous_range(dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert previous_range(dt.date(2026, 3, 5), dt.date(2026, 3, 11)) == (dt.date(2026, 2, 26), dt.date(2026, 3, 4))
