"""Render the sign-in window and the first-run dialog to PNG, in zh_CN and en.

Run from the repository root (needs a CJK font, e.g. fonts-noto-cjk)::

    QT_QPA_PLATFORM=offscreen python docs/screenshots/render_login.py

Writes login_<lang>.png (embedded database), login_server_<lang>.png
(PostgreSQL profile, server unreachable) and first_run_<lang>.png (with a
field error) next to this script. Uses a throw-away data folder and an
in-memory keyring; nothing of the user's is touched.
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

import keyring  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402
from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        pass

    def delete_password(self, service, username):
        pass


def settle(app: QApplication, done) -> None:
    from crm_desktop.background import wait_for_all

    for _ in range(200):
        wait_for_all()
        app.processEvents()
        if done():
            return
    raise RuntimeError("the window did not settle")


def main() -> None:
    keyring.set_keyring(MemoryKeyring())
    app = QApplication([])
    from crm_core import DatabaseUnavailable, Profile, Text, create_first_admin, open_database
    from crm_desktop.__main__ import install_translators
    from crm_desktop.first_run import FirstRunDialog
    from crm_desktop.login import LoginWindow

    embedded = Profile(path=str(TMP / "crm.sqlite3"))
    db = open_database(embedded)
    create_first_admin(db, {"login": "admin", "name": "系统管理员", "phone": "13800000000", "password": "secret123"})
    empty = Profile(name="empty", path=str(TMP / "empty.sqlite3"))
    empty_db = open_database(empty)
    server = Profile(name="总部服务器", backend="postgresql", host="crm.office.lan", port=5432, database="crm")
    for lang in ("zh_CN", "en"):
        translators = install_translators(app, lang, TMP / "cache")
        settings = QSettings(str(TMP / f"settings-{lang}.ini"), QSettings.Format.IniFormat)
        settings.setValue("login/login", "zhangsan")

        window = LoginWindow(lang, {"embedded": embedded, server.name: server}, "embedded", settings)
        window.show()
        settle(app, lambda: not window.busy and window.keyring_usable is not None)
        window.ui.passwordEdit.setText("secret123")
        window.grab().save(str(OUT / f"login_{lang}.png"))

        window.ui.profileCombo.setCurrentIndex(1)
        settle(app, lambda: not window.busy)
        window._show_sign_in_error(DatabaseUnavailable(Text("无法连接", "Cannot connect")))
        app.processEvents()
        window.grab().save(str(OUT / f"login_server_{lang}.png"))
        window.close()

        dialog = FirstRunDialog(empty_db, lang)
        dialog.show()
        for field, value in {"login": "wang", "name": "王经理", "phone": "13800001111",
                             "password": "abc", "password_again": "abc"}.items():
            dialog.edits[field].setText(value)
        dialog.create_button.click()
        settle(app, lambda: bool(dialog.field_error("password")))
        dialog.grab().save(str(OUT / f"first_run_{lang}.png"))
        dialog.hide()
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
    db.dispose()
    empty_db.dispose()
    print("written to", OUT)


if __name__ == "__main__":
    main()
