"""The import wizard's "update by key" choice is offered only where rows can name an existing record, and named
by that key: customers whose file has the code column mapped, contacts whose file has their customer, name and
phone (the twin rule's identity) mapped; payments have no such key, their rows are always new."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_desktop.transfer import file_dialogs
from tests.gui.helpers import WAIT

FILES = {  # case: (module, file, mapping the wizard proposes)
    "customers": ("customers", "客户编码,公司名称,电话\nC0001,杭州云帆网络科技有限公司,13812345678\n",
                  {0: "code", 1: "name", 2: "phone"}),
    "customers without their codes": ("customers", "公司名称,电话\n杭州云帆网络科技有限公司,13812345678\n",
                                      {0: "name", 1: "phone"}),
    "payments": ("payments", "合同,回款日期,回款金额\nHT-0001,2026-03-01,5000\n",
                 {0: "contract_id", 1: "received_on", 2: "amount"}),
    "contacts": ("contacts", "客户,姓名,手机\nC0001,王小明,13812345678\n", {0: "customer_id", 1: "name", 2: "phone"}),
    "contacts without their phones": ("contacts", "客户,姓名\nC0001,王小明\n", {0: "customer_id", 1: "name"}),
}


def _check_page(qtbot, monkeypatch, page, path: Path, case: str):
    module, _text, mapping = FILES[case]
    monkeypatch.setattr(file_dialogs, "choose_open_path", lambda *_a: str(path))
    page.transfer.import_button.click()
    wizard = page.transfer.wizard
    assert wizard.isVisible() and wizard.file_page.module_combo.currentData() == module
    wizard.file_page.choose_button.click()
    qtbot.waitUntil(wizard.file_page.isComplete, timeout=WAIT)
    wizard.next()
    assert wizard.mapping_page.mapping() == mapping
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check is not None and not wizard.check_page.task.running, timeout=WAIT)
    assert wizard.currentPage() is wizard.check_page
    return wizard


@pytest.mark.parametrize(("case", "offered"), [
    ("customers", "Rows with an existing customer code update that customer"),
    ("customers without their codes", None), ("payments", None),
    ("contacts", "Rows with the customer, name and phone of an existing contact update that contact"),
    ("contacts without their phones", None)])
def test_update_by_key_is_offered_only_where_rows_can_name_an_existing_record(
        qtbot, admin, tmp_path, monkeypatch, open_page, case, offered):
    module, text, _mapping = FILES[case]
    path = tmp_path / "rows.csv"
    path.write_text(text, encoding="utf-8")
    wizard = _check_page(qtbot, monkeypatch, open_page(admin, module=module), path, case)
    check = wizard.check_page.update_check
    assert check.isVisible() is (offered is not None)
    if offered:
        assert check.text() == offered
    assert not check.isChecked()
    wizard.reject()


def test_a_contacts_list_imported_again_shows_the_duplicates_then_the_changes_with_update(
        qtbot, admin, tmp_path, monkeypatch, open_page):
    customer = admin.customers.create({"name": "甲公司"})
    admin.contacts.create({"customer_id": customer["id"], "name": "王小明", "phone": "13812345678", "position": "工程师"})
    path = tmp_path / "rows.csv"
    path.write_text("客户,姓名,手机,职位\n甲公司,王小明,13812345678,经理\n", encoding="utf-8")
    FILES["contacts again"] = ("contacts", "", {0: "customer_id", 1: "name", 2: "phone", 3: "position"})
    try:
        wizard = _check_page(qtbot, monkeypatch, open_page(admin, module="contacts"), path, "contacts again")
    finally:
        del FILES["contacts again"]
    page = wizard.check_page
    assert page.error_table.item(0, 2).text().startswith("Name: '王小明' (customer '甲公司', phone '13812345678') "
                                                         "duplicates an existing contact")
    # the reason is longer than the window is wide: its tooltip carries it whole, the option's words included
    assert page.error_table.item(0, 2).toolTip().endswith(
        "tick 'Rows with the customer, name and phone of an existing contact update that contact'")
    page.update_check.setChecked(True)
    qtbot.waitUntil(lambda: wizard.check is not None and not page.task.running, timeout=WAIT)
    assert wizard.check.errors == []
    assert page.updates_table.isVisible()
    assert page.updates_table.item(0, 1).text() == "王小明 (甲公司, 13812345678)"
    assert page.updates_table.item(0, 2).text() == "Position: 工程师 → 经理"
    wizard.reject()


@pytest.mark.parametrize(("case", "offered"), [
    ("customers", "客户编码已存在的行更新该客户"),
    ("contacts", "客户、姓名和电话与已有联系人相同的行更新该联系人")])
def test_the_update_option_names_the_key_in_chinese(qtbot, admin, tmp_path, monkeypatch, open_page, zh_catalogue,
                                                    case, offered):
    module, text, _mapping = FILES[case]
    path = tmp_path / "rows.csv"
    path.write_text(text, encoding="utf-8")
    wizard = _check_page(qtbot, monkeypatch, open_page(admin, module=module, lang="zh_CN"), path, case)
    assert wizard.check_page.update_check.text() == offered
    wizard.reject()


def test_the_contacts_on_rows_updating_customers_are_in_the_preview_the_result_and_the_undo(
        qtbot, admin, tmp_path, monkeypatch, open_page):
    from PySide6.QtWidgets import QMessageBox, QWizard

    jia = admin.customers.create({"name": "甲公司"})
    yi = admin.customers.create({"name": "乙公司"})
    admin.contacts.create({"customer_id": jia["id"], "name": "王小明", "phone": "13812345678", "position": "工程师"})
    path = tmp_path / "rows.csv"
    path.write_text(f"客户编码,公司名称,联系人,联系人电话,职务\n{jia['code']},甲公司,王小明,13812345678,经理\n"
                    f"{yi['code']},乙公司,李四,13900000002,销售\n", encoding="utf-8")
    FILES["customers with contacts"] = ("customers", "", {0: "code", 1: "name", 2: "contacts.name",
                                                          3: "contacts.phone", 4: "contacts.position"})
    try:
        wizard = _check_page(qtbot, monkeypatch, open_page(admin, module="customers"), path, "customers with contacts")
    finally:
        del FILES["customers with contacts"]
    page = wizard.check_page
    page.update_check.setChecked(True)
    qtbot.waitUntil(lambda: wizard.check is not None and not page.task.running, timeout=WAIT)
    assert wizard.check.errors == []
    table = page.updates_table
    assert [(table.item(i, 0).text(), table.item(i, 1).text(), table.item(i, 2).text())
            for i in range(table.rowCount())] == [
        # (the English wizard: the key as importkey's key_en tells it, with ", ")
        ("2", f"甲公司 ({jia['code']})", "no change"),
        ("2", f"王小明 ({jia['code']}, 13812345678)", "Contact position: 工程师 → 经理"),
        ("3", f"乙公司 ({yi['code']})", "no change"),
        ("3", f"李四 ({yi['code']}, 13900000002)", "New contact of this customer: Contact name:  → 李四；"
                                                  "Contact phone:  → 13900000002；Contact position:  → 销售"),
    ]
    assert page.summary_label.text().endswith("Contacts on those rows: 1 updated, 1 added to their customers.")
    wizard.button(QWizard.WizardButton.CommitButton).click()
    run = wizard.run_page
    qtbot.waitUntil(run.isComplete, timeout=WAIT)
    assert run.result_label.text() == ("1 contacts were added to the customers updated.\n"
                                       "2 existing records were updated.\n1 existing contacts were updated.")
    run.undo_button.click()
    box = run.confirm_box
    assert box.text() == "Remove the 1 records this import created and restore the 3 it updated?"
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: run.result_label.text().startswith("Import undone"), timeout=WAIT)
    # the result says what the question said
    assert run.result_label.text() == "Import undone: 1 records removed, 3 restored as they were."


def test_the_update_option_is_shown_in_full_beside_only_the_valid_rows(qtbot, admin, tmp_path, monkeypatch,
                                                                       open_page):
    """At the wizard's default size, with a bad row and a valid one (so "Import only the valid rows" and "Save
    error report…" are shown too), the option's whole text is shown; beside them it was cut off ("…updat")."""
    customer = admin.customers.create({"name": "甲公司"})
    admin.contacts.create({"customer_id": customer["id"], "name": "王小明", "phone": "13812345678"})
    path = tmp_path / "rows.csv"
    path.write_text("客户,姓名,手机,邮箱\n甲公司,王小明,13812345678,bad\n甲公司,李四,13812345679,li@jia.cn\n",
                    encoding="utf-8")
    FILES["contacts, a bad row"] = ("contacts", "", {0: "customer_id", 1: "name", 2: "phone", 3: "email"})
    try:
        wizard = _check_page(qtbot, monkeypatch, open_page(admin, module="contacts"), path, "contacts, a bad row")
    finally:
        del FILES["contacts, a bad row"]
    page = wizard.check_page
    assert page.only_valid_check.isVisible() and page.report_button.isVisible()
    check = page.update_check
    assert check.isVisible() and check.width() >= check.sizeHint().width(), (check.width(), check.sizeHint().width())
    wizard.reject()
