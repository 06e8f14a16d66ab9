"""Named views of a module grid: save the columns, sort, filters and search; bring them back (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.gui.helpers import WAIT, wait_loaded
from tests.gui.test_grid_tools import names, three  # noqa: F401 - three is a fixture


def column_names(page) -> list[str]:
    return list(page.model.columns)


def test_a_saved_view_brings_back_columns_sort_filters_and_search(qtbot, admin, three, open_page):
    page = open_page(admin)
    assert page.views.button.isVisible() and page.views.names() == []
    page.filter_bar.combos["level"].setCurrentIndex(page.filter_bar.combos["level"].findData("A"))
    wait_loaded(qtbot, page)
    page.columns.set_shown("phone", False)
    page.columns.sort_by("-name")
    wait_loaded(qtbot, page)
    wanted_columns = column_names(page)
    assert page.views.save("  A级 客户  ")
    assert page.views.names() == ["A级 客户"]

    page.filter_bar.clear()
    page.columns.reset()
    page.columns.sort_by("")
    wait_loaded(qtbot, page)
    assert len(names(page)) == 3

    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT):
        assert page.views.apply("A级 客户")
    wait_loaded(qtbot, page)
    assert names(page) == ["北京星辰软件有限公司", "杭州云帆网络科技有限公司"]
    assert column_names(page) == wanted_columns and "phone" not in wanted_columns
    assert page.model.list_query().sort == ("-name",)
    first = page.model.index(0, page.model.column_of("name")).data()
    assert first == "杭州云帆网络科技有限公司"  # descending by name
    assert page.filter_bar.combos["level"].currentData() == "A"


def test_views_are_kept_per_user_and_can_be_deleted(qtbot, admin, login, three, open_page):
    page = open_page(admin)
    page.search_edit.setText("星辰")
    qtbot.waitUntil(lambda: names(page) == ["北京星辰软件有限公司"], timeout=WAIT)
    assert page.views.save("星辰")

    again = open_page(admin)  # another page of the same user: the view is there
    assert again.views.names() == ["星辰"]
    with qtbot.waitSignal(again.model.total_changed, timeout=WAIT):
        again.views.apply("星辰")
    wait_loaded(qtbot, again)
    assert names(again) == ["北京星辰软件有限公司"] and again.search_edit.text() == "星辰"

    other = open_page(login("manager1"))
    assert other.views.names() == []  # views belong to their user
    again.views.delete("星辰")
    assert again.views.names() == [] and not again.views.apply("星辰")
