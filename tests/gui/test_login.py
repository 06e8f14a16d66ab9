"""Sign-in window, first-run dialog and error presenter, as a user sees them (SQLite and PostgreSQL)."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from crm_desktop.background import wait_for_all
from crm_desktop.errors import present_error
from crm_desktop.login import KEYRING_SERVICE, LoginWindow
from tests.conftest import PASSWORD
from tests.gui.helpers import WAIT


# Qt's offscreen platform plugin warns whenever a shown window's minimum/maximum size is set
# (every QMessageBox does so when it opens); xcb, Wayland, Windows and macOS support it. Only
# that exact message is ignored: every other Qt warning still fails the test.


class FakeKeyring(KeyringBackend):
    """An in-memory keyring: what the OS keyring would hold."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture(autouse=True)
def fake_keyring(tmp_path, monkeypatch):
    """Every test gets an empty fake keyring and its own log folder."""
    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    previous = keyring.get_keyring()
    fake = FakeKeyring()
    keyring.set_keyring(fake)
    yield fake
    keyring.set_keyring(previous)


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def open_window(qtbot, settings):
    """``open_window(profile)`` -> a shown LoginWindow whose start-up work is over."""
    windows, sessions = [], []

    def _open(profile, lang="en"):
        window = LoginWindow(lang, {profile.name: profile}, profile.name, settings)
        qtbot.addWidget(window)
        window.signed_in.connect(sessions.append)
        window.show()
        qtbot.waitUntil(lambda: not window.busy and window.keyring_usable is not None, timeout=WAIT)
        windows.append(window)
        return window

    yield _open
    wait_for_all()  # nothing may still be talking to a database the fixtures drop
    for s in sessions:
        s.close()


def sign_in(qtbot, window, login, password):
    window.ui.loginEdit.setText(login)
    window.ui.passwordEdit.setText(password)
    qtbot.mouseClick(window.ui.signInButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT)


def test_sign_in_with_the_right_password_emits_the_session(qtbot, admin, profile, open_window):
    window = open_window(profile)
    window.ui.loginEdit.setText("admin")
    window.ui.passwordEdit.setText(PASSWORD)
    with qtbot.waitSignal(window.signed_in, timeout=WAIT, raising=True) as signal:
        qtbot.mouseClick(window.ui.signInButton, Qt.MouseButton.LeftButton)
        assert not window.ui.signInButton.isEnabled()
        assert window.message == "Signing in…"
    session = signal.args[0]
    assert session.actor.login == "admin" and session.actor.role == "admin"


def test_wrong_password_shows_the_one_message_and_no_signal(qtbot, admin, profile, open_window):
    window = open_window(profile)
    with qtbot.assertNotEmitted(window.signed_in):
        sign_in(qtbot, window, "admin", "wrong-password1")
    assert window.message == "Wrong login name or password, or the account is disabled."
    assert window.ui.signInButton.isEnabled()
    assert window.ui.loginEdit.text() == "admin"  # what was typed stays


def test_repeated_failures_are_throttled_with_the_seconds_to_wait(qtbot, admin, profile, open_window):
    window = open_window(profile, lang="zh_CN")
    for _ in range(5):
        sign_in(qtbot, window, "admin", "wrong-password1")
    assert "30" in window.message
    assert not window.ui.signInButton.isEnabled()  # re-enabled by the countdown
    with qtbot.assertNotEmitted(window.signed_in):
        qtbot.mouseClick(window.ui.signInButton, Qt.MouseButton.LeftButton)
    assert not window.busy


def test_unreachable_server_says_so(qtbot, open_window):
    from crm_core.config import Profile

    office = Profile(name="office", backend="postgresql", host="127.0.0.1", port=1, database="crm",
                     sslmode="disable", auth="app", db_user="postgres")
    window = open_window(office)
    assert window.ui.hostEdit.isVisible() and window.ui.portSpin.value() == 1
    window.ui.messageLabel.clear()
    with qtbot.assertNotEmitted(window.signed_in):
        sign_in(qtbot, window, "admin", PASSWORD)
    assert window.message.startswith("Cannot reach the database server.")
    assert "127.0.0.1:1" in window.ui.messageLabel.toolTip()


def test_embedded_profile_hides_the_server_fields(admin, profile, open_window):
    window = open_window(profile)
    assert window.ui.hostEdit.isVisible() == (profile.backend == "postgresql")


