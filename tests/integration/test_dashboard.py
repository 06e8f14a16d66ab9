"""The dashboard (管理看板): tiles and charts over a known dataset, and the grids their clicks open."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm_core import PermissionDenied, ValidationError
from crm_core.lists import ListQuery
from crm_core.reports.model import ChartKind, Dashboard, Kind
from tests.integration.test_reports_dataset import Q1, dataset  # noqa: F401  (fixture)


def tiles(board: Dashboard) -> dict:
    return {t.key: t.value for t in board.tiles}


def listed(session, target) -> int:
    """How many records the target module's grid lists for the target's filters, as this user.

    A category with nothing in it may have no target (there is nothing to open).
    """
    if target is None:
        return 0
    return getattr(session, target.module).count(ListQuery(filters=target.filters))


def test_tiles_for_the_office(dataset, admin):
    board = admin.dashboard.load(*Q1)
    assert not board.personal
    assert tiles(board) == {
        "new_customers": 4, "won_customers": 3,  # c5 (created in December), c1, c3
        "avg_followup_cycle": 5.3, "churn_rate": 0.2,  # c2 lost / c5 at the start + 4 created
        # (a rate over lost-or-not customers never passes 100 %)
        "open_tickets": 2, "licenses_expiring": 1, "payments_outstanding": Decimal("9999.50")}
    kinds = {t.key: t.kind for t in board.tiles}
    assert kinds["payments_outstanding"] is Kind.MONEY and kinds["churn_rate"] is Kind.PERCENT
    assert all(t.hint is not None for t in board.tiles)


def test_every_count_tile_opens_a_grid_of_exactly_its_records(dataset, admin):
    board = admin.dashboard.load(*Q1)
    for tile in board.tiles:
        if tile.kind is Kind.INTEGER:
            assert listed(admin, tile.target) == tile.value, tile.key
    by_key = {t.key: t for t in board.tiles}
    assert listed(admin, by_key["churn_rate"].target) == 1  # the lost customers behind the rate
    contracts = admin.contracts.list(ListQuery(filters=by_key["payments_outstanding"].target.filters)).rows
    assert sum((r["outstanding"] for r in contracts), Decimal("0.00")) == by_key["payments_outstanding"].value


def test_every_chart_category_opens_a_grid_of_exactly_its_records(dataset, admin):
    board = admin.dashboard.load(*Q1)
    kinds = [c.chart.kind for c in board.charts]
    assert kinds == [ChartKind.BAR, ChartKind.LINE, ChartKind.PIE, ChartKind.BAR]
    new, won, status, severity = board.charts
    assert new.chart.categories == ["2026-01", "2026-02", "2026-03"]
    assert new.chart.series[0].values == [2, 1, 1]
    assert won.chart.series[0].values == [1, 1, 1]
    assert dict(zip(status.chart.categories, status.chart.series[0].values)) == {
        "潜在客户": 1, "成交客户": 3, "流失客户": 1}
    assert dict(zip(severity.chart.categories, severity.chart.series[0].values)) == {"严重": 1, "一般": 1}
    for item in board.charts:
        assert len(item.targets) == len(item.chart.categories)
        for value, target in zip(item.chart.series[0].values, item.targets):
            assert listed(admin, target) == value


def test_a_salesperson_gets_a_personal_dashboard(dataset):
    sales1 = dataset.sessions["sales1"]
    board = sales1.dashboard.load(*Q1)
    assert board.personal
    assert tiles(board) == {
        "new_customers": 2, "won_customers": 1, "avg_followup_cycle": 7.0,
        "churn_rate": 0.5,  # c2 lost / his 2 customers, both created in the period
        "open_tickets": 1, "licenses_expiring": 1, "payments_outstanding": Decimal("4999.50")}
    for tile in board.tiles:
        if tile.kind is Kind.INTEGER:
            assert listed(sales1, tile.target) == tile.value, tile.key
    for item in board.charts:
        for value, target in zip(item.chart.series[0].values, item.targets):
            assert listed(sales1, target) == value


def test_the_period_changes_the_figures(dataset, admin):
    february = tiles(admin.dashboard.load(dt.date(2026, 2, 1), dt.date(2026, 2, 28)))
    assert (february["new_customers"], february["won_customers"]) == (1, 1)
    assert february["avg_followup_cycle"] == 2.0  # only c3's 02-06 → 02-08 pair lies in February
    # active at 02-01: c1, c2, c5 (c1 and c2 created in January); nobody lost in February
    assert february["churn_rate"] == 0.0


@pytest.mark.parametrize("role", ["engineer1", "service1"])
def test_roles_without_a_dashboard_are_refused(dataset, login, role):
    with pytest.raises(PermissionDenied):
        login(role).dashboard.load(*Q1)


def test_a_manager_sees_the_whole_office(dataset, login):
    board = login("manager1").dashboard.load(*Q1)
    assert not board.personal and tiles(board)["new_customers"] == 4


def test_a_period_that_ends_before_it_starts_is_refused(admin):
    with pytest.raises(ValidationError) as exc:
        admin.dashboard.load(dt.date(2026, 3, 1), dt.date(2026, 2, 1))
    assert exc.value.fields == {"date_to"}


def test_chart_labels_in_the_language_asked_for(dataset, admin):
    status = admin.dashboard.load(*Q1, lang="en").charts[2]
    assert status.chart.categories == ["Prospect", "Won", "Lost"]


def test_progress_is_reported(dataset, admin):
    calls = []
    admin.dashboard.load(*Q1, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (8, 8)


def test_period_tiles_alone_match_the_full_dashboard(dataset, admin):
    """The previous period of a trend is measured exactly as the period itself, at a fraction of the cost."""
    from crm_core.reports.dashboard import PERIOD_TILES

    board = tiles(admin.dashboard.load(*Q1))
    assert admin.dashboard.period_tiles(*Q1) == {k: v for k, v in board.items() if k in PERIOD_TILES}
