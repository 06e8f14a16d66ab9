"""The grid reads only the columns it shows (issue 9, item 5) and reads a column again when it is shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from sqlalchemy import event

from crm_desktop.background import wait_for_all
from crm_desktop.grid import RecordTableModel

WAIT = 15_000


@pytest.fixture
def customers(make_customer):
    for i in range(5):
        make_customer(f"杭州字段{i}科技有限公司", email=f"hr@f{i}.cn", address=f"文三路{i}号", level="A")


@pytest.fixture
def page_statements(admin):
    """The SELECTs of customer pages the admin's session sends."""
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM customers" in statement \
                and "ORDER BY" in statement:
            seen.append(statement)

    event.listen(admin.db.engine, "before_cursor_execute", listen)
    yield seen
    event.remove(admin.db.engine, "before_cursor_execute", listen)


@pytest.fixture
def model(admin, qtbot, customers):
    m = RecordTableModel(admin.customers, "zh_CN", shown_fields_only=True)
    m.set_columns(["code", "name", "level"])
    with qtbot.waitSignal(m.total_changed, timeout=WAIT):
        m.reload()
    qtbot.waitUntil(lambda: not m.loading and m.rowCount() == 5, timeout=WAIT)
    yield m
    assert wait_for_all(WAIT)
    QCoreApplication.processEvents()


def _selected(statement: str) -> str:
    return statement.split("FROM customers")[0]


def test_a_page_selects_only_the_shown_columns_and_what_the_grid_needs(admin, qtbot, customers, page_statements):
    m = RecordTableModel(admin.customers, "zh_CN", shown_fields_only=True)
    m.set_columns(["code", "name", "level"])
    with qtbot.waitSignal(m.total_changed, timeout=WAIT):
        m.reload()
    qtbot.waitUntil(lambda: not m.loading and m.rowCount() == 5, timeout=WAIT)

    select_list = _selected(page_statements[-1])
    for shown in ("customers.code", "customers.name", "customers.level", "customers.id", "customers.version"):
        assert shown in select_list
    for hidden in ("customers.email", "customers.address", "customers.notes", "customers.phone", "customers.industry"):
        assert hidden not in select_list
    record = m.record_at(0)
    assert {"code", "name", "level", "id", "version"} <= set(record)
    assert "email" not in record and "address" not in record
    assert wait_for_all(WAIT)
    QCoreApplication.processEvents()


def test_showing_a_hidden_column_reads_it_and_fills_it(model, qtbot, page_statements):
    assert model.column_of("email") == -1

    model.set_columns(["code", "name", "level", "email"])
    col = model.column_of("email")
    assert model.data(model.index(0, model.column_of("name"))).startswith("杭州字段")  # still shown meanwhile
    # The rows on screen are painted, so asked for: their page is read again with the new column.
    model.data(model.index(0, col))
    qtbot.waitUntil(lambda: not model.loading and model.record_at(0).get("email") is not None, timeout=WAIT)

    assert "customers.email" in _selected(page_statements[-1])
    texts = sorted(model.data(model.index(r, col)) for r in range(model.rowCount()))
    assert texts == [f"hr@f{i}.cn" for i in range(5)]
    assert model.rowCount() == 5


def test_hiding_a_column_keeps_the_rows_and_reads_nothing(model, page_statements):
    before = len(page_statements)
    model.set_columns(["code", "name"])
    assert model.record_at(0)["name"].startswith("杭州字段")
    assert len(page_statements) == before


def test_a_column_hidden_then_shown_again_is_filled_again(admin, qtbot, customers):
    m = RecordTableModel(admin.customers, "zh_CN", page_size=2, shown_fields_only=True)
    m.set_columns(["code", "name", "email"])
    with qtbot.waitSignal(m.total_changed, timeout=WAIT):
        m.reload()
    qtbot.waitUntil(lambda: not m.loading and m.rowCount() == 2, timeout=WAIT)
    m.set_columns(["code", "name"])  # hidden: the pages read from now on leave it out
    while m.canFetchMore(m.index(-1, -1)) or m.loading:
        if not m.loading:
            m.fetchMore(m.index(-1, -1))
        qtbot.waitUntil(lambda: not m.loading, timeout=WAIT)
    assert m.rowCount() == 5 and "email" not in m.record_at(4)

    m.set_columns(["code", "name", "email"])  # shown again: the rows read without it are read again
    col = m.column_of("email")
    for r in range(5):
        m.data(m.index(r, col))
    qtbot.waitUntil(lambda: not m.loading and all(m.record_at(r).get("email") for r in range(5)), timeout=WAIT)
    assert sorted(m.data(m.index(r, col)) for r in range(5)) == [f"hr@f{i}.cn" for i in range(5)]
    assert wait_for_all(WAIT)
    QCoreApplication.processEvents()


def test_the_customers_grid_offers_only_the_sorts_an_index_serves(qtbot, admin, make_customer, open_page):
    make_customer("杭州云帆网络科技有限公司", level="A")
    make_customer("上海海纳信息技术有限公司", level="B")
    page = open_page(admin, lang="en")
    header = page.view.horizontalHeader()
    for name in ("code", "name", "status", "created_at"):
        column = page.model.column_of(name)
        assert page.model.sortable(column)
        assert page.model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) is None
    level = page.model.column_of("level")
    assert not page.model.sortable(level)
    assert page.model.headerData(level, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == (
        "The list cannot be sorted by Importance: with many records that would read every one of them. "
        "Use the filters or the search to narrow the list.")
    with qtbot.assertNotEmitted(page.model.modelReset, wait=200):
        header.sectionClicked.emit(level)
        page.model.sort(level, Qt.SortOrder.DescendingOrder)
    assert page.model.list_query().sort == ()
    page.columns.sort_by("-level")  # a view saved before: falls back to the default order
    assert page.model.list_query().sort == ()
