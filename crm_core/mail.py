"""Sending the queued notices (``session.mail``): e-mail to a ticket's submitter on resolution.

Resolving a ticket queues a notice in the ``notifications`` outbox in the same
transaction (``modules/service.py``). A sender then delivers it through the
office's SMTP server and records the result on the notice and on the ticket's
processing log. Two kinds of sender exist, and they never send a notice twice
(each claims it first with a conditional UPDATE):

* the client that resolved the ticket, right away, when this workstation can
  log in to the SMTP server (no login needed, or the password is in this
  computer's keyring);
* ``crm-admin mail send`` on the server (a scheduled job; the password comes
  from ``CRM_SMTP_PASSWORD`` or the server account's keyring), and the
  administrator's "send queued notices now" in the settings dialog.

Where the SMTP password lives: never in the database (every user can read
what his client can read) nor in a config file; only in the OS keyring of the
machines that send, or in the job's environment.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from sqlalchemy import func, or_, select, update

from crm_core.db.base import utcnow
from crm_core.errors import ConfigurationError, PermissionDenied
from crm_core.i18n import Text
from crm_core.mail_errors import explain_smtp_error
from crm_core.models import Notification
from crm_core.permissions import Action, rights
from crm_core.services.context import Context
from crm_core.settings import SmtpSettings

KEYRING_SERVICE = "crm-desktop-smtp"
PASSWORD_ENV = "CRM_SMTP_PASSWORD"
MAX_ATTEMPTS = 5
# A notice claimed by a sender that died is taken up again after this long.
STALE_CLAIM = dt.timedelta(minutes=10)

NOT_CONFIGURED = Text("尚未设置邮件服务器（设置 → 邮件），通知已排队，设置后会发送。",
                      "No mail server is set up yet (Settings → Mail); the notice is queued and goes out once it is.")
NO_PASSWORD = Text("这台电脑没有保存邮件服务器密码，通知已排队，将由邮件任务或管理员发送。",
                   "This computer holds no mail server password; the notice is queued for the mail job or an administrator.")

Transport = Callable[[SmtpSettings, str | None], Any]


@dataclass
class SendReport:
    """What one run of the sender did."""

    sent: int = 0
    failed: int = 0
    left: int = 0  # still queued (not claimed by this run, or to be retried)


def keyring_key(settings: SmtpSettings) -> str:
    return f"{settings.host}:{settings.port}/{settings.username}"


def stored_password(settings: SmtpSettings) -> str | None:
    """The SMTP password this machine holds: the job's environment, else the OS keyring."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, keyring_key(settings))
    except Exception:  # noqa: BLE001 - no usable keyring backend is "no password here"
        return None


def store_password(settings: SmtpSettings, password: str) -> None:
    """Keep the SMTP password in this computer's keyring (empty: forget it).

    Raises:
        ConfigurationError: the computer has no usable keyring.
    """
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        if password:
            keyring.set_password(KEYRING_SERVICE, keyring_key(settings), password)
        else:
            try:
                keyring.delete_password(KEYRING_SERVICE, keyring_key(settings))
            except PasswordDeleteError:
                pass
    except (KeyringError, RuntimeError) as exc:
        raise ConfigurationError(Text(f"无法把密码保存到系统密钥环：{exc}",
                                      f"Cannot keep the password in the system keyring: {exc}")) from None


def smtp_connect(settings: SmtpSettings, password: str | None) -> smtplib.SMTP:
    """An SMTP connection, secured and logged in as the settings say."""
    if settings.security == "ssl":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                              context=ssl.create_default_context())
    else:
        conn = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.security == "starttls":
            conn.starttls(context=ssl.create_default_context())
    if settings.username:
        conn.login(settings.username, password or "")
    return conn


