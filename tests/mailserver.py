"""A real SMTP server (aiosmtpd, in-process) and an in-memory keyring, for the mail tests.

Import the fixtures into a test module: ``from tests.mailserver import smtp_server, fake_keyring``.
"""

from __future__ import annotations

import email
import email.policy
import socket

import keyring
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from keyring.backend import KeyringBackend

from crm_core import mail

SMTP_USER, SMTP_PASSWORD = "crm@office.example", "smtp-secret"


class Mailbox:
    """What the SMTP server received; ``refuse`` makes it answer RCPT with 550."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd hook
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        SMTP_USER.encode(), SMTP_PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


@pytest.fixture
def smtp_server():
    """A plain SMTP server on 127.0.0.1 (login optional: plain text allowed for the test)."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), authenticator=_authenticator,
                            auth_require_tls=False, auth_exclude_mechanism=["LOGIN"])
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture
def fake_keyring(monkeypatch):
    monkeypatch.delenv(mail.PASSWORD_ENV, raising=False)
    previous, fake = keyring.get_keyring(), MemoryKeyring()
    keyring.set_keyring(fake)
    yield fake
    keyring.set_keyring(previous)


