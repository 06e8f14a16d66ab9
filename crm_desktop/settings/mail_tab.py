"""Settings → Mail (administrators): the office's SMTP server, a test message, sending queued notices.

The server settings are shared (crm_core keeps them in the database); the
password is not: it stays in this computer's keyring, so only machines an
administrator set up (and the server's ``crm-admin mail send`` job) can log in.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (QComboBox, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from crm_desktop.background import run_in_background
from crm_desktop.errors import present_error
from crm_desktop.forms.record_form import ERROR_STYLE
from crm_desktop.settings.fields import FieldForm, password_edit

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

SECURITY_CHOICES = (("starttls", "STARTTLS"), ("ssl", "SSL/TLS"), ("none", None))


def load_mail_state(session: Any) -> tuple[Any, int, bool, bool]:
    """The SMTP settings, the queued notices, whether this computer holds the password, keyring usable."""
    from crm_core import mail
    from crm_desktop.login import _keyring_usable

    settings = session.settings.smtp()
    has_password = bool(settings.username) and mail.stored_password(settings) is not None
    return settings, session.mail.queued_count(), has_password, _keyring_usable()


def save_mail_settings(session: Any, values: dict[str, Any], version: int, password: str | None) -> Any:
    """Store the settings; then the password in this computer's keyring when one was typed."""
    from crm_core import mail

    saved = session.settings.save_smtp(values, version=version)
    if password:
        mail.store_password(saved, password)
    return saved


def send_queued(session: Any) -> Any:
    return session.mail.send_pending()


