"""The import wizard's result page after "only the valid rows": the rows left out, and undo."""

from __future__ import annotations

from openpyxl import load_workbook
from PySide6.QtWidgets import QWizard

from crm_desktop.transfer import file_dialogs
from tests.gui.helpers import WAIT
from tests.gui.test_import_value_step import _workbook
from tests.gui.test_import_wizard_office import _open, _wait_check


def test_after_undo_the_rows_left_out_are_no_longer_offered(qtbot, admin, tmp_path, monkeypatch, open_page):
    rows = [("甲公司", "A", "王芳", "13800000001"), (None,), ("乙公司", "Z", "李雷", "13800000002"), (None,), (None,),
            ("丙公司", "B", None, "12345"), ("丁公司", "C", None, None)]
    path = _workbook(tmp_path / "c.xlsx", rows)
    page = open_page(admin, lang="zh_CN")
    wizard = _open(qtbot, monkeypatch, page, path)
    assert wizard.source.row_count == 4
    wizard.next()
    wizard.next()
    _wait_check(qtbot, wizard)
    assert sorted({e.row for e in wizard.check.errors}) == [6, 9]
    wizard.check_page.only_valid_check.setChecked(True)
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT):
        wizard.button(QWizard.WizardButton.CommitButton).click()
        qtbot.waitUntil(wizard.run_page.isComplete, timeout=WAIT)
    run = wizard.run_page
    out = tmp_path / "skipped.xlsx"
    monkeypatch.setattr(file_dialogs, "choose_save_path", lambda *_a: str(out))
    run.skipped_button.click()
    qtbot.waitUntil(lambda: run.report_label.text() != "", timeout=WAIT)
    got = [[c.value for c in row] for row in load_workbook(out).active.iter_rows()]
    assert [(r[0], r[1]) for r in got[1:]] == [(6, "乙公司"), (9, "丙公司")]  # the sheet's own row numbers
    run.undo_button.click()
    run.confirm_box.button(run.confirm_box.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: not run.undo_button.isVisibleTo(run), timeout=WAIT)
    assert run.result_label.text() == "Import undone: 3 records removed."  # 甲, 丁 and 甲's contact 王芳
    assert not run.skipped_button.isVisibleTo(run)
    assert run.report_label.text() == ""


def test_undo_after_updates_tells_removed_and_restored_apart_as_its_question_did(qtbot, admin, make_customer, tmp_path,
                                                                                 monkeypatch, open_page):
    one = make_customer("甲公司", level="C")
    path = tmp_path / "update.csv"
    path.write_text(f"客户编码,公司名称,重要级别,联系人\n{one['code']},甲公司,A,\n,乙公司,B,李雷\n", encoding="utf-8")
    page = open_page(admin)
    wizard = _open(qtbot, monkeypatch, page, path)
    wizard.next()
    wizard.next()
    _wait_check(qtbot, wizard)
    wizard.check_page.update_check.setChecked(True)
    _wait_check(qtbot, wizard)
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT):
        wizard.button(QWizard.WizardButton.CommitButton).click()
        qtbot.waitUntil(wizard.run_page.isComplete, timeout=WAIT)
    run = wizard.run_page
    run.undo_button.click()
    assert "Remove the 2 records this import created and restore the 1 it updated?" in run.confirm_box.text()
    run.confirm_box.button(run.confirm_box.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: not run.undo_button.isVisibleTo(run), timeout=WAIT)
    assert run.result_label.text() == "Import undone: 2 records removed, 1 restored as they were."
    assert admin.customers.get(one["id"])["level"] == "C"
