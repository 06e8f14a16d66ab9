"""The import wizard (批量导入) on a customers grid, against the real ImportService (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWizard

from crm_desktop.transfer import file_dialogs
from tests.gui.helpers import WAIT, wait_loaded

VALID = "公司名称,电话,Email\n杭州云帆网络科技有限公司,13812345678,info@yunfan.cn\n" \
        "上海海纳信息技术有限公司,13912345678,\n北京星辰软件有限公司,,hello@xingchen.cn\n"
# Row 3 (spreadsheet numbering, header = 1) has no company name, row 5 a broken e-mail address.
WITH_BAD_ROWS = "公司名称,电话,Email\n杭州云帆网络科技有限公司,13812345678,info@yunfan.cn\n" \
                ",13912345678,\n北京星辰软件有限公司,,\n深圳前海数据有限公司,,not-an-email\n"


def csv_file(tmp_path: Path, text: str, name: str = "customers.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def names(page) -> list[str]:
    col = page.model.column_of("name")
    return sorted(page.model.index(r, col).data() for r in range(page.model.rowCount()))


def to_check(qtbot, monkeypatch, page, path: Path):
    """Open the wizard from the page, choose ``path``, accept the mapping, and wait for the check."""
    monkeypatch.setattr(file_dialogs, "choose_open_path", lambda *_a: str(path))
    page.transfer.import_button.click()
    wizard = page.transfer.wizard
    assert wizard.isVisible() and wizard.file_page.module_combo.currentData() == "customers"
    wizard.file_page.choose_button.click()
    qtbot.waitUntil(wizard.file_page.isComplete, timeout=WAIT)
    assert wizard.file_page.preview.rowCount() == wizard.source.row_count
    wizard.next()
    mapping = wizard.mapping_page
    assert mapping.mapping() == {0: "name", 1: "phone", 2: "email"}  # matched by the Chinese headers
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check is not None and not wizard.check_page.task.running, timeout=WAIT)
    return wizard


def import_now(qtbot, page, wizard) -> None:
    """Press "Import" and wait until the grid has reloaded with the result."""
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT):
        wizard.button(QWizard.WizardButton.CommitButton).click()
        qtbot.waitUntil(wizard.run_page.isComplete, timeout=WAIT)
    wait_loaded(qtbot, page)


def test_admin_imports_a_valid_csv_and_the_grid_shows_the_customers(qtbot, admin, tmp_path, monkeypatch, open_page):
    page = open_page(admin)
    assert page.model.total == 0
    wizard = to_check(qtbot, monkeypatch, page, csv_file(tmp_path, VALID))
    assert wizard.file_page.info_label.text().startswith("CSV file (UTF-8): 3 data rows, 3 columns.")
    assert wizard.check_page.summary_label.text().startswith("All 3 rows are valid")
    assert wizard.check_page.error_table.isHidden() and wizard.check_page.isComplete()
    import_now(qtbot, page, wizard)
    assert wizard.run_page.result_label.text() == "Imported 3 records."
    assert names(page) == sorted(["杭州云帆网络科技有限公司", "上海海纳信息技术有限公司", "北京星辰软件有限公司"])


def test_bad_rows_are_listed_by_row_and_column_and_the_report_is_saved(qtbot, admin, tmp_path, monkeypatch,
                                                                       open_page):
    page = open_page(admin)
    wizard = to_check(qtbot, monkeypatch, page, csv_file(tmp_path, WITH_BAD_ROWS))
    check = wizard.check_page
    assert check.summary_label.text().startswith("2 of 4 rows have problems")
    assert not check.isComplete()  # all-or-nothing until "only the valid rows" is ticked
    table = check.error_table
    listed = {(table.item(r, 0).text(), table.item(r, 1).text()): table.item(r, 2).text()
              for r in range(table.rowCount())}
    assert ("3", "A  公司名称") in listed and ("5", "C  Email") in listed
    assert all(reason for reason in listed.values())
    report = tmp_path / "errors.xlsx"
    monkeypatch.setattr(file_dialogs, "choose_save_path", lambda *_a: str(report))
    check.report_button.click()
    qtbot.waitUntil(lambda: check.report_label.text() != "", timeout=WAIT)
    assert report.exists() and str(report) in check.report_label.text()
    import openpyxl

    cells = [str(c) for row in openpyxl.load_workbook(report).active.iter_rows(values_only=True)
             for c in row if c is not None]
    assert "not-an-email" in cells
    wizard.reject()
    assert admin.customers.count(_all_query()) == 0  # the dry run wrote nothing


def test_only_the_valid_rows_are_imported_and_undo_removes_them(qtbot, admin, tmp_path, monkeypatch, open_page):
    page = open_page(admin)
    wizard = to_check(qtbot, monkeypatch, page, csv_file(tmp_path, WITH_BAD_ROWS))
    check = wizard.check_page
    assert check.only_valid_check.isVisible()
    check.only_valid_check.setChecked(True)
    assert check.isComplete()
    import_now(qtbot, page, wizard)
    assert wizard.run_page.result_label.text() == "Imported 2 records.\n2 rows with problems were skipped."
    assert names(page) == sorted(["杭州云帆网络科技有限公司", "北京星辰软件有限公司"])

    run = wizard.run_page
    run.undo_button.click()
    box = run.confirm_box
    assert box is not None and box.isVisible() and "2" in box.text()
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT):
        box.button(QMessageBox.StandardButton.Yes).click()
    wait_loaded(qtbot, page)
    assert run.result_label.text() == "Import undone: 2 records removed."
    assert page.model.total == 0 and admin.customers.count(_all_query()) == 0


class GatedImports:
    """The real ImportService whose ``run`` waits at its first progress report until the test lets it go on."""

    def __init__(self, real):
        self._real = real
        self.reported = threading.Event()
        self.go_on = threading.Event()

    def __getattr__(self, name):
        return getattr(self._real, name)

    def run(self, *args, progress=None, **kwargs):
        def gated(done: int, total: int) -> None:
            self.reported.set()
            self.go_on.wait(WAIT / 1000)
            progress(done, total)  # raises Cancelled once the user pressed Cancel

        return self._real.run(*args, progress=gated, **kwargs)


def test_cancel_during_the_import_writes_nothing(qtbot, admin, tmp_path, monkeypatch, open_page):
    gated = GatedImports(admin.imports)
    page = open_page(admin, lookup=lambda m: gated if m == "imports" else getattr(admin, m))
    wizard = to_check(qtbot, monkeypatch, page, csv_file(tmp_path, VALID))
    wizard.button(QWizard.WizardButton.CommitButton).click()
    qtbot.waitUntil(gated.reported.is_set, timeout=WAIT)
    run = wizard.run_page
    assert run.task.isVisible() and not run.isComplete()
    run.task.cancel_button.click()
    gated.go_on.set()
    qtbot.waitUntil(run.isComplete, timeout=WAIT)
    assert run.result_label.text() == "Import cancelled. Nothing was imported."
    assert not run.undo_button.isVisibleTo(run) and admin.customers.count(_all_query()) == 0


def test_cancelling_the_wizard_at_the_mapping_writes_nothing(qtbot, admin, tmp_path, monkeypatch, open_page):
    page = open_page(admin)
    monkeypatch.setattr(file_dialogs, "choose_open_path", lambda *_a: str(csv_file(tmp_path, VALID)))
    wizard = page.transfer.open_import()
    wizard.file_page.choose_button.click()
    qtbot.waitUntil(wizard.file_page.isComplete, timeout=WAIT)
    wizard.next()
    wizard.mapping_page.combos[2].setCurrentIndex(wizard.mapping_page.combos[2].findData("name"))
    assert not wizard.mapping_page.isComplete()  # "name" chosen twice
    assert "more than one column" in wizard.mapping_page.warning_label.text()
    wizard.reject()
    assert not wizard.isVisible() and admin.customers.count(_all_query()) == 0


def test_the_template_is_saved_from_the_first_step(qtbot, admin, tmp_path, monkeypatch, open_page):
    page = open_page(admin)
    target = tmp_path / "template.xlsx"
    monkeypatch.setattr(file_dialogs, "choose_save_path", lambda *_a: str(target))
    wizard = page.transfer.open_import()
    wizard.file_page.template_button.click()
    qtbot.waitUntil(lambda: "Template saved" in wizard.file_page.info_label.text(), timeout=WAIT)
    import openpyxl

    headers = [c for c in next(openpyxl.load_workbook(target).active.iter_rows(values_only=True)) if c]
    assert any("公司名称" in str(h) or "Company name" in str(h) for h in headers)
    wizard.reject()


def test_an_engineer_has_no_import_button_on_customers(qtbot, admin, login, open_page):
    mine = open_page(admin)
    assert mine.transfer.import_button.isVisibleTo(mine) and mine.transfer.export_button.isVisibleTo(mine)
    page = open_page(login("engineer1"))
    assert not page.transfer.import_button.isVisibleTo(page)
    assert not page.transfer.export_button.isVisibleTo(page)  # engineers may not export customers either
    tickets = open_page(login("engineer1"), "tickets")
    assert tickets.transfer.export_button.isVisibleTo(tickets)
    assert not tickets.transfer.import_button.isVisibleTo(tickets)


def _all_query():
    from crm_core.lists import ListQuery

    return ListQuery(include_inactive=True)
