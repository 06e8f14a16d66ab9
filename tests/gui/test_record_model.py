"""The generic grid model: lazy keyset paging, sorting, search, scope, labels and display rules.

Tests taking ``make_model`` run against a real database (SQLite and PostgreSQL);
the display and stale-result tests use a small fake service and need no database.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QTableView

from crm_core.i18n import Text
from crm_core.metadata import EntitySpec, Field, FieldType
from crm_core.lists import Filter, ListQuery, Page
from crm_desktop.background import wait_for_all
from crm_desktop.grid import FieldRole, IdRole, RecordRole, RecordTableModel, ValueRole, dictionary_labels
from tests.helpers import version_of

WAIT = 15_000


@pytest.fixture
def make_model(login, qtbot):
    """``make_model(service, **kw)`` -> a model with its first page and total loaded.

    Depends on ``login`` so that, at teardown, background queries end before the
    sessions and the database are closed.
    """
    def _make(service, language="zh_CN", labels=None, **kw) -> RecordTableModel:
        model = RecordTableModel(service, language, labels, **kw)
        reload_and_wait(qtbot, model)
        return model

    yield _make
    assert wait_for_all(WAIT)
    QCoreApplication.processEvents()  # deliver what finished last, while the model still exists


def reload_and_wait(qtbot, model: RecordTableModel, action=None) -> None:
    """Run ``action`` (default: reload) and wait for its page and count to arrive."""
    with qtbot.waitSignal(model.total_changed, timeout=WAIT, raising=True):
        (action or model.reload)()
    qtbot.waitUntil(lambda: not model.loading, timeout=WAIT)


def fetch_more_and_wait(qtbot, model: RecordTableModel) -> None:
    before = model.rowCount()
    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: model.rowCount() > before and not model.loading, timeout=WAIT)


def column_texts(model: RecordTableModel, name: str) -> list[str]:
    col = model.column_of(name)
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


# ------------------------------------------------------------ real database

def test_populated_model_passes_qtmodeltester(admin, make_customer, make_model, qtmodeltester, qtbot):
    for i in range(30):
        make_customer(f"测试客户{i:02d}有限公司", phone="13812345678", level="A" if i % 2 else "B",
                      industry="finance")
    model = make_model(admin.customers, page_size=20)
    assert model.rowCount() == 20 and model.total == 30
    qtmodeltester.check(model)  # the Qt tester stays attached: the steps below are checked too
    fetch_more_and_wait(qtbot, model)
    assert model.rowCount() == 30 and not model.canFetchMore(QModelIndex())
    reload_and_wait(qtbot, model, lambda: model.sort(model.column_of("name"), Qt.SortOrder.DescendingOrder))
    model.apply_change({**model.record_at(0), "name": "改名公司"})
    assert model.data(model.index(0, model.column_of("name"))) == "改名公司"


def test_pages_are_fetched_lazily_with_the_keyset_cursor(admin, make_customer, make_model, qtbot):
    for i in range(25):
        make_customer(f"分页客户{i:02d}")
    model = make_model(admin.customers, page_size=10)
    assert model.rowCount() == 10 and model.total == 25
    assert model.canFetchMore(QModelIndex())
    fetch_more_and_wait(qtbot, model)
    assert model.rowCount() == 20
    fetch_more_and_wait(qtbot, model)
    assert model.rowCount() == 25
    assert not model.canFetchMore(QModelIndex())
    ids = [model.data(model.index(r, 0), IdRole) for r in range(25)]
    assert len(set(ids)) == 25  # no row skipped or repeated across pages
    assert all(model.row_of(i) == r for r, i in enumerate(ids))


def test_sorting_by_name_descending_asks_the_service(admin, make_customer, make_model, qtbot):
    for name in ("阿尔法公司", "贝塔公司", "伽马公司"):
        make_customer(name)
    model = make_model(admin.customers)
    col = model.column_of("name")
    reload_and_wait(qtbot, model, lambda: model.sort(col, Qt.SortOrder.AscendingOrder))
    ascending = column_texts(model, "name")
    reload_and_wait(qtbot, model, lambda: model.sort(col, Qt.SortOrder.DescendingOrder))
    assert column_texts(model, "name") == list(reversed(ascending))
    assert model.list_query().sort == ("-name",)


def test_search_finds_matching_customers_and_short_text_clears_it(admin, make_customer, make_model, qtbot):
    make_customer("北京星辰软件有限公司")
    make_customer("上海星辰科技有限公司")
    make_customer("广州海风贸易有限公司")
    model = make_model(admin.customers)
    reload_and_wait(qtbot, model, lambda: model.set_search("星辰"))
    assert sorted(column_texts(model, "name")) == ["上海星辰科技有限公司", "北京星辰软件有限公司"]
    assert model.total == 2
    reload_and_wait(qtbot, model, lambda: model.set_search("星"))  # too short: everything again
    assert model.rowCount() == 3 and model.list_query().search is None


def test_sales_user_sees_only_own_customers(login, make_customer, make_model):
    sales = login("sales1")
    mine = make_customer("销售一的客户", owner_id=sales.actor.user_id)
    make_customer("别人的客户")
    model = make_model(sales.customers)
    assert model.rowCount() == 1 and model.total == 1
    assert model.data(model.index(0, 0), IdRole) == mine["id"]
    assert model.data(model.index(0, model.column_of("owner_id"))) == "用户sales1"


def test_headers_and_labels_follow_the_language(admin, make_customer, make_model, qtbot):
    make_customer("语言测试公司", level="A", industry="finance")
    labels = dictionary_labels(admin.dictionary.entries())
    model = make_model(admin.customers, "zh_CN", labels)
    name_col, level_col, industry_col = (model.column_of(n) for n in ("name", "level", "industry"))
    assert model.headerData(name_col, Qt.Orientation.Horizontal) == "公司名称"
    assert model.data(model.index(0, level_col)) == "A（高价值）"
    assert model.data(model.index(0, industry_col)) == "金融"
    assert model.data(model.index(0, model.column_of("status"))) == "潜在客户"
    with qtbot.waitSignal(model.headerDataChanged, timeout=WAIT, raising=True):
        model.set_language("en")
    assert model.headerData(name_col, Qt.Orientation.Horizontal) == "Company name"
    assert model.data(model.index(0, level_col)) == "A (high value)"
    assert model.data(model.index(0, industry_col)) == "Finance"
    assert model.data(model.index(0, model.column_of("status"))) == "Prospect"


def test_engineer_sees_the_phone_masked(login, make_customer, make_model):
    make_customer("掩码测试公司", phone="13812345678")
    model = make_model(login("engineer1").customers)
    col = model.column_of("phone")
    assert model.data(model.index(0, col)) == "138****5678"
    assert "phone" in model.data(model.index(0, col), RecordRole)["_masked"]


def test_deactivated_row_is_greyed_with_its_reason(admin, make_customer, make_model, qtbot):
    gone = make_customer("已失效公司")
    make_customer("正常公司")
    admin.customers.deactivate(gone["id"], "重复录入", version=version_of(admin.customers, gone["id"]))
    model = make_model(admin.customers)
    gone_row = model.index(model.row_of(gone["id"]), 0)
    ok_row = model.index(1 - gone_row.row(), 0)
    assert isinstance(model.data(gone_row, Qt.ItemDataRole.ForegroundRole), QBrush)
    assert "重复录入" in model.data(gone_row, Qt.ItemDataRole.ToolTipRole)
    assert model.data(ok_row, Qt.ItemDataRole.ForegroundRole) is None
    assert model.data(ok_row, Qt.ItemDataRole.ToolTipRole) is None
    reload_and_wait(qtbot, model, lambda: model.set_include_inactive(False))
    assert model.rowCount() == 1 and model.row_of(gone["id"]) is None


def test_failed_query_is_reported_once_not_raised(admin, make_customer, make_model, qtbot):
    make_customer()
    model = make_model(admin.customers)
    errors, loading = [], []
    model.failed.connect(errors.append)
    model.loading_changed.connect(loading.append)
    with qtbot.waitSignal(model.failed, timeout=WAIT, raising=True):
        model.set_filters((Filter("no_such_field", "eq", 1),))
    qtbot.waitUntil(lambda: not model.loading, timeout=WAIT)
    assert len(errors) == 1 and "no_such_field" in str(errors[0])  # list and count both failed
    assert loading == [True, False]
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())
    reload_and_wait(qtbot, model, lambda: model.set_filters((Filter("name", "contains", "星辰"),)))
    assert model.rowCount() == 1


# --------------------------------------------------------------- fake service

THINGS = EntitySpec(
    module="things", label=Text("东西", "Thing"), model=object, title_field="name",
    fields=(
        Field("name", Text("名称", "Name")),
        Field("amount", Text("金额", "Amount"), FieldType.MONEY),
        Field("signed_on", Text("签订日期", "Signed on"), FieldType.DATE),
        Field("paid", Text("已付", "Paid"), FieldType.BOOL),
        Field("kind", Text("类别", "Kind"), FieldType.CHOICE, dictionary="kind"),
    ),
)


class FakeService:
    """Answers from a list; a call can be held back until the test releases it."""

    spec = THINGS

    def __init__(self, rows):
        self.rows = rows
        self.hold: threading.Event | None = None
        self.queries: list[ListQuery] = []

    def list(self, query: ListQuery) -> Page:
        self.queries.append(query)
        hold, rows = self.hold, list(self.rows)  # what the database held when the query ran
        if hold is not None:
            assert hold.wait(10)
        start = query.after[0] if query.after else 0
        end = start + query.limit
        return Page(rows[start:end], (end,) if end < len(rows) else None)

    def count(self, query: ListQuery) -> int:
        return len(self.rows)


def _thing(i, **values):
    return {"id": i, "name": f"thing {i}", "amount": None, "signed_on": None, "paid": None, "kind": None,
            "is_active": True, "deactivated_reason": None, "_masked": [], **values}


def test_values_are_formatted_for_people(qtbot, qtmodeltester):
    stamp = dt.datetime(2026, 11, 22, 6, 30, tzinfo=dt.timezone.utc)
    service = FakeService([_thing(1, amount=Decimal("12345.6"), signed_on=dt.date(2026, 11, 22), paid=True,
                                  kind="hw", created_at=stamp),
                           _thing(2, paid=False, kind="unknown")])
    labels = {("kind", "hw"): Text("硬件", "Hardware")}
    model = RecordTableModel(service, "zh_CN", labels)
    reload_and_wait(qtbot, model)
    qtmodeltester.check(model)  # numeric alignment, custom roles, None for other roles

    def cell(row, name, role=Qt.ItemDataRole.DisplayRole):
        return model.data(model.index(row, model.column_of(name)), role)

    assert cell(0, "amount") == "12,345.60"
    assert cell(0, "amount", Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert cell(0, "name", Qt.ItemDataRole.TextAlignmentRole) is None
    assert cell(0, "signed_on") == "2026-11-22"
    assert cell(0, "created_at") == stamp.astimezone().strftime("%Y-%m-%d %H:%M")
    assert (cell(0, "paid"), cell(1, "paid")) == ("是", "否")
    assert (cell(0, "kind"), cell(1, "kind")) == ("硬件", "unknown")  # unknown code: shown as is
    assert cell(1, "amount") == ""
    assert cell(0, "amount", ValueRole) == Decimal("12345.6")
    assert cell(0, "kind", FieldRole).name == "kind"
    assert cell(0, "name", Qt.ItemDataRole.UserRole + 99) is None
    model.set_language("en")
    assert (cell(0, "paid"), cell(1, "paid"), cell(0, "kind")) == ("Yes", "No", "Hardware")


def test_column_chooser_sets_the_columns(qtbot):
    model = RecordTableModel(FakeService([_thing(1)]), "en")
    reload_and_wait(qtbot, model)
    with qtbot.waitSignal(model.modelReset, timeout=WAIT, raising=True):
        model.set_columns(["paid", "name"])
    assert model.columns == ["paid", "name"] and model.columnCount() == 2
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Name"
    assert model.data(model.index(0, 1)) == "thing 1"


def test_stale_reload_result_is_ignored(qtbot):
    service = FakeService([_thing(1, name="old")])
    model = RecordTableModel(service)
    service.hold = threading.Event()
    model.reload()  # this answer is held back ...
    qtbot.waitUntil(lambda: len(service.queries) == 1, timeout=WAIT)
    service.hold, held = None, service.hold
    service.rows = [_thing(2, name="new"), _thing(3, name="newer")]
    reload_and_wait(qtbot, model)  # ... while a newer reload completes
    assert column_texts(model, "name") == ["new", "newer"]
    held.set()  # now the old answer arrives: it must change nothing
    assert wait_for_all(WAIT)
    QCoreApplication.processEvents()
    assert column_texts(model, "name") == ["new", "newer"] and not model.loading


def test_apply_change_replaces_the_row_and_signals_it(qtbot):
    model = RecordTableModel(FakeService([_thing(1), _thing(2)]))
    reload_and_wait(qtbot, model)
    assert column_texts(model, "name") == ["thing 1", "thing 2"]  # shown once: the cells' texts are kept
    with qtbot.waitSignal(model.dataChanged, timeout=WAIT, raising=True):
        assert model.apply_change(_thing(2, name="saved"))
    assert model.record_at(1)["name"] == "saved" and model.row_of(2) == 1
    assert column_texts(model, "name") == ["thing 1", "saved"]  # the kept text of the row is not
    assert not model.apply_change(_thing(99))  # not loaded here: left to the next reload
    assert model.remove_record(1) and model.rowCount() == 1 and model.row_of(2) == 0
    assert column_texts(model, "name") == ["saved"]  # the rows below moved up with their texts
    with pytest.raises(IndexError):
        model.record_at(5)


def test_a_view_fetches_pages_as_the_user_scrolls(qtbot):
    model = RecordTableModel(FakeService([_thing(i) for i in range(1, 201)]), page_size=20)
    view = QTableView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.setModel(model)
    view.show()
    reload_and_wait(qtbot, model)
    assert model.rowCount() == 20  # one page fills the viewport: nothing more asked for
    view.scrollToBottom()  # the view calls fetchMore when the last row comes into sight
    qtbot.waitUntil(lambda: model.rowCount() == 40 and not model.loading, timeout=WAIT)
    assert model.canFetchMore(QModelIndex()) and model.rowCount() < 200
