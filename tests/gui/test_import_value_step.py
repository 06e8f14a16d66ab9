"""The import wizard's value step: what the clerk turned down stays turned down, guesses look like guesses."""

from __future__ import annotations

from openpyxl import Workbook
from PySide6.QtCore import Qt

from tests.gui.helpers import WAIT
from tests.gui.test_import_wizard_office import _open, _wait_check


def _workbook(path, rows, header=("客户名称", "客户等级", "联系人", "电话")):
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["2026 客户名单"])
    ws.append([])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def _values_step(qtbot, monkeypatch, page, path, count):
    wizard = _open(qtbot, monkeypatch, page, path)
    wizard.next()
    wizard.next()
    _wait_check(qtbot, wizard)
    panel = wizard.check_page.values_panel
    qtbot.waitUntil(lambda: panel.isVisibleTo(wizard.check_page) and len(panel.combos) == count, timeout=WAIT)
    return wizard, panel


def _apply(qtbot, wizard, panel, texts):
    panel.apply_button.click()
    _wait_check(qtbot, wizard)
    qtbot.waitUntil(lambda: [u.text for u in panel.unknown] == texts, timeout=WAIT)


def test_a_suggestion_the_clerk_turned_down_is_not_preselected_again(qtbot, admin, tmp_path, monkeypatch, open_page):
    path = _workbook(tmp_path / "c.xlsx", [("甲公司", "A类", None, None), ("乙公司", "C类", None, None)])
    page = open_page(admin)
    wizard, panel = _values_step(qtbot, monkeypatch, page, path, 2)
    texts = [u.text for u in panel.unknown]
    a, c = texts.index("A类"), texts.index("C类")
    assert panel.combos[a].currentData() == "A" and panel.combos[c].currentData() == "C"
    panel.combos[a].setCurrentIndex(0)  # "A类" is not A: leave it as an error; C类 is C
    _apply(qtbot, wizard, panel, ["A类"])
    assert panel.combos[0].currentData() is None  # still turned down, not A again
    assert "preselected" not in panel.title_label.text()
    _apply(qtbot, wizard, panel, ["A类"])  # pressed again: nothing new is applied behind the clerk's back
    assert wizard.value_map == {"level": {"C类": "C"}}
    assert [(e.row, e.field) for e in wizard.check.errors] == [(4, "level")]


def test_a_refusal_survives_adding_another_value_to_the_dictionary(qtbot, admin, tmp_path, monkeypatch, open_page):
    path = _workbook(tmp_path / "c.xlsx", [("甲公司", "A类", "零售业"), ("乙公司", "B", "手工艺")],
                     header=("客户名称", "客户等级", "行业"))
    page = open_page(admin)
    wizard, panel = _values_step(qtbot, monkeypatch, page, path, 3)
    texts = [u.text for u in panel.unknown]
    panel.combos[texts.index("A类")].setCurrentIndex(0)
    panel.table.cellWidget(texts.index("手工艺"), 4).click()  # "Add to the dictionary" on another row
    _wait_check(qtbot, wizard)
    qtbot.waitUntil(lambda: "手工艺" not in [u.text for u in panel.unknown], timeout=WAIT)
    combo = panel.combos[[u.text for u in panel.unknown].index("A类")]
    assert combo.currentData() is None


def test_a_guess_is_shown_as_one_until_the_clerk_picks_an_entry(qtbot, admin, tmp_path, monkeypatch, open_page):
    path = _workbook(tmp_path / "c.xlsx", [("甲公司", "A类", "零售业"), ("乙公司", "B", "手工艺")],
                     header=("客户名称", "客户等级", "行业"))
    page = open_page(admin)
    wizard, panel = _values_step(qtbot, monkeypatch, page, path, 3)
    texts = [u.text for u in panel.unknown]
    a, craft = texts.index("A类"), texts.index("手工艺")
    assert panel.combos[a].currentText() == "A (high value) (suggested)"
    assert panel.table.item(a, 1).background().color().name() == "#fff1c2"  # the value shaded
    assert panel.combos[craft].currentText() == "(leave as an error)"  # no guess: nothing marked
    assert panel.table.item(craft, 1).background().style() == Qt.BrushStyle.NoBrush
    assert panel.legend_label.isVisibleTo(panel)
    assert "Likely matches preselected for you: 2, marked “(suggested)” and shaded." in panel.legend_label.text()
    panel.combos[a].activated.emit(panel.combos[a].currentIndex())  # the clerk picks A himself: confirmed
    assert panel.combos[a].currentText() == "A (high value)" and panel.combos[a].currentData() == "A"
    assert panel.table.item(a, 1).background().style() == Qt.BrushStyle.NoBrush
    assert "Likely matches preselected for you: 1," in panel.legend_label.text()
    retail = texts.index("零售业")
    panel.combos[retail].activated.emit(panel.combos[retail].currentIndex())
    assert not panel.legend_label.isVisibleTo(panel)


def test_one_unknown_value_is_told_in_the_singular(qtbot, admin, tmp_path, monkeypatch, open_page):
    path = _workbook(tmp_path / "c.xlsx", [("甲公司", "A类")], header=("客户名称", "客户等级"))
    page = open_page(admin)
    wizard, panel = _values_step(qtbot, monkeypatch, page, path, 1)
    assert panel.title_label.text() == "1 value in the file is not among the choices. Choose what it means:"
    assert "Likely matches preselected for you: 1," in panel.legend_label.text()
