"""The sign-in window: server profile, login name, password, "remember me".

The form is the Designer file ``ui/login.ui`` (packaged as
``crm_desktop/ui/login.ui``), loaded at runtime with :class:`QUiLoader`.
Everything slow runs through :func:`run_in_background`: loading crm_core and
the profiles, probing the database (first run), signing in, and the OS keyring
(which may talk D-Bus or ask the user to unlock it). crm_core itself is only
imported inside those jobs, so the window appears before SQLAlchemy is loaded.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QSettings, Qt, QTimer, Signal
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QDialog, QFormLayout, QVBoxLayout, QWidget

from crm_desktop import assets
from crm_desktop.background import run_in_background

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

log = logging.getLogger(__name__)
UI_FILE = "login.ui"
KEYRING_SERVICE = "crm-desktop"
ERROR_STYLE = "color: #b00020;"



def keyring_key(profile_name: str, login: str) -> str:
    """The keyring entry of one account: ``"<profile>/<login>"`` (logins are case-insensitive)."""
    return f"{profile_name}/{login.strip().lower()}"


def load_form(name: str, parent: QWidget) -> QWidget:
    """Load the Designer form ``name`` (see :mod:`crm_desktop.assets`); its named children become attributes."""
    buffer = QBuffer()
    buffer.setData(QByteArray(assets.form_bytes(name)))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    try:
        form = QUiLoader().load(buffer, parent)
    finally:
        buffer.close()
    if form is None:
        raise OSError(f"cannot load the form {name}")
    return form


# ------------------------------------------------------------ background jobs (worker thread)

def _load_profiles() -> tuple[dict[str, Any], str]:
    from crm_core.config import default_profile, load_profiles

    profiles = load_profiles()
    default = default_profile()
    profiles.setdefault(default.name, default)
    return profiles, default.name


def _keyring_usable() -> bool:
    """False when keyring only has its fail/null backend (headless Linux, no Secret Service)."""
    import keyring
    from keyring.backends import chainer, fail, null

    backend = keyring.get_keyring()
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return False
    return not (isinstance(backend, chainer.ChainerBackend) and not backend.backends)


def _keyring_get(key: str) -> str | None:
    import keyring

    return keyring.get_password(KEYRING_SERVICE, key)


def _probe_database(profile: Any) -> Any:
    """Open the database; return it when it has no user yet (first run), else None."""
    from crm_core import needs_first_admin, open_database

    db = open_database(profile)
    try:
        if needs_first_admin(db):
            return db
    except BaseException:
        db.dispose()
        raise
    db.dispose()
    return None


def _sign_in(profile: Any, login: str, password: str, remember: bool | None) -> tuple[Any, str | None]:
    """Sign in, then store or forget the password (``remember`` None: keyring unusable, leave it)."""
    from crm_core import connect

    session = connect(profile, login, password)
    if remember is None:
        return session, None
    try:
        import keyring
        from keyring.errors import PasswordDeleteError

        key = keyring_key(profile.name, login)
        if remember:
            keyring.set_password(KEYRING_SERVICE, key, password)
        else:
            try:
                keyring.delete_password(KEYRING_SERVICE, key)
            except PasswordDeleteError:
                pass  # nothing was stored
    except Exception as exc:  # noqa: BLE001 - a broken keyring must not stop the sign-in
        return session, f"{type(exc).__name__}: {exc}"
    return session, None


# ------------------------------------------------------------------------------ window

class LoginWindow(QDialog):
    """Sign-in dialog; emits :attr:`signed_in` with the :class:`crm_core.CrmSession`.

    Args:
        lang: "zh_CN" or "en": the language of crm_core's messages.
        profiles: connection profiles by name; None loads them (in the background).
        default_profile: name of the profile to preselect when none was used before.
        settings: where the last profile and login name are kept (never a password).
        parent: parent widget.
    """

    signed_in = Signal(object)

    def __init__(self, lang: str, profiles: dict[str, Any] | None = None, default_profile: str | None = None,
                 settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.lang = lang
        self.settings = settings if settings is not None else QSettings(KEYRING_SERVICE, KEYRING_SERVICE)
        self.profiles: dict[str, Any] = {}
        self.keyring_usable: bool | None = None  # None: not known yet
        self._profile_shown: str | None = None  # the profile whose last login name is shown
        self.first_run_dialog: QDialog | None = None
        self._pending = 0
        self._signing_in = False
        self._retry_left = 0
        self._retry_timer = QTimer(self, interval=1000)
        self._retry_timer.timeout.connect(self._on_retry_timer_timeout)

        self.setWindowTitle(translate("Login", "CRM Desktop – Sign in"))
        self.ui = load_form(UI_FILE, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.ui)
        self.fields_layout = self.ui.findChild(QFormLayout, "fieldsLayout")
        self._show_server_fields(False)
        self.ui.rememberCheck.setEnabled(False)
        self.ui.rememberCheck.setToolTip(translate("Login", "Checking the system keyring…"))
        self.ui.signInButton.setEnabled(False)
        self.ui.signInButton.clicked.connect(self._on_sign_in_button_clicked)
        self.ui.loginEdit.editingFinished.connect(self._on_login_edit_editing_finished)
        # The message line keeps room for three lines, so that a message neither makes the
        # window jump nor changes its minimum size once shown.
        self.ui.messageLabel.setFixedHeight(self.ui.messageLabel.fontMetrics().lineSpacing() * 3 + 6)
        self.setMinimumWidth(400)
        self.resize(440, self.sizeHint().height())

        self._start(_keyring_usable, done=self._on_keyring_check_done, failed=self._on_keyring_check_failed)
        if profiles is None:
            self._show_message(translate("Login", "Loading…"))
            self._start(_load_profiles, done=lambda r: self._set_profiles(*r), failed=self._on_profiles_load_failed)
        else:
            self._set_profiles(profiles, default_profile or next(iter(profiles)))

    # -------------------------------------------------------------- helpers

    @property
    def busy(self) -> bool:
        """True while background work of this window is running (tests wait on it)."""
        return self._pending > 0

    @property
    def message(self) -> str:
        """The text of the message line, as the user sees it."""
        return self.ui.messageLabel.text()

    def _start(self, fn: Any, *args: Any, done: Any, failed: Any) -> None:
        self._pending += 1
        run_in_background(fn, *args, done=done, failed=failed, finished=self._on_job_finished)

    def _on_job_finished(self) -> None:
        self._pending -= 1

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.ui.messageLabel.setStyleSheet(ERROR_STYLE if error else "")
        self.ui.messageLabel.setText(text)
        self.ui.messageLabel.setToolTip("")

    def current_profile(self) -> Any:
        """The selected profile, with the server fields as typed for a PostgreSQL profile."""
        profile = self.profiles[self.ui.profileCombo.currentData()]
        if profile.backend != "postgresql":
            return profile
        return dataclasses.replace(profile, host=self.ui.hostEdit.text().strip() or profile.host,
                                   port=self.ui.portSpin.value(),
                                   database=self.ui.databaseEdit.text().strip() or profile.database)

    def _show_server_fields(self, visible: bool) -> None:
        for field in (self.ui.hostEdit, self.ui.portSpin, self.ui.databaseEdit):
            self.fields_layout.setRowVisible(field, visible)

    def _set_profiles(self, profiles: dict[str, Any], default: str) -> None:
        self.profiles = dict(profiles)
        combo = self.ui.profileCombo
        combo.blockSignals(True)
        combo.clear()
        for name, profile in self.profiles.items():
            embedded = name == "embedded" and profile.backend == "sqlite"
            if embedded:
                label = translate("Login", "This computer (embedded database)")
            elif name == "env":  # CRM_DATABASE_URL: set up for the user, its internal name means nothing to him
                label = translate("Login", "Company database (set up by your administrator)")
            else:
                label = name
            combo.addItem(label, name)
            combo.setItemData(combo.count() - 1, profile.describe(), Qt.ItemDataRole.ToolTipRole)
        last = self.settings.value("login/profile", default)
        index = combo.findData(last if last in self.profiles else default)
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
        combo.currentIndexChanged.connect(self._on_profile_combo_current_index_changed)
        if not self.ui.loginEdit.text():
            self.ui.loginEdit.setText(self._last_login(self.ui.profileCombo.currentData()))
        self._show_message("")
        self.ui.signInButton.setEnabled(self._retry_left == 0)
        self._on_profile_combo_current_index_changed()
        (self.ui.passwordEdit if self.ui.loginEdit.text() else self.ui.loginEdit).setFocus()

    def reject(self) -> None:
        """Esc / close; ignored while signing in, so that no session is left open behind the user."""
        if not self._signing_in:
            super().reject()

    # -------------------------------------------------------------- slots

    def _on_profiles_load_failed(self, exc: BaseException) -> None:
        from crm_core.config import Profile

        from crm_desktop.errors import present_error

        present_error(self, exc, self.lang)
        self._set_profiles({"embedded": Profile()}, "embedded")

    def _last_login(self, profile_name: Any) -> str:
        """The login name last used on this profile ("" if none)."""
        return str(self.settings.value(f"login/last_login/{profile_name}", "") or "")

    def _on_keyring_check_done(self, usable: bool) -> None:
        self.keyring_usable = usable
        check = self.ui.rememberCheck
        if usable:
            check.setText(translate("Login", "&Remember my password on this computer"))
            check.setEnabled(True)
            check.setToolTip(translate("Login", "The password is kept in the system keyring, never in a file."))
            self._refill_password()
        else:
            check.setChecked(False)
            check.setEnabled(False)
            # Said beside the box, not only in a tooltip nobody hovers over.
            check.setText(translate("Login", "Remember my password (not possible: this computer has no "
                                             "system keyring)"))
            check.setToolTip(translate("Login", "No system keyring is available on this computer (for example "
                                                "GNOME Keyring, KWallet or the Windows Credential Manager), so "
                                                "the password cannot be remembered safely."))

    def _on_keyring_check_failed(self, exc: BaseException) -> None:
        log.warning("keyring check failed: %s", exc)
        self._on_keyring_check_done(False)

    def _on_profile_combo_current_index_changed(self, _index: int = 0) -> None:
        profile = self.profiles[self.ui.profileCombo.currentData()]
        previous, self._profile_shown = self._profile_shown, self.ui.profileCombo.currentData()
        if previous is not None and previous != self._profile_shown:  # another database: its own last login
            remembered = self._last_login(self._profile_shown)
            if remembered != self.ui.loginEdit.text():
                self.ui.loginEdit.setText(remembered)
                self.ui.passwordEdit.clear()
        self.ui.profileCombo.setToolTip(profile.describe())
        is_server = profile.backend == "postgresql"
        self._show_server_fields(is_server)
        if is_server:
            self.ui.hostEdit.setText(profile.host)
            self.ui.portSpin.setValue(profile.port)
            self.ui.databaseEdit.setText(profile.database)
        # Settle the layouts now: the window must not change its minimum size after it is shown.
        self.ui.layout().activate()
        self.layout().activate()
        self.adjustSize()
        self._refill_password()
        # Only the CRM's own accounts can be listed before sign-in; a server with
        # per-user database logins needs the user's credentials to connect at all.
        if profile.backend == "sqlite" or profile.auth == "app":
            self._start(_probe_database, profile, done=self._on_probe_done, failed=self._on_probe_failed)

    def _on_probe_done(self, db: Any) -> None:
        if db is None:
            return
        from crm_desktop.first_run import FirstRunDialog

        self.first_run_dialog = FirstRunDialog(db, self.lang, self)
        self.first_run_dialog.admin_created.connect(self._on_first_run_dialog_admin_created)
        self.first_run_dialog.open()

    def _on_probe_failed(self, exc: BaseException) -> None:
        # Not a dialog: the user has not asked for anything yet; signing in shows it again.
        self._show_sign_in_error(exc)

    def _on_first_run_dialog_admin_created(self, login: str) -> None:
        self.ui.loginEdit.setText(login)
        self.ui.passwordEdit.clear()
        self.ui.passwordEdit.setFocus()
        self._show_message(translate("Login", "The administrator account was created. Sign in with its password."))

    def _on_login_edit_editing_finished(self) -> None:
        self._refill_password()

    def _refill_password(self) -> None:
        login = self.ui.loginEdit.text().strip()
        if not (self.keyring_usable and login and self.profiles) or self.ui.passwordEdit.text():
            return
        key = keyring_key(self.ui.profileCombo.currentData(), login)

        def _done(password: str | None) -> None:
            current = keyring_key(self.ui.profileCombo.currentData(), self.ui.loginEdit.text())
            if password and current == key and not self.ui.passwordEdit.text():
                self.ui.passwordEdit.setText(password)
                self.ui.rememberCheck.setChecked(True)

        self._start(_keyring_get, key, done=_done, failed=lambda exc: log.warning("keyring read failed: %s", exc))

    def _on_sign_in_button_clicked(self) -> None:
        if not self.ui.signInButton.isEnabled():
            return  # Enter in the password field while busy or throttled
        login, password = self.ui.loginEdit.text().strip(), self.ui.passwordEdit.text()
        if not login:
            self._show_message(translate("Login", "Please enter your login name."), error=True)
            self.ui.loginEdit.setFocus()
            return
        if not password:
            self._show_message(translate("Login", "Please enter your password."), error=True)
            self.ui.passwordEdit.setFocus()
            return
        remember = self.ui.rememberCheck.isChecked() if self.keyring_usable else None
        self.ui.signInButton.setEnabled(False)
        self._signing_in = True
        self._show_message(translate("Login", "Signing in…"))
        self.setCursor(Qt.CursorShape.BusyCursor)
        self._start(_sign_in, self.current_profile(), login, password, remember,
                    done=self._on_sign_in_done, failed=self._on_sign_in_failed)

    def _on_sign_in_done(self, result: tuple[Any, str | None]) -> None:
        session, keyring_problem = result
        self._signing_in = False
        self.unsetCursor()
        if keyring_problem:
            log.warning("could not update the keyring: %s", keyring_problem)
        self.settings.setValue("login/profile", self.ui.profileCombo.currentData())
        # Per database: the name used on the test database is not offered on the real one.
        self.settings.setValue(f"login/last_login/{self.ui.profileCombo.currentData()}",
                               self.ui.loginEdit.text().strip())
        self._show_message(translate("Login", "Signed in."))
        self.signed_in.emit(session)
        self.accept()

    def _on_sign_in_failed(self, exc: BaseException) -> None:
        self._signing_in = False
        self.unsetCursor()
        self.ui.signInButton.setEnabled(True)
        self._show_sign_in_error(exc)

    def _show_sign_in_error(self, exc: BaseException) -> None:
        """Known sign-in problems go to the message line; anything else to the error presenter."""
        from crm_core.errors import AuthenticationFailed, CrmError, DatabaseUnavailable, SchemaMismatch

        if isinstance(exc, AuthenticationFailed):
            if exc.retry_after:
                self._retry_left = int(exc.retry_after)
                self.ui.signInButton.setEnabled(False)
                self._retry_timer.start()
                self._show_retry_message()
            else:
                self._show_message(exc.message(self.lang), error=True)
            self.ui.passwordEdit.selectAll()
            self.ui.passwordEdit.setFocus()
        elif isinstance(exc, DatabaseUnavailable):
            self._show_message(translate("Login", "Cannot reach the database server. Check the network connection "
                                                  "and the server address, or ask your administrator."), error=True)
            self.ui.messageLabel.setToolTip(exc.message(self.lang))
        elif isinstance(exc, (SchemaMismatch, CrmError)):
            # SchemaMismatch's own message already says older or newer, and what to do.
            self._show_message(exc.message(self.lang), error=True)
        else:
            from crm_desktop.errors import present_error

            self._show_message("")
            present_error(self, exc, self.lang)

    def _show_retry_message(self) -> None:
        text = translate("Login", "Too many failed sign-ins. Try again in %1 s.")
        self._show_message(text.replace("%1", str(self._retry_left)), error=True)

    def _on_retry_timer_timeout(self) -> None:
        self._retry_left -= 1
        if self._retry_left > 0:
            self._show_retry_message()
            return
        self._retry_timer.stop()
        self._show_message("")
        self.ui.signInButton.setEnabled(bool(self.profiles))
