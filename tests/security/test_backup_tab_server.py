"""Settings → Backups with a database login: the server's job makes the backups, the tab says so."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytestmark = pytest.mark.security


def test_with_database_logins_the_tab_explains_that_the_server_backs_up(qtbot, secure_db):
    from crm_desktop.background import wait_for_all
    from crm_desktop.settings.backup_tab import BackupTab

    tab = BackupTab(secure_db.session("admin"), "en")
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: not tab.busy, timeout=10_000)
    assert tab.server_managed and not tab.backup_button.isVisible() and not tab.restore_button.isVisible()
    assert "scheduled job" in tab.findChild(type(tab.status_label), "serverManagedNote").text()
    assert tab.status_label.text() == ""  # the list of runs loaded without an error
    assert wait_for_all(10_000)
