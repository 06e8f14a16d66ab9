"""Settings → Backups on both backends: back up, verify, restore with the typed confirmation; the daily backup."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from crm_desktop import daily_backup
from crm_desktop.background import wait_for_all
from crm_desktop.settings import backup_tab as tab_module
from crm_desktop.settings.backup_tab import BackupTab, RestoreConfirmDialog
from tests.gui.helpers import WAIT


@pytest.fixture
def tab(qtbot, admin):
    widget = BackupTab(admin, "en")
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: not widget.busy and widget.confirm_name != "", timeout=WAIT)
    yield widget
    assert wait_for_all(WAIT)
    QCoreApplication.processEvents()


def click_and_wait(qtbot, tab, button) -> None:
    button.click()
    qtbot.waitUntil(lambda: not tab.busy and tab.status_label.text() != "", timeout=WAIT)


def cell(tab, row: int, column: int) -> str:
    return tab.runs_table.item(row, column).text()


def test_admin_backs_up_and_verifies_from_the_tab(qtbot, tab):
    assert tab.runs_table.rowCount() == 0 and not tab.verify_button.isEnabled()
    click_and_wait(qtbot, tab, tab.backup_button)
    qtbot.waitUntil(lambda: tab.runs_table.rowCount() == 1, timeout=WAIT)
    assert [cell(tab, 0, c) for c in (1, 2, 5)] == ["Backup", "OK", "admin"]
    assert cell(tab, 0, 3).startswith("crm-") and cell(tab, 0, 4).endswith("KB")
    tab.runs_table.selectRow(0)
    assert tab.verify_button.isEnabled()
    tab.status_label.clear()
    click_and_wait(qtbot, tab, tab.verify_button)
    assert tab.status_label.text().startswith("Verified:")
    qtbot.waitUntil(lambda: tab.runs_table.rowCount() == 2, timeout=WAIT)
    assert cell(tab, 0, 1) == "Verification"


def test_restore_needs_the_typed_name_then_brings_the_data_back(qtbot, tab, admin, db, make_customer, monkeypatch):
    make_customer("备份时的公司")
    made = admin.backups.backup_now()["path"]
    make_customer("备份之后的公司")
    db.dispose()  # no other client connected
    monkeypatch.setattr(tab_module, "choose_backup_file", lambda parent, start: made)
    monkeypatch.setattr(tab_module, "ask_confirmation", lambda parent, name, path: "not the name")
    click_and_wait(qtbot, tab, tab.restore_button)
    assert "type the database name" in tab.status_label.text()
    assert admin.customers.count() == 2

    monkeypatch.setattr(tab_module, "ask_confirmation", lambda parent, name, path: name)
    with qtbot.waitSignal(tab.restored, timeout=WAIT):
        tab.restore_button.click()
    qtbot.waitUntil(lambda: not tab.busy and "Restored from" in tab.status_label.text(), timeout=WAIT)
    assert [c["name"] for c in admin.customers.list().rows] == ["备份时的公司"]
    qtbot.waitUntil(lambda: tab.runs_table.rowCount() >= 1 and cell(tab, 0, 1) == "Restore", timeout=WAIT)


def test_the_confirmation_dialog_explains_the_safety_backup(qtbot):
    dialog = RestoreConfirmDialog("crm.sqlite3", "/backups/crm-manual-1.sqlite3")
    qtbot.addWidget(dialog)
    assert "safety backup" in dialog.explanation.text() and "“crm.sqlite3”" in dialog.explanation.text()
    dialog.name_edit.setText("crm.sqlite3")
    assert dialog.typed() == "crm.sqlite3"


def test_daily_backup_after_an_admin_signs_in_on_the_embedded_database(qtbot, admin, login, backend):
    results = []
    operation = daily_backup.start_daily_backup(admin, results.append)
    if backend != "sqlite":
        assert operation is None  # the server schedules crm-admin backup instead
        return
    qtbot.waitUntil(lambda: len(results) == 1, timeout=WAIT)
    assert results[0]["kind"] == "auto" and Path(results[0]["path"]).is_file()
    daily_backup.start_daily_backup(admin, results.append)
    qtbot.waitUntil(lambda: len(results) == 2, timeout=WAIT)
    assert results[1] is None  # done today already
    assert daily_backup.start_daily_backup(login("sales1"), results.append) is None