class MailTab(QWidget):
    """The SMTP server of the office, for administrators."""

    def __init__(self, session: Any, lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("mailTab")
        self.session, self.lang = session, lang
        self.version = 0
        self.busy = False

        server_box = QGroupBox(translate("Mail", "Mail server (SMTP)"), self)
        self.fields = FieldForm(server_box)
        self.fields.add("host", translate("Mail", "Server"), QLineEdit(self), required=True)
        port = QSpinBox(self)
        port.setRange(1, 65535)
        port.setValue(25)
        self.fields.add("port", translate("Mail", "Port"), port, required=True)
        security = QComboBox(self)
        for code, name in SECURITY_CHOICES:
            security.addItem(name or translate("Mail", "None"), code)
        self.fields.add("security", translate("Mail", "Security"), security)
        self.fields.add("sender", translate("Mail", "Sender address"), QLineEdit(self), required=True)
        self.fields.add("username", translate("Mail", "User name"), QLineEdit(self))
        self.fields.widgets["username"].setPlaceholderText(translate("Mail", "empty: the server relays without a login"))
        self.fields.add("password", translate("Mail", "Password"), password_edit(self))
        self.save_button = QPushButton(translate("Mail", "&Save"), server_box)
        self.save_button.setObjectName("saveMailButton")
        box_layout = QVBoxLayout(server_box)
        box_layout.addWidget(self.fields)
        box_layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)

        send_box = QGroupBox(translate("Mail", "Sending"), self)
        self.test_edit = QLineEdit(send_box)
        self.test_edit.setObjectName("testAddressEdit")
        self.test_edit.setPlaceholderText(translate("Mail", "send a test message to this address"))
        self.test_button = QPushButton(translate("Mail", "Send &test message"), send_box)
        self.test_button.setObjectName("testMailButton")
        self.queue_button = QPushButton(send_box)
        self.queue_button.setObjectName("sendQueuedButton")
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_edit, 1)
        test_row.addWidget(self.test_button)
        send_layout = QVBoxLayout(send_box)
        send_layout.addLayout(test_row)
        send_layout.addWidget(self.queue_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("mailStatus")
        self.status_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        for box in (server_box, send_box):
            box.setMinimumWidth(560)
            box.setMaximumWidth(680)
            layout.addWidget(box, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        self._show_queue(0)

        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.queue_button.clicked.connect(self._on_queue_button_clicked)
        self.reload()

    # ----------------------------------------------------------- interface

    def reload(self) -> None:
        """Load the settings and the queue in the background."""
        self._start(load_mail_state, self.session, done=self._on_loaded)

    def values(self) -> dict[str, Any]:
        w = self.fields.widgets
        return {"host": w["host"].text(), "port": w["port"].value(), "security": w["security"].currentData(),
                "sender": w["sender"].text(), "username": w["username"].text()}

    def save(self) -> None:
        self.fields.clear_errors()
        password = self.fields.widgets["password"].text() or None
        self._start(save_mail_settings, self.session, self.values(), self.version, password, done=self._on_saved)

    def send_test(self) -> None:
        address = self.test_edit.text().strip()
        if not address:
            self._status(translate("Mail", "Type the address the test message goes to."), error=True)
            return
        self._start(self.session.mail.send_test, address, done=self._on_test_sent)

    def send_queued(self) -> None:
        self._start(send_queued, self.session, done=self._on_queue_sent)

    # -------------------------------------------------------------- helpers

    def _start(self, fn: Any, *args: Any, done: Any) -> None:
        if self.busy:
            return
        self._set_busy(True)
        run_in_background(fn, *args, done=lambda result: self._finish(done, result), failed=self._on_failed)

    def _finish(self, done: Any, result: Any) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        done(result)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for button in (self.save_button, self.test_button, self.queue_button):
            button.setEnabled(not busy)

    def _status(self, text: str, error: bool = False) -> None:
        self.status_label.setStyleSheet(ERROR_STYLE if error else "")
        self.status_label.setText(text)

    def _show_queue(self, count: int) -> None:
        self.queue_button.setText(translate("Mail", "Send queued notices now (%1)").replace("%1", str(count)))
        self.queue_button.setEnabled(count > 0 and not self.busy)

    def _show(self, settings: Any) -> None:
        w = self.fields.widgets
        self.version = settings.version
        w["host"].setText(settings.host)
        w["port"].setValue(settings.port)
        w["security"].setCurrentIndex(max(0, w["security"].findData(settings.security)))
        w["sender"].setText(settings.sender)
        w["username"].setText(settings.username)
        w["password"].clear()

    # ---------------------------------------------------------------- slots

    def _on_save_button_clicked(self) -> None:
        self.save()

    def _on_test_button_clicked(self) -> None:
        self.send_test()

    def _on_queue_button_clicked(self) -> None:
        self.send_queued()

    def _on_loaded(self, state: tuple[Any, int, bool, bool]) -> None:
        settings, queued, has_password, keyring_usable = state
        self._show(settings)
        self._show_queue(queued)
        password = self.fields.widgets["password"]
        if not keyring_usable:
            password.setEnabled(False)
            password.setToolTip(translate("Mail", "This computer has no keyring to keep the password safely; "
                                                  "set CRM_SMTP_PASSWORD for the server's mail job instead."))
        elif has_password:
            password.setPlaceholderText(translate("Mail", "kept in this computer's keyring; type to replace"))
        else:
            password.setPlaceholderText(translate("Mail", "kept only in this computer's keyring"))

    def _on_saved(self, settings: Any) -> None:
        self._show(settings)
        self._status(translate("Mail", "The mail settings were saved."))
        self.reload()

    def _on_test_sent(self, _result: Any) -> None:
        self._status(translate("Mail", "The test message was sent."))

    def _on_queue_sent(self, report: Any) -> None:
        self._status(translate("Mail", "Sent %1, failed %2.").replace("%1", str(report.sent))
                     .replace("%2", str(report.failed)), error=bool(report.failed))
        self.reload()

    def _on_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        from crm_core.errors import ConfigurationError, ValidationError

        self._set_busy(False)
        if isinstance(exc, ValidationError):
            general = self.fields.show_validation(exc, self.lang)
            self._status("\n".join(general), error=bool(general))
        elif isinstance(exc, ConfigurationError):
            self._status(exc.text(self.lang), error=True)
        else:
            present_error(self, exc, self.lang)