def test_remember_me_stores_and_refills_the_password(qtbot, admin, profile, open_window, fake_keyring):
    first = open_window(profile)
    assert first.ui.rememberCheck.isEnabled()
    first.ui.rememberCheck.setChecked(True)
    with qtbot.waitSignal(first.signed_in, timeout=WAIT, raising=True):
        sign_in(qtbot, first, "admin", PASSWORD)
    assert fake_keyring.store == {(KEYRING_SERVICE, f"{profile.name}/admin"): PASSWORD}

    again = open_window(profile)
    qtbot.waitUntil(lambda: bool(again.ui.passwordEdit.text()), timeout=WAIT)
    assert again.ui.loginEdit.text() == "admin"  # from QSettings
    assert again.ui.passwordEdit.text() == PASSWORD and again.ui.rememberCheck.isChecked()

    again.ui.rememberCheck.setChecked(False)
    with qtbot.waitSignal(again.signed_in, timeout=WAIT, raising=True):
        qtbot.mouseClick(again.ui.signInButton, Qt.MouseButton.LeftButton)
    assert fake_keyring.store == {}


def test_no_keyring_backend_disables_remember_me_with_the_reason(qtbot, admin, profile, open_window, settings):
    keyring.set_keyring(fail.Keyring())
    window = open_window(profile)
    assert window.keyring_usable is False
    assert not window.ui.rememberCheck.isEnabled()
    assert "keyring" in window.ui.rememberCheck.toolTip()
    assert window.ui.rememberCheck.text() == ("Remember my password (not possible: this computer has no "
                                              "system keyring)")  # the reason is on screen, not only on hover
    with qtbot.waitSignal(window.signed_in, timeout=WAIT, raising=True):
        sign_in(qtbot, window, "admin", PASSWORD)
    settings.sync()
    stored = open(settings.fileName(), encoding="utf-8").read()
    assert "admin" in stored and PASSWORD not in stored  # the login name is kept, never the password


def _first_run(qtbot, window):
    qtbot.waitUntil(lambda: window.first_run_dialog is not None and window.first_run_dialog.isVisible(),
                    timeout=WAIT)
    return window.first_run_dialog


def _fill(dialog, **values):
    for field, value in values.items():
        dialog.edits[field].setText(value)


def test_first_run_creates_the_admin_who_then_signs_in(qtbot, profile, open_window):
    window = open_window(profile)
    dialog = _first_run(qtbot, window)
    _fill(dialog, login="boss", name="王经理", phone="13800001111", password=PASSWORD, password_again=PASSWORD)
    with qtbot.waitSignal(dialog.admin_created, timeout=WAIT, raising=True):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert window.ui.loginEdit.text() == "boss"
    with qtbot.waitSignal(window.signed_in, timeout=WAIT, raising=True) as signal:
        sign_in(qtbot, window, "boss", PASSWORD)
    assert signal.args[0].actor.role == "admin"


def test_first_run_field_errors_appear_next_to_their_fields(qtbot, profile, open_window):
    window = open_window(profile)
    dialog = _first_run(qtbot, window)
    _fill(dialog, login="boss", name="王经理", phone="138", password="abc", password_again="abd")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.field_error("password_again")), timeout=WAIT)
    # The errors come with the attempt's failure, the button back a signal later (its "finished"): a click
    # before that is ignored, as for a user, who sees the button greyed until then.
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=WAIT)
    # Every problem at once, not one per attempt.
    assert dialog.field_error("password_again") == "The two passwords differ."
    assert "8" in dialog.field_error("password") and dialog.field_error("phone").startswith("Phone")
    _fill(dialog, phone="13800001111")

    _fill(dialog, login="!", password="abc", password_again="abc")
    with qtbot.assertNotEmitted(dialog.admin_created):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
        # (the password's error of the first attempt still shows: wait for the login's, new in this one)
        qtbot.waitUntil(lambda: bool(dialog.field_error("login")), timeout=WAIT)
    assert "8" in dialog.field_error("password")
    assert dialog.field_error("login").startswith("Login name:")
    assert dialog.field_error("password_again") == "" and dialog.field_error("name") == ""
    assert dialog.values() == {"login": "!", "name": "王经理", "phone": "13800001111",
                               "password": "abc", "password_again": "abc"}
    assert dialog.isVisible()
    dialog.reject()


# ------------------------------------------------------------------ error presenter

@pytest.fixture
def boxes(qtbot):
    opened = []
    yield opened
    for box in opened:
        box.close()


