"""Render the main window with the customers page to PNG: zh_CN as a salesman, en as the administrator.

Run from the repository root (needs a CJK font, e.g. fonts-noto-cjk)::

    QT_QPA_PLATFORM=offscreen python docs/screenshots/main_render.py

Writes main_customers_zh_CN.png and main_customers_en.png next to this script,
over a throw-away embedded database filled with a small demo data set
(``crm_core.demo.generate``, 40 customers).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent
ROOT = OUT.parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="crm-shots-"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.update(CRM_DATA_DIR=str(TMP / "data"), CRM_CONFIG=str(TMP / "config.toml"), CRM_LOG_DIR=str(TMP / "logs"))

from PySide6.QtWidgets import QApplication  # noqa: E402


def settle(app: QApplication, done) -> None:
    """Process events until ``done()`` (background work included)."""
    from crm_desktop.background import wait_for_all

    for _ in range(400):
        wait_for_all()
        app.processEvents()
        if done():
            return
    raise RuntimeError("the window did not settle")


def main() -> None:
    app = QApplication([])
    from crm_core import Profile, open_database
    from crm_core.demo import generate
    from crm_core.lists import Filter, ListQuery
    from crm_core.session import connect
    from crm_desktop.__main__ import install_translators
    from crm_desktop.main_window import MainWindow

    profile = Profile(path=str(TMP / "crm.sqlite3"))
    db = open_database(profile)
    generate(db, customers=40)
    db.dispose()
    admin = connect(profile, "admin", "demo1234")
    # The salesman with the most next steps due: the reminder in the status bar has something to say.
    sales = admin.users.list(ListQuery(filters=(Filter("role", "eq", "sales"),), limit=50)).rows
    due = [r["user_id"] for r in admin.followups.due(mine=False).rows]
    salesman = max(sales, key=lambda u: due.count(u["id"]))["login"]
    for lang, login in (("zh_CN", salesman), ("en", "admin")):
        translators = install_translators(app, lang, TMP / "cache")
        session = admin if login == "admin" else connect(profile, login, "demo1234")
        window = MainWindow(session, lang)
        window.resize(1280, 760)
        window.show()
        page = window.show_module("customers")  # the 工作台 is the first page since sign-in
        settle(app, lambda: page.model.total is not None and not page.model.loading
               and window.due_button.isVisible())
        page.view.selectRow(1)
        for _ in range(3):  # layout requests posted by the last updates
            app.processEvents()
        window.grab().save(str(OUT / f"main_customers_{lang}.png"))
        window.close()
        for t in translators:
            app.removeTranslator(t)


if __name__ == "__main__":
    main()
