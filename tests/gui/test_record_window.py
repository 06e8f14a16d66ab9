"""The grid model over long lists: bounded memory, pages read again, and jumping to the end.

The fake service pages by position (its cursor is the row number) and supports
reading backwards like crm_core's ``ListQuery.before``; the last test runs the
same steps against a real database on both backends.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QModelIndex

from crm_core.lists import ListQuery, Page
from crm_desktop.background import wait_for_all
from crm_desktop.grid import IdRole, RecordTableModel
from tests.gui.test_record_model import THINGS, WAIT, _thing, reload_and_wait


class PositionService:
    """``n`` things; cursors are positions; records everything it was asked."""

    spec = THINGS

    def __init__(self, n: int):
        self.rows = [_thing(i) for i in range(1, n + 1)]
        self.queries: list[ListQuery] = []

    def list(self, query: ListQuery) -> Page:
        self.queries.append(query)
        if query.before is not None:
            end = query.before[0] if query.before else len(self.rows)
            start = max(0, end - query.limit)
            return Page(self.rows[start:end], (end - 1,) if query.before else None,
                        prev_cursor=(start,) if start > 0 else None)
        start = query.after[0] + 1 if query.after else 0
        end = start + query.limit
        return Page(self.rows[start:end], (end - 1,) if end < len(self.rows) else None,
                    prev_cursor=(start,) if start > 0 else None)

    def count(self, query: ListQuery) -> int:
        return len(self.rows)


def _name(model: RecordTableModel, row: int):
    return model.data(model.index(row, model.column_of("name")))


def _wait_for_row(qtbot, model: RecordTableModel, row: int) -> None:
    """Ask for ``row`` as a view would and wait until its record is in memory."""
    qtbot.waitUntil(lambda: _name(model, row) is not None and not model.loading, timeout=WAIT)


@pytest.fixture
def finish():
    yield
    assert wait_for_all(WAIT)
    QCoreApplication.processEvents()


def test_far_pages_are_dropped_and_read_again_with_their_own_cursor(qtbot, qtmodeltester, finish):
    service = PositionService(200)
    model = RecordTableModel(service, "en", page_size=20, max_pages=3)
    reload_and_wait(qtbot, model)
    # The Qt tester stays attached: it reads every row and fetches more after each change, so
    # pages are dropped and read again many times under its checks.
    qtmodeltester.check(model)
    qtbot.waitUntil(lambda: model.rowCount() == 200 and not model.loading, timeout=WAIT)
    assert not model.canFetchMore(QModelIndex()) and model.rows_in_memory <= 3 * 20
    dropped = next(r for r in range(200) if model.row_of(r + 1) is None)
    asked = len(service.queries)
    _wait_for_row(qtbot, model, dropped)  # comes back when the user scrolls to it
    assert _name(model, dropped) == f"thing {dropped + 1}" and model.row_of(dropped + 1) == dropped
    assert len(service.queries) == asked + 1  # one query with the page's own cursor, no walk
    query = service.queries[-1]
    assert query.before is None and (query.after is None if dropped < 20 else query.after == (dropped // 20 * 20 - 1,))
    assert model.rows_in_memory <= 3 * 20 and model.rowCount() == 200


def test_jump_to_end_reads_the_last_page_from_the_end(qtbot, qtmodeltester, finish):
    service = PositionService(1000)
    model = RecordTableModel(service, "en", page_size=20, max_pages=4)
    reload_and_wait(qtbot, model)
    assert model.jump_to_end()
    assert model.rowCount() == 1000 and not model.canFetchMore(QModelIndex())
    _wait_for_row(qtbot, model, 999)
    assert [_name(model, r) for r in (980, 999)] == ["thing 981", "thing 1000"]
    assert [q.before for q in service.queries if q.before is not None] == [()]
    assert len(service.queries) == 2  # the first page and the last one: nothing walked in between
    _wait_for_row(qtbot, model, 970)  # the page before the last, read backwards from it
    assert _name(model, 970) == "thing 971" and service.queries[-1].before == (980,)
    _wait_for_row(qtbot, model, 25)  # near the start: read forwards from the first page
    assert _name(model, 25) == "thing 26" and service.queries[-1].after == (19,)
    assert model.rows_in_memory <= 4 * 20
    ids = [model.data(model.index(r, 0), IdRole) for r in range(960, 1000)]
    assert ids == list(range(961, 1001))
    qtmodeltester.check(model)  # reads every row: the gap is filled page by page, memory stays bounded
    qtbot.waitUntil(lambda: not model.loading, timeout=WAIT)
    assert model.rows_in_memory <= 4 * 20 and model.rowCount() == 1000


def test_a_real_list_read_from_both_ends_matches_the_forward_walk(admin, make_customer, qtbot, qtmodeltester,
                                                                 login):
    for i in range(45):
        make_customer(f"窗口客户{(i * 7) % 45:02d}", level=(None, "A", "B")[i % 3])
    expected = [r["id"] for r in admin.customers.list(ListQuery(sort=("level",), limit=500)).rows]
    model = RecordTableModel(admin.customers, page_size=10, max_pages=2)
    model.set_sort("level", reload=False)
    reload_and_wait(qtbot, model)
    qtmodeltester.check(model)
    assert model.jump_to_end() and model.rowCount() == 45
    seen = {}
    for row in (44, 34, 0, 15, 25, 44):  # the end, backwards, the start, the middle, and back again
        _wait_for_row(qtbot, model, row)
        seen[row] = model.data(model.index(row, 0), IdRole)
        assert seen[row] == expected[row], row
        assert model.rows_in_memory <= 2 * 10
    assert wait_for_all(WAIT)
    QCoreApplication.processEvents()
