"""First-run dialog: an empty database gets its first administrator (no built-in default password).

The login window opens this dialog when :func:`crm_core.needs_first_admin`
says so. The account is created with :func:`crm_core.create_first_admin` in
the background; crm_core's field errors are shown under their fields and
nothing the user typed is cleared.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget)

from crm_desktop.background import run_in_background

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

ERROR_STYLE = "color: #b00020;"



def _create_admin(db: Any, values: dict[str, Any], passwords_differ: bool) -> dict[str, Any]:
    """Create the administrator; when the two passwords differ, report that with every other problem."""
    from crm_core.errors import FieldError, ValidationError
    from crm_core.i18n import Text
    from crm_core.session import check_first_admin, create_first_admin

    if passwords_differ:
        differ = FieldError("password_again", "mismatch", Text("两次输入的密码不一致。", "The two passwords differ."))
        raise ValidationError([*check_first_admin(db, values), differ])
    return create_first_admin(db, values)


class FirstRunDialog(QDialog):
    """Creates the first administrator of an empty database.

    Args:
        db: the opened :class:`crm_core` database (the dialog disposes of it when closed).
        lang: "zh_CN" or "en", for crm_core's messages.
        parent: the login window.

    Signals:
        admin_created(str): the login name of the new administrator.
    """

    admin_created = Signal(str)
    FIELDS = ("login", "name", "phone", "password", "password_again")

    def __init__(self, db: Any, lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.lang = db, lang
        self.busy = False
        self.setWindowTitle(translate("FirstRun", "Welcome to CRM Desktop"))
        self.setObjectName("firstRunDialog")

        intro = QLabel(translate("FirstRun", "This database has no user yet. Create the administrator account; "
                          "the administrator then adds the other users."))
        intro.setWordWrap(True)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        labels = {"login": translate("FirstRun", "&Login name:"),
                  "name": translate("FirstRun", "&Full name:"),
                  "phone": translate("FirstRun", "P&hone:"),
                  "password": translate("FirstRun", "&Password:"),
                  "password_again": translate("FirstRun", "Password (&again):")}
        self.edits: dict[str, QLineEdit] = {}
        self.error_labels: dict[str, QLabel] = {}
        for field in self.FIELDS:
            edit = QLineEdit(self)
            edit.setObjectName(f"{field}Edit")
            if field.startswith("password"):
                edit.setEchoMode(QLineEdit.EchoMode.Password)
            error = QLabel(self)
            error.setObjectName(f"{field}Error")
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(edit)
            column.addWidget(error)
            label = QLabel(labels[field], self)
            label.setBuddy(edit)
            form.addRow(label, column)
            self.edits[field], self.error_labels[field] = edit, error
        self.edits["password"].setPlaceholderText(translate("FirstRun", "at least 8 characters, letters and digits"))
        self.message_label = QLabel(self)
        self.message_label.setObjectName("messageLabel")
        self.message_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.create_button = self.buttons.addButton(translate("FirstRun", "&Create administrator"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setDefault(True)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.finished.connect(self._on_self_finished)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)
        self.resize(460, self.sizeHint().height())

    def values(self) -> dict[str, str]:
        """What the user typed (login, name and phone without surrounding spaces)."""
        values = {f: e.text() for f, e in self.edits.items()}
        for f in ("login", "name", "phone"):
            values[f] = values[f].strip()
        return values

    def field_error(self, field: str) -> str:
        """The error shown under ``field`` ("" when none)."""
        label = self.error_labels[field]
        return label.text() if not label.isHidden() else ""

    def _set_field_errors(self, errors: dict[str, list[str]]) -> None:
        for field, label in self.error_labels.items():
            label.setText("\n".join(errors.get(field, [])))
            label.setVisible(field in errors)
        first = next((f for f in self.FIELDS if f in errors), None)
        if first:
            self.edits[first].setFocus()
            self.edits[first].selectAll()

    def _on_buttons_accepted(self) -> None:
        if self.busy:
            return
        values = self.values()
        self._set_field_errors({})
        self.busy = True
        self.create_button.setEnabled(False)
        self.message_label.setStyleSheet("")
        self.message_label.setText(translate("FirstRun", "Creating the administrator…"))
        payload = {k: v for k, v in values.items() if k != "password_again"}
        differ = values["password"] != values["password_again"]  # checked with the rest, all shown at once
        run_in_background(_create_admin, self.db, payload, differ, done=self._on_create_done,
                          failed=self._on_create_failed, finished=self._on_create_finished)

    def _on_create_finished(self) -> None:
        self.busy = False
        self.create_button.setEnabled(True)

    def _on_create_done(self, user: dict[str, Any]) -> None:
        self.message_label.setText("")
        self.admin_created.emit(str(user.get("login") or self.values()["login"]))
        self.accept()

    def _on_create_failed(self, exc: BaseException) -> None:
        from crm_core.errors import ValidationError

        self.message_label.setText("")
        if isinstance(exc, ValidationError):
            by_field: dict[str, list[str]] = {}
            general: list[str] = []
            for err in exc.errors:
                if err.field in self.edits:
                    by_field.setdefault(err.field, []).append(err.message(self.lang))
                else:
                    general.append(err.message(self.lang))
            self._set_field_errors(by_field)
            self.message_label.setStyleSheet(ERROR_STYLE)
            self.message_label.setText("\n".join(general))
            return
        from crm_desktop.errors import present_error

        # Other crm_core errors (e.g. someone else created the first user meanwhile) get their
        # dialog, a bug the crash dialog; either way the typed values stay.
        present_error(self, exc, self.lang)

    def _on_self_finished(self, _result: int) -> None:
        # The probe's connection pool is of no further use; release it off the GUI thread.
        db, self.db = self.db, None
        if db is not None:
            run_in_background(db.dispose)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        """Esc while the account is being created must not close the dialog under the work."""
        if self.busy and event.key() == Qt.Key.Key_Escape:
            return
        super().keyPressEvent(event)