def _message(settings: SmtpSettings, recipient: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.sender, recipient, subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    msg.set_content(body)  # UTF-8, encoded as the text needs
    return msg


class MailService:
    """Deliver queued notices; test the SMTP settings."""

    def __init__(self, ctx: Context, transport: Transport = smtp_connect):
        self.ctx = ctx
        self.transport = transport

    def can_send_here(self) -> bool:
        """True when this machine can deliver now: a server is set up and, if it needs a login, a password is here."""
        settings = self.ctx.services["settings"].smtp()
        return settings.configured and (not settings.username or stored_password(settings) is not None)

    def queued_count(self) -> int:
        """Notices waiting to be sent (queued, or failed and to be retried)."""
        self.ctx.require("tickets", Action.READ)
        with self.ctx.db.unit_of_work(write=False) as s:
            return int(s.scalar(select(func.count()).select_from(Notification).where(self._waiting())) or 0)

    def send_test(self, recipient: str, password: str | None = None) -> None:
        """Send a test message with the saved settings (administrators).

        Raises:
            ConfigurationError: not set up, or the server refused (its answer is in the message).
        """
        self.ctx.require("users", Action.ADMIN)
        settings, password = self._ready(password)
        subject = "CRM 测试邮件 / CRM test message"
        body = "这是一封测试邮件：邮件服务器设置正确。\n\nThis is a test message: the mail settings work.\n"
        try:
            with self.transport(settings, password) as conn:
                conn.send_message(_message(settings, recipient, subject, body))
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            # In words, with what to check; the server's technical answer goes to the log.
            reason = explain_smtp_error(exc, settings.host, settings.port)
            raise ConfigurationError(Text(f"测试邮件没有发出。{reason.zh}",
                                          f"The test message was not sent. {reason.en}")) from None

    def send_pending(self, ticket_id: int | None = None, *, password: str | None = None,
                     progress: Callable[[int, int], None] | None = None) -> SendReport:
        """Deliver the waiting notices (of one ticket, or all), recording each result on its ticket.

        Needs the right to update tickets (whoever resolves them) or to administer.

        Raises:
            ConfigurationError: no mail server set up, or it needs a password this machine does not hold.
        """
        self.ctx.refresh_actor()  # first: a role taken away or an account closed since sign-in counts now
        role = rights(self.ctx.actor.role)
        if not (role.may("tickets", Action.UPDATE) or role.may("users", Action.ADMIN)):
            raise PermissionDenied(Text("您没有发送通知的权限。", "You may not send notices."))
        settings, password = self._ready(password)
        ids = self._waiting_ids(ticket_id)
        report = SendReport()
        if not ids:
            return report
        tickets = self.ctx.services["tickets"]
        try:
            conn = self.transport(settings, password)
        except (smtplib.SMTPException, OSError) as exc:
            for nid in ids:  # nothing was claimed yet: mark each failed once, so the ticket tells why
                if self._claim(nid):
                    tickets.record_notification_result(nid, sent=False, error=_describe(exc))
                    report.failed += 1
            return report
        with conn:
            for done, nid in enumerate(ids, 1):
                if progress is not None:
                    progress(done - 1, len(ids))
                notice = self._claim(nid)
                if notice is None:
                    report.left += 1
                    continue
                try:
                    conn.send_message(_message(settings, notice["recipient"], notice["subject"], notice["body"]))
                except (smtplib.SMTPException, OSError) as exc:
                    tickets.record_notification_result(nid, sent=False, error=_describe(exc))
                    report.failed += 1
                else:
                    tickets.record_notification_result(nid, sent=True)
                    report.sent += 1
        return report

    # --- internals --------------------------------------------------------

    def _ready(self, password: str | None) -> tuple[SmtpSettings, str | None]:
        settings = self.ctx.services["settings"].smtp()
        if not settings.configured:
            raise ConfigurationError(NOT_CONFIGURED)
        if settings.username and password is None:
            password = stored_password(settings)
            if password is None:
                raise ConfigurationError(NO_PASSWORD)
        return settings, password

    @staticmethod
    def _waiting() -> Any:
        stale = utcnow() - STALE_CLAIM
        return (Notification.attempts < MAX_ATTEMPTS) & or_(
            Notification.status.in_(("queued", "failed")),
            (Notification.status == "sending") & (Notification.claimed_at < stale))

    def _waiting_ids(self, ticket_id: int | None) -> list[int]:
        with self.ctx.db.unit_of_work(write=False) as s:
            stmt = select(Notification.id).where(self._waiting()).order_by(Notification.id)
            if ticket_id is not None:
                stmt = stmt.where(Notification.ticket_id == ticket_id)
            return list(s.scalars(stmt))

    def _claim(self, notification_id: int) -> dict[str, Any] | None:
        """Take one notice for this sender, or None when another sender has it (or it is done)."""
        with self.ctx.db.unit_of_work(write=True) as s:
            claimed = s.execute(update(Notification).where(Notification.id == notification_id, self._waiting())
                                .values(status="sending", attempts=Notification.attempts + 1, claimed_at=utcnow())
                                .execution_options(synchronize_session=False))
            if claimed.rowcount != 1:
                return None
            n = s.get(Notification, notification_id)
            notice = {"recipient": n.recipient, "subject": n.subject, "body": n.body}
            s.commit()
            return notice


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {detail}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
