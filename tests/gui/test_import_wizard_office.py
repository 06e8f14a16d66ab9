"""The import wizard with an office's own workbook: sheet and header row, value mapping, update preview."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWizard

from crm_desktop.transfer import file_dialogs
from tests.gui.helpers import WAIT, wait_loaded
from tests.integration.test_import_office import HEADER, office_row, office_workbook


def _open(qtbot, monkeypatch, page, path):
    monkeypatch.setattr(file_dialogs, "choose_open_path", lambda *_a: str(path))
    wizard = page.transfer.open_import()
    wizard.file_page.choose_button.click()
    qtbot.waitUntil(wizard.file_page.isComplete, timeout=WAIT)
    return wizard


def _wait_check(qtbot, wizard):
    qtbot.waitUntil(lambda: wizard.check is not None and not wizard.check_page.task.running, timeout=WAIT)


def test_sheet_choice_header_row_and_value_mapping(qtbot, admin, tmp_path, monkeypatch, open_page):
    path = office_workbook(tmp_path / "客户.xlsx", [office_row(1, industry="IT/互联网"), office_row(2, industry="IT/互联网")])
    page = open_page(admin)
    wizard = _open(qtbot, monkeypatch, page, path)
    files = wizard.file_page
    assert [files.sheet_combo.itemText(i) for i in range(files.sheet_combo.count())] == ["说明", "客户名单"]
    files.sheet_combo.setCurrentIndex(1)
    files.sheet_combo.activated.emit(1)
    qtbot.waitUntil(lambda: files.isComplete() and wizard.source.sheet == "客户名单", timeout=WAIT)
    assert files.header_spin.value() == 4 and wizard.source.headers == HEADER
    assert files.preview.verticalHeaderItem(0).text() == "5"  # numbered as in the sheet
    wizard.next()
    assert wizard.mapping_page.mapping()[1] == "name" and wizard.mapping_page.mapping()[3] == "industry"
    wizard.next()
    _wait_check(qtbot, wizard)
    panel = wizard.check_page.values_panel
    qtbot.waitUntil(lambda: panel.isVisibleTo(wizard.check_page), timeout=WAIT)
    assert panel.table.item(0, 1).text() == "IT/互联网" and panel.table.item(0, 2).text() == "2"
    assert not wizard.check_page.isComplete()
    panel.combos[0].setCurrentIndex(panel.combos[0].findData("it"))
    panel.apply_button.click()
    _wait_check(qtbot, wizard)
    qtbot.waitUntil(lambda: not panel.isVisibleTo(wizard.check_page), timeout=WAIT)
    assert wizard.check.errors == [] and wizard.check_page.isComplete()
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT):
        wizard.button(QWizard.WizardButton.CommitButton).click()
        qtbot.waitUntil(wizard.run_page.isComplete, timeout=WAIT)
    wait_loaded(qtbot, page)
    assert {r["industry"] for r in admin.customers.list().rows} == {"it"}


def test_update_by_code_shows_the_changes_before_importing(qtbot, admin, make_customer, tmp_path, monkeypatch,
                                                          open_page):
    one = make_customer("甲公司", level="C")
    path = tmp_path / "update.csv"
    path.write_text(f"客户编码,公司名称,重要级别\n{one['code']},甲公司,A\n", encoding="utf-8")
    page = open_page(admin)
    wizard = _open(qtbot, monkeypatch, page, path)
    wizard.next()
    wizard.next()
    _wait_check(qtbot, wizard)
    assert not wizard.check_page.isComplete()  # a duplicate code, until updates are asked for
    wizard.check_page.update_check.setChecked(True)
    _wait_check(qtbot, wizard)
    table = wizard.check_page.updates_table
    assert table.isVisibleTo(wizard.check_page) and table.rowCount() == 1
    assert table.item(0, 2).text() == "Importance: C → A"
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT):
        wizard.button(QWizard.WizardButton.CommitButton).click()
        qtbot.waitUntil(wizard.run_page.isComplete, timeout=WAIT)
    assert "1 existing records were updated." in wizard.run_page.result_label.text()
    assert admin.customers.get(one["id"])["level"] == "A"


def test_the_update_preview_lists_custom_field_changes_under_their_labels(qtbot, admin, make_customer, tmp_path,
                                                                          monkeypatch, open_page):
    admin.custom_fields.create({"module": "customers", "key": "erp_id", "label_zh": "ERP编号", "label_en": "ERP id",
                                "field_type": "text", "max_length": 10})
    one = make_customer("甲公司", level="C", custom={"erp_id": "OLD-1"})
    path = tmp_path / "update.csv"
    path.write_text(f"客户编码,公司名称,重要级别,ERP编号\n{one['code']},甲公司,A,NEW-1\n", encoding="utf-8")
    page = open_page(admin)
    wizard = _open(qtbot, monkeypatch, page, path)
    wizard.next()
    wizard.next()
    _wait_check(qtbot, wizard)
    wizard.check_page.update_check.setChecked(True)
    _wait_check(qtbot, wizard)
    table = wizard.check_page.updates_table
    assert table.rowCount() == 1 and table.item(0, 2).text() == "Importance: C → A；ERP id: OLD-1 → NEW-1"
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT):
        wizard.button(QWizard.WizardButton.CommitButton).click()
        qtbot.waitUntil(wizard.run_page.isComplete, timeout=WAIT)
    assert admin.customers.get(one["id"])["custom"]["erp_id"] == "NEW-1"


def test_likely_matches_of_unknown_values_are_preselected_and_readable(qtbot, admin, tmp_path, monkeypatch, open_page):
    from tests.office_files import sales_list

    path = sales_list(tmp_path / "客户名单.xlsx", rows=30)
    page = open_page(admin)
    wizard = _open(qtbot, monkeypatch, page, path)
    assert wizard.source.sheet == "客户名单"  # not the 说明 sheet before it
    wizard.next()
    wizard.next()
    _wait_check(qtbot, wizard)
    panel = wizard.check_page.values_panel
    qtbot.waitUntil(lambda: panel.isVisibleTo(wizard.check_page), timeout=WAIT)
    chosen = {(u.field, u.text): combo.currentData() for u, combo in zip(panel.unknown, panel.combos)}
    assert chosen[("level", "A类")] == "A" and chosen[("industry", "IT/互联网")] == "it"
    assert chosen[("level", "重要客户")] == "A"  # the office's word for A, declared with the choice
    assert chosen[("source", "网络推广")] is None  # no guess: left as an error until the clerk chooses
    assert "Likely matches preselected for you: 6, marked “(suggested)”" in panel.legend_label.text()
    # the dictionary takes the office's word; 重要级别 has fixed choices, so nothing is offered to add there
    adds = {(u.field, u.text): panel.table.cellWidget(i, 4) is not None and panel.table.cellWidget(i, 4).isVisibleTo(panel)
            for i, u in enumerate(panel.unknown)}
    assert adds[("industry", "IT/互联网")] and adds[("source", "展会")] and not adds[("level", "B类")]
    # the combo's text is not cut off: its column is as wide as the combo wants
    combo = panel.combos[[u.text for u in panel.unknown].index("网络推广")]
    assert panel.table.columnWidth(3) >= combo.sizeHint().width()
    panel.apply_button.click()
    _wait_check(qtbot, wizard)
    dictionary_errors = {e.message("zh_CN").split("”")[0] for e in wizard.check.errors
                         if e.field in ("level", "industry", "source")}
    assert dictionary_errors == {"客户来源：“展会", "客户来源：“网络推广", "客户来源：“老客户介绍"}


def test_the_rows_left_out_are_saved_from_the_result_to_correct_and_import_again(qtbot, admin, tmp_path, monkeypatch,
                                                                              open_page):
    from openpyxl import load_workbook

    rows = [office_row(1), office_row(2, phone="12345"), office_row(3), office_row(4, email="wang@@example")]
    path = office_workbook(tmp_path / "客户.xlsx", rows)
    page = open_page(admin, lang="zh_CN")
    wizard = _open(qtbot, monkeypatch, page, path)
    wizard.next()
    wizard.next()
    _wait_check(qtbot, wizard)
    wizard.check_page.only_valid_check.setChecked(True)
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT):
        wizard.button(QWizard.WizardButton.CommitButton).click()
        qtbot.waitUntil(wizard.run_page.isComplete, timeout=WAIT)
    run = wizard.run_page
    assert run.skipped_button.isVisibleTo(run)
    out = tmp_path / "未导入.xlsx"
    monkeypatch.setattr(file_dialogs, "choose_save_path", lambda *_a: str(out))
    run.skipped_button.click()
    qtbot.waitUntil(lambda: run.report_label.text() != "", timeout=WAIT)
    sheet = load_workbook(out).active
    got = [[c.value for c in row] for row in sheet.iter_rows()]
    assert got[0][0] == "行号" and got[0][1:9] == HEADER and got[0][-1] == "错误原因"
    assert [(r[0], r[2]) for r in got[1:]] == [(6, "杭州办公002有限公司"), (8, "杭州办公004有限公司")]
    assert got[1][-1].startswith("电话：“12345”不是有效的") and got[2][-1].startswith("邮箱：“wang@@example”")


def test_nothing_to_save_when_every_row_went_in(qtbot, admin, tmp_path, monkeypatch, open_page):
    path = office_workbook(tmp_path / "客户.xlsx", [office_row(1)])
    page = open_page(admin)
    wizard = _open(qtbot, monkeypatch, page, path)
    wizard.next()
    wizard.next()
    _wait_check(qtbot, wizard)
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT):
        wizard.button(QWizard.WizardButton.CommitButton).click()
        qtbot.waitUntil(wizard.run_page.isComplete, timeout=WAIT)
    assert not wizard.run_page.skipped_button.isVisibleTo(wizard.run_page)


def test_the_result_counts_the_contacts_made_from_the_rows_as_undo_does(qtbot, admin, tmp_path, monkeypatch,
                                                                        open_page):
    path = tmp_path / "客户.csv"
    path.write_text("客户名称,联系人,职务\n甲公司,王芳,经理\n乙公司,,\n丙公司,李雷,采购\n", encoding="gbk")
    page = open_page(admin)
    wizard = _open(qtbot, monkeypatch, page, path)
    assert wizard.source.encoding == "gb18030" and wizard.source.headers == ["客户名称", "联系人", "职务"]
    wizard.next()
    wizard.next()
    _wait_check(qtbot, wizard)
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT):
        wizard.button(QWizard.WizardButton.CommitButton).click()
        qtbot.waitUntil(wizard.run_page.isComplete, timeout=WAIT)
    run = wizard.run_page
    assert run.result_label.text() == "Imported 3 records, with 2 contacts from the same rows."
    run.undo_button.click()
    assert "Remove the 5 records this import created" in run.confirm_box.text()
    run.confirm_box.button(run.confirm_box.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: "removed" in run.result_label.text(), timeout=WAIT)
    assert run.result_label.text() == "Import undone: 5 records removed."


def test_a_file_without_a_valid_row_is_not_offered_its_zero_valid_rows(qtbot, admin, tmp_path, monkeypatch, open_page):
    from tests.office_files import other_crm_export

    path = other_crm_export(tmp_path / "export.xlsx", rows=6)  # Level: Hot / Warm / Cold on every row
    page = open_page(admin)
    wizard = _open(qtbot, monkeypatch, page, path)
    wizard.next()
    assert wizard.mapping_page.mapping() == {0: "name", 1: "contacts.name", 2: "phone", 3: "email", 4: "industry",
                                             5: "level", 6: None}
    wizard.next()
    _wait_check(qtbot, wizard)
    summary = wizard.check_page.summary_label.text()
    assert summary == "None of the 6 rows can be imported yet: correct the problems listed below and check again."
    assert not wizard.check_page.only_valid_check.isVisibleTo(wizard.check_page)


def test_the_mapping_names_the_columns_left_out(qtbot, admin, tmp_path, monkeypatch, open_page):
    from tests.office_files import sales_list

    path = sales_list(tmp_path / "客户名单.xlsx", rows=12)
    page = open_page(admin)
    wizard = _open(qtbot, monkeypatch, page, path)
    wizard.next()
    mapping = wizard.mapping_page.mapping()
    assert [wizard.source.headers[c] for c, name in mapping.items() if not name] == ["序号", "创建日期"]
    assert mapping[7] == "contacts.name" and mapping[8] == "contacts.position" and mapping[10] == "owner_id"
    assert wizard.mapping_page.warning_label.text() == \
        "11 of 13 columns will be imported. Not imported: A 序号, M 创建日期."
    # 备注 is blank on the first rows: its example is the first note the column holds
    assert wizard.mapping_page.table.item(11, 1).text() == "老客户"


def test_a_salesman_is_not_offered_to_add_to_the_dictionary(qtbot, login, tmp_path, monkeypatch, open_page):
    from tests.office_files import sales_list

    sales = login("sales1")
    path = sales_list(tmp_path / "客户名单.xlsx", rows=10)
    page = open_page(sales)
    wizard = _open(qtbot, monkeypatch, page, path)
    wizard.next()
    wizard.next()
    _wait_check(qtbot, wizard)
    panel = wizard.check_page.values_panel
    qtbot.waitUntil(lambda: panel.isVisibleTo(wizard.check_page), timeout=WAIT)
    assert panel.unknown and all(panel.table.cellWidget(i, 4) is None or not panel.table.cellWidget(i, 4).isVisibleTo(panel)
                                 for i in range(len(panel.unknown)))


@pytest.mark.parametrize("encoding, shown", [("gbk", "GBK/GB18030"), ("utf-8-sig", "UTF-8")])
def test_a_csv_saved_by_chinese_excel_is_read_with_its_chinese(qtbot, admin, tmp_path, monkeypatch, open_page,
                                                               encoding, shown):
    from tests.office_files import CSV_HEADER, csv_copy

    path = csv_copy(tmp_path / "客户名单.csv", encoding, rows=3)
    page = open_page(admin)
    wizard = _open(qtbot, monkeypatch, page, path)
    assert wizard.source.headers == CSV_HEADER and wizard.source.preview[0][0] == "苏州锦绣001纺织有限公司"
    assert wizard.file_page.info_label.text().startswith(f"CSV file ({shown}): 3 data rows, 8 columns.")
    wizard.next()
    assert [CSV_HEADER[c] for c, name in wizard.mapping_page.mapping().items() if not name] == ["创建日期"]


def test_the_summary_stays_at_the_top_when_there_is_no_table_to_show(qtbot, admin, tmp_path, monkeypatch, open_page):
    path = office_workbook(tmp_path / "客户.xlsx", [office_row(1)])
    page = open_page(admin)
    wizard = _open(qtbot, monkeypatch, page, path)
    wizard.resize(1366, 768)
    wizard.next()
    wizard.next()
    _wait_check(qtbot, wizard)
    check = wizard.check_page
    assert check.summary_label.text() == "The row is valid. Press Import to save it."
    qtbot.waitUntil(lambda: check.summary_label.geometry().bottom() < check.height() // 4, timeout=WAIT)
