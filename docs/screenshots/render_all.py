"""Render the main screens for every role, in zh_CN and en, at 1366×768 and 1920×1080.

Run from the repository root (needs a CJK font, e.g. fonts-noto-cjk or fonts-wqy-zenhei)::

    QT_QPA_PLATFORM=offscreen python docs/screenshots/render_all.py [OUT_DIR] [--only PART[,PART…]]

Writes ``<role>_<screen>_<lang>_<size>.png`` into OUT_DIR (default
``docs/screenshots/all/``; the repository keeps a representative few, see
``docs/screenshots/README.md``), over a throw-away embedded database filled with the
demo data set (``crm_core.demo.generate``, 120 customers). Screens: the 工作台 (home),
the customers grid, the tickets grid, an empty module's hint, the customer 360° view
(roles that read customers) and the dashboard (roles that read it).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="crm-shots-"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.update(CRM_DATA_DIR=str(TMP / "data"), CRM_CONFIG=str(TMP / "config.toml"), CRM_LOG_DIR=str(TMP / "logs"))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from settling import settle  # noqa: E402

ROLES = ("admin", "manager", "sales", "service", "engineer")
LANGS = ("zh_CN", "en")
SIZES = ((1366, 768), (1920, 1080))




def loaded(page) -> Callable[[], bool]:
    """A module page's first load is over."""
    return lambda: page.model.total is not None and not page.model.loading


def pick_logins(admin) -> dict[str, str]:
    """One login per role: the salesman with the most follow-ups due, the engineer with the most tickets."""
    from crm_core.lists import Filter, ListQuery

    users = admin.users.list(ListQuery(limit=200, include_inactive=False)).rows
    due = [r["user_id"] for r in admin.followups.due(mine=False).rows]
    tickets = [r["engineer_id"] for r in admin.tickets.list(ListQuery(
        filters=(Filter("status", "in", ("open", "in_progress")),), limit=500)).rows]
    logins = {"admin": "admin"}
    for role in ROLES[1:]:
        mine = [u for u in users if u["role"] == role]
        if not mine:
            continue
        score = (lambda u: due.count(u["id"])) if role in ("sales", "manager") else (lambda u: tickets.count(u["id"]))
        logins[role] = max(mine, key=score)["login"]
    return logins


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(HERE / "all"))
    parser.add_argument("--only", default="", help="only the role_lang_size combinations containing one of these "
                                                      "comma-separated parts, e.g. sales_zh_CN_1366,admin_en")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(TMP / "qsettings"))
    from crm_core import Profile, open_database
    from crm_core.demo import generate
    from crm_core.session import connect
    from crm_desktop.__main__ import install_translators
    from crm_desktop.main_window import MainWindow
    from crm_desktop.style import apply_style

    apply_style(app)
    profile = Profile(path=str(TMP / "crm.sqlite3"))
    db = open_database(profile)
    generate(db, customers=120)
    db.dispose()
    admin = connect(profile, "admin", "demo1234")
    logins = pick_logins(admin)
    written = []

    def shoot(widget: QWidget, name: str) -> None:
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        written.append(path)

    for role, login in logins.items():
        session = admin if login == "admin" else connect(profile, login, "demo1234")
        for lang in LANGS:
            translators = install_translators(app, lang, TMP / "cache")
            for width, height in SIZES:
                tag = f"{lang}_{width}x{height}"
                if args.only and not any(part in f"{role}_{tag}" for part in args.only.split(",")):
                    continue
                window = MainWindow(session, lang)
                window.resize(width, height)
                window.show()
                home = window.desk.page
                settle(app, lambda: home.updated_label.text() != "" and window.nav.count_of(window.modules[0])
                       is not None)
                shoot(window, f"{role}_home_{tag}")
                page = window.show_module("customers")
                settle(app, loaded(page))
                page.view.selectRow(1)
                settle(app, lambda: True)
                shoot(window, f"{role}_customers_{tag}")
                if "tickets" in window.modules:
                    tickets = window.show_module("tickets")
                    settle(app, loaded(tickets))
                    shoot(window, f"{role}_tickets_{tag}")
                empty = window.show_module("products")  # the demo data set has products: filter them all out
                settle(app, loaded(empty))
                empty.search_edit.setText("没有这个产品")
                empty.model.set_search(empty.search_edit.text())  # without waiting for the typing pause
                settle(app, lambda: bool(empty.model.list_query().search) and loaded(empty)())
                shoot(window, f"{role}_nohits_{tag}")
                if "dashboard" in window.views:
                    dashboard = window.show_view("dashboard")
                    settle(app, lambda: not getattr(dashboard, "loading", False))
                    shoot(window, f"{role}_dashboard_{tag}")
                if role == "admin" and width == 1366:
                    view = window.open_customer(page.model.record_at(1)["id"])
                    view.resize(width, height)
                    settle(app, lambda: all(not p.model.loading for p in view.findChildren(type(page))))
                    shoot(view, f"{role}_customer360_{tag}")
                    view.close()
                window.hand_over()  # closes without closing the session
                app.processEvents()
            for t in translators:
                app.removeTranslator(t)
    print("\n".join(str(p) for p in written))


if __name__ == "__main__":
    main()
