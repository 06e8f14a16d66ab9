"""The two user dialogs the generic record form cannot be: a new user (with a password) and a password reset."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from crm_desktop.background import run_in_background
from crm_desktop.errors import present_error
from crm_desktop.forms.record_form import ERROR_STYLE
from crm_desktop.settings.fields import FieldForm, mismatch_message, password_edit

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate


class _PasswordDialog(QDialog):
    """Common frame: a :class:`FieldForm`, a message line, Save / Cancel, and the background call."""

    def __init__(self, lang: str, parent: QWidget | None):
        super().__init__(parent)
        self.lang = lang
        self.busy = False
        self.fields = FieldForm(self)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("messageLabel")
        self.message_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(translate("Settings", "&Save"),
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(translate("Settings", "Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.fields)
        layout.addStretch(1)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        """Check the two passwords match, then call the service in the background."""

    def _passwords_match(self, first: str, second: str) -> bool:
        self.fields.clear_errors()
        self.message_label.clear()
        if self.fields.widgets[first].text() != self.fields.widgets[second].text():
            self.fields.set_error(second, mismatch_message())
            return False
        return True

    def _start(self, fn: Any, *args: Any) -> None:
        self.busy = True
        self.save_button.setEnabled(False)
        self.message_label.setStyleSheet("")
        self.message_label.setText(translate("Settings", "Saving…"))
        run_in_background(fn, *args, done=self._on_job_done, failed=self._on_job_failed)

    def _on_job_done(self, result: Any) -> None:
        if not shiboken6.isValid(self):
            return
        self.busy = False
        self.save_button.setEnabled(True)
        self.finished_ok(result)
        self.accept()

    def finished_ok(self, result: Any) -> None:
        """Announce the success (subclasses emit their signal)."""

    def _on_job_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        from crm_core.errors import ValidationError

        self.busy = False
        self.save_button.setEnabled(True)
        self.message_label.clear()
        if isinstance(exc, ValidationError):
            general = self.fields.show_validation(exc, self.lang)
            self.message_label.setStyleSheet(ERROR_STYLE)
            self.message_label.setText("\n".join(general))
            return
        present_error(self, exc, self.lang)


class NewUserDialog(_PasswordDialog):
    """A new user account: login, name, role, phone, e-mail and the first password (typed twice).

    Signals:
        created(object): the new user's record.
    """

    created = Signal(object)

    def __init__(self, users: Any, lang: str, parent: QWidget | None = None):
        super().__init__(lang, parent)
        self.users = users
        self.setObjectName("newUserDialog")
        self.setWindowTitle(translate("Settings", "New user"))
        spec = users.spec
        form = self.fields
        for name in ("login", "name"):
            form.add(name, spec.field(name).label(lang), QLineEdit(self), required=True)
        self.role_combo = QComboBox(self)
        for choice in spec.field("role").choices:
            self.role_combo.addItem(choice.label(lang), choice.code)
        self.role_combo.setCurrentIndex(max(0, self.role_combo.findData("sales")))
        form.add("role", spec.field("role").label(lang), self.role_combo, required=True)
        form.add("phone", spec.field("phone").label(lang), QLineEdit(self), required=True)
        form.add("email", spec.field("email").label(lang), QLineEdit(self))
        form.add("password", translate("Settings", "Password"), password_edit(self), required=True)
        form.add("password2", translate("Settings", "Password again"), password_edit(self), required=True)
        form.widgets["password"].setToolTip(translate("Settings", "At least 8 characters, letters and digits"))
        self.resize(460, self.sizeHint().height())

    def save(self) -> None:
        """Create the user in the background; errors appear under their fields."""
        if self.busy or not self._passwords_match("password", "password2"):
            return
        widgets = self.fields.widgets
        values: dict[str, Any] = {name: widgets[name].text().strip() or None
                                  for name in ("login", "name", "phone", "email")}
        values = {k: v for k, v in values.items() if v is not None}
        values["role"] = self.role_combo.currentData()
        values["password"] = widgets["password"].text()
        self._start(self.users.create, values)

    def finished_ok(self, result: Any) -> None:
        self.created.emit(result)


class ResetPasswordDialog(_PasswordDialog):
    """An administrator sets a new password for ``user`` (typed twice).

    Signals:
        password_set(): the new password is stored.
    """

    password_set = Signal()

    def __init__(self, users: Any, user: dict[str, Any], lang: str, parent: QWidget | None = None):
        super().__init__(lang, parent)
        self.users, self.user = users, user
        self.setObjectName("resetPasswordDialog")
        self.setWindowTitle(translate("Settings", "Reset password of %1").replace(
            "%1", f"{user.get('name')} ({user.get('login')})"))
        self.fields.add("password", translate("Settings", "New password"), password_edit(self), required=True)
        self.fields.add("password2", translate("Settings", "New password again"), password_edit(self), required=True)
        self.fields.widgets["password"].setToolTip(translate("Settings", "At least 8 characters, letters and digits"))
        self.resize(420, self.sizeHint().height())

    def save(self) -> None:
        """Store the new password in the background."""
        if self.busy or not self._passwords_match("password", "password2"):
            return
        self._start(self.users.set_password, self.user["id"], self.fields.widgets["password"].text())

    def finished_ok(self, result: Any) -> None:
        self.password_set.emit()
