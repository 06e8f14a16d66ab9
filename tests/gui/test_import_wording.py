"""The import wizard's sentences read right in English for one record, one contact, a column without a name."""

from __future__ import annotations

from PySide6.QtWidgets import QWizard

from tests.gui.helpers import WAIT
from tests.gui.test_import_wizard_office import _open, _wait_check


def _import(qtbot, page, wizard):
    wizard.next()
    wizard.next()
    _wait_check(qtbot, wizard)
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT):
        wizard.button(QWizard.WizardButton.CommitButton).click()
        qtbot.waitUntil(wizard.run_page.isComplete, timeout=WAIT)
    return wizard.run_page.result_label.text()


def test_one_record_with_one_contact_is_told_in_the_singular(qtbot, admin, tmp_path, monkeypatch, open_page):
    path = tmp_path / "one.csv"
    path.write_text("客户名称,联系人\n甲公司,王芳\n", encoding="utf-8")
    page = open_page(admin)
    assert _import(qtbot, page, _open(qtbot, monkeypatch, page, path)) == \
        "Imported 1 record, with 1 contact from the same row."


def test_one_contact_among_several_records_is_told_in_the_singular(qtbot, admin, tmp_path, monkeypatch, open_page):
    path = tmp_path / "two.csv"
    path.write_text("客户名称,联系人\n甲公司,王芳\n乙公司,\n", encoding="utf-8")
    page = open_page(admin)
    assert _import(qtbot, page, _open(qtbot, monkeypatch, page, path)) == \
        "Imported 2 records, with 1 contact from the same row."


def test_a_column_without_a_header_is_named_by_its_letter(qtbot, admin, tmp_path, monkeypatch, open_page):
    path = tmp_path / "blank.csv"
    path.write_text("客户名称,,备注\n甲公司,x,说明\n", encoding="utf-8")
    page = open_page(admin)
    wizard = _open(qtbot, monkeypatch, page, path)
    wizard.next()
    assert wizard.mapping_page.warning_label.text() == "2 of 3 columns will be imported. Not imported: B."
