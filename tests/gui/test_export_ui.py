"""Export of a module grid as filtered and sorted, against the real ExportService (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import subprocess
import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from crm_desktop.transfer import file_dialogs
from tests.gui.helpers import WAIT, wait_loaded

ID_NUMBER = "11010519491231002X"


def export(qtbot, monkeypatch, page, path: Path, fmt: str, *, all_columns: bool = False):
    """Export ``page`` through its button and dialog to ``path``; returns the dialog once done."""
    monkeypatch.setattr(file_dialogs, "choose_save_path", lambda *_a: str(path))
    page.transfer.export_button.click()
    dialog = page.transfer.export_dialog
    assert dialog.isVisible()
    dialog.format_buttons[fmt].setChecked(True)
    (dialog.all_radio if all_columns else dialog.visible_radio).setChecked(True)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT)
    return dialog


def test_xlsx_export_holds_the_grid_as_filtered_and_sorted_in_its_column_order(qtbot, admin, make_customer,
                                                                               tmp_path, monkeypatch, open_page):
    make_customer("杭州云帆网络科技有限公司", level="A", phone="13812345678")
    make_customer("上海海纳信息技术有限公司", level="B")
    make_customer("北京星辰软件有限公司", level="A")
    page = open_page(admin)
    with qtbot.waitSignal(page.model.total_changed, timeout=WAIT):
        page.filter_bar.combos["level"].setCurrentIndex(page.filter_bar.combos["level"].findData("A"))
    wait_loaded(qtbot, page)
    header = page.view.horizontalHeader()
    header.setSortIndicator(page.model.column_of("name"), Qt.SortOrder.DescendingOrder)
    wait_loaded(qtbot, page)
    header.moveSection(header.visualIndex(page.model.column_of("phone")), 0)  # dragged to the front
    page.view.setColumnHidden(page.model.column_of("email"), True)
    target = tmp_path / "customers.xlsx"
    dialog = export(qtbot, monkeypatch, page, target, "xlsx")
    assert dialog.result_label.text() == f"Exported 2 records to {target}."
    opened: list[Path] = []
    monkeypatch.setattr(file_dialogs, "open_folder", opened.append)
    dialog.open_folder_button.click()
    assert opened == [tmp_path]

    import openpyxl

    rows = [[c for c in row] for row in openpyxl.load_workbook(target).active.iter_rows(values_only=True)]
    head = next(i for i, row in enumerate(rows) if "Company name" in row)
    labels = [c for c in rows[head] if c]
    assert labels[0] == "Phone" and "Email" not in labels
    name_at = rows[head].index("Company name")
    data = [row for row in rows[head + 1:] if row[name_at]]
    assert [row[name_at] for row in data] == ["杭州云帆网络科技有限公司", "北京星辰软件有限公司"]  # name descending


def test_a_sales_users_export_holds_only_his_records_masked_as_on_screen(qtbot, admin, login, make_customer,
                                                                          tmp_path, monkeypatch, open_page):
    sales = login("sales1")
    mine = make_customer("杭州云帆网络科技有限公司", owner_id=sales.actor.user_id)
    other = make_customer("北京星辰软件有限公司")
    admin.contacts.create({"customer_id": mine["id"], "name": "张三", "id_number": ID_NUMBER})
    admin.contacts.create({"customer_id": other["id"], "name": "李四", "id_number": ID_NUMBER})
    page = open_page(sales, "contacts")
    assert page.model.total == 1
    target = tmp_path / "contacts.csv"
    dialog = export(qtbot, monkeypatch, page, target, "csv", all_columns=True)  # the ID number is not a default column
    assert dialog.result_label.text() == f"Exported 1 record to {target}."
    text = target.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    assert any("张三" in row for row in rows) and "李四" not in text
    assert ID_NUMBER not in text and ID_NUMBER[-4:] in text  # masked: only the last four shown


def test_pdf_export_writes_a_pdf(qtbot, admin, make_customer, tmp_path, monkeypatch, open_page):
    make_customer("杭州云帆网络科技有限公司")
    page = open_page(admin)
    target = tmp_path / "customers.pdf"
    dialog = export(qtbot, monkeypatch, page, target, "pdf")
    assert dialog.result_label.text() == f"Exported 1 record to {target}."
    assert target.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "杭州云帆网络科技有限公司" in text  # CJK rendered as text, not as missing glyphs


class GatedExports:
    """The real ExportService, held at its first progress report until the test lets it go on."""

    def __init__(self, real):
        self._real = real
        self.reported = threading.Event()
        self.go_on = threading.Event()

    def write(self, *args, progress=None):
        def gated(done: int, total: int) -> None:
            self.reported.set()
            self.go_on.wait(WAIT / 1000)
            progress(done, total)  # raises Cancelled once the user pressed Cancel

        return self._real.write(*args, progress=gated)


def test_cancel_during_an_export_leaves_no_file(qtbot, admin, make_customer, tmp_path, monkeypatch, open_page):
    make_customer("杭州云帆网络科技有限公司")
    make_customer("北京星辰软件有限公司")
    gated = GatedExports(admin.exports)
    page = open_page(admin, lookup=lambda m: gated if m == "exports" else getattr(admin, m))
    target = tmp_path / "customers.xlsx"
    monkeypatch.setattr(file_dialogs, "choose_save_path", lambda *_a: str(target))
    dialog = page.transfer.open_export()
    dialog.export_button.click()
    qtbot.waitUntil(gated.reported.is_set, timeout=WAIT)
    progress = dialog.progress_dialog
    assert progress is not None and progress.isVisible()
    progress.findChild(QPushButton).click()  # the progress dialog's Cancel
    gated.go_on.set()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT)
    assert dialog.result_label.text() == "Export cancelled; no file was written."
    assert not target.exists() and not dialog.open_folder_button.isVisibleTo(dialog)