@pytest.mark.parametrize("make_error, icon", [
    (lambda e, T: e.DatabaseUnavailable(T("无法连接", "Cannot connect")), QMessageBox.Icon.Critical),
    (lambda e, T: e.SchemaMismatch(T("新", "newer"), database_revision="x", program_revision="y", too_new=True),
     QMessageBox.Icon.Critical),
    (lambda e, T: e.PermissionDenied(T("无权限", "Not allowed here")), QMessageBox.Icon.Warning),
    (lambda e, T: e.NotFound(T("不存在", "Gone")), QMessageBox.Icon.Information),
    (lambda e, T: e.ConcurrencyConflict(T("冲突", "Conflict"), module="customers", record_id=1, current=None),
     QMessageBox.Icon.Warning),
])
def test_each_known_error_gets_its_kind_of_box(qtbot, boxes, make_error, icon):
    from crm_core import errors
    from crm_core.i18n import Text

    exc = make_error(errors, Text)
    boxes.append(box := present_error(None, exc, "zh_CN"))
    assert box.icon() == icon and box.isVisible()
    assert box.text() == exc.message.zh
    assert box.objectName() == "errorBox"


def test_validation_error_lists_every_field_message(qtbot, boxes):
    from crm_core.errors import FieldError, ValidationError
    from crm_core.i18n import Text

    exc = ValidationError([FieldError("name", "required", Text("公司名称：不能为空", "Company name: is required")),
                           FieldError("phone", "format", Text("电话：格式不正确", "Phone: invalid format"))])
    boxes.append(box := present_error(None, exc, "en"))
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.informativeText() == "• Company name: is required\n• Phone: invalid format"


def test_a_bug_gets_the_crash_dialog_and_a_log_file(qtbot, boxes, tmp_path):
    try:
        {}["missing"]
    except KeyError as exc:
        boxes.append(box := present_error(None, exc, "en"))
    assert box.objectName() == "crashDialog" and box.icon() == QMessageBox.Icon.Critical
    assert "KeyError" in box.detailedText()
    logs = list((tmp_path / "logs").glob("crash-*.log"))
    assert len(logs) == 1
    text = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in text and "missing" in text and str(logs[0]) in box.informativeText()


def test_main_opens_the_main_window_after_sign_in(qtbot, admin, profile, settings):
    from crm_desktop.__main__ import build_login

    exits = []
    window = build_login("en", {profile.name: profile}, profile.name, settings, quit=exits.append)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT)
    with qtbot.waitSignal(window.signed_in, timeout=WAIT, raising=True):
        sign_in(qtbot, window, "admin", PASSWORD)
    main_window = window.main_window
    qtbot.addWidget(main_window)
    assert main_window.isVisible() and "系统管理员" in main_window.windowTitle()
    assert not exits
    main_window.close()  # background work ends, the session closes, then the program ends with 0
    assert exits == [0]


def test_the_window_speaks_chinese_with_the_zh_cn_catalogue(qtbot, admin, profile, open_window, zh_catalogue):
    window = open_window(profile, lang="zh_CN")
    assert window.ui.signInButton.text() == "登录(&S)"  # from the Designer form
    assert window.windowTitle() == "CRM 客户管理 – 登录"  # from the code
    sign_in(qtbot, window, "admin", "wrong-password1")
    assert window.message == "登录名或密码不正确，或账户已停用。"  # crm_core's message, in Chinese


def test_the_last_login_name_is_remembered_per_database(qtbot, admin, profile, settings, tmp_path):
    from crm_core.config import Profile

    other = Profile(name="branch", backend="sqlite", path=str(tmp_path / "branch.sqlite3"))
    settings.setValue(f"login/last_login/{profile.name}", "wang")
    settings.setValue("login/last_login/branch", "li")
    window = LoginWindow("en", {profile.name: profile, "branch": other}, profile.name, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.busy and window.keyring_usable is not None, timeout=WAIT)
    assert window.ui.loginEdit.text() == "wang"
    window.ui.profileCombo.setCurrentIndex(window.ui.profileCombo.findData("branch"))
    assert window.ui.loginEdit.text() == "li"  # not the name used on the other database
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT)
    window.ui.profileCombo.setCurrentIndex(window.ui.profileCombo.findData(profile.name))
    assert window.ui.loginEdit.text() == "wang"
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT)
    wait_for_all()


def test_a_profile_from_the_environment_is_named_in_words(qtbot, profile, settings):
    import dataclasses

    env = dataclasses.replace(profile, name="env")
    window = LoginWindow("en", {"env": env}, "env", settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.busy and window.keyring_usable is not None, timeout=WAIT)
    assert window.ui.profileCombo.itemText(0) == "Company database (set up by your administrator)"
    wait_for_all()
