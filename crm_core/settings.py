"""Office-wide settings kept in the database (``session.settings``): today the SMTP server.

Settings are shared by every workstation, so they live in ``app_settings``
(one JSON value per key, versioned like any shared record). Secrets never do:
the SMTP password stays on the machines that send mail (see :mod:`crm_core.mail`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from crm_core.db.base import utcnow
from crm_core.errors import ConcurrencyConflict, ErrorCollector
from crm_core.i18n import Text
from crm_core.models import AppSetting
from crm_core.permissions import Action
from crm_core.services.audit import write_audit
from crm_core.services.context import Context
from crm_core.validation import FieldProblem, normalize_email

SECURITY = {"starttls": Text("STARTTLS", "STARTTLS"), "ssl": Text("SSL/TLS", "SSL/TLS"),
            "none": Text("不加密", "None")}


@dataclass(frozen=True)
class SmtpSettings:
    """How this office sends e-mail. ``username`` empty: the server relays without a login."""

    host: str = ""
    port: int = 25
    security: str = "starttls"  # "starttls" | "ssl" | "none"
    sender: str = ""
    username: str = ""
    timeout: int = 20
    version: int = 0  # 0: never saved

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    def as_values(self) -> dict[str, Any]:
        values = asdict(self)
        values.pop("version")
        return values


class SettingsService:
    """Read (everyone) and change (administrators) the office-wide settings."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def smtp(self) -> SmtpSettings:
        """The SMTP server settings (defaults when never saved)."""
        self.ctx.refresh_actor()
        with self.ctx.db.unit_of_work(write=False) as s:
            row = s.get(AppSetting, "smtp")
            if row is None:
                return SmtpSettings()
            known = {k: v for k, v in row.value.items() if k in SmtpSettings.__dataclass_fields__}
            return SmtpSettings(**known, version=row.version)

    def save_smtp(self, values: dict[str, Any], *, version: int) -> SmtpSettings:
        """Validate and store the SMTP settings read at ``version`` (0: never saved).

        Raises:
            PermissionDenied: only administrators change them.
            ValidationError: host, port, security, sender or user name is wrong.
            ConcurrencyConflict: another administrator saved them since.
        """
        self.ctx.require("users", Action.ADMIN)
        clean = _validated_smtp(values)
        with self.ctx.db.unit_of_work(write=True) as s:
            row = s.get(AppSetting, "smtp", with_for_update=True)
            current = row.version if row is not None else 0
            if current != version:
                raise ConcurrencyConflict(Text("邮件服务器设置已被其他管理员修改，请重新打开后再保存。",
                                               "Another administrator changed the mail settings; reopen them and save again."),
                                          module="settings", record_id=0,
                                          current=row.value if row is not None else None)
            before = dict(row.value) if row is not None else None
            if row is None:
                row = AppSetting(key="smtp", value=clean, updated_by_id=self.ctx.actor.user_id)
                s.add(row)
            else:
                row.value, row.updated_at, row.updated_by_id = clean, utcnow(), self.ctx.actor.user_id
            s.flush()
            write_audit(s, self.ctx.actor, "update", "settings", None, before, {"smtp": clean})
            saved = SmtpSettings(**clean, version=row.version)
            s.commit()
        return saved


def _validated_smtp(values: dict[str, Any]) -> dict[str, Any]:
    errors = ErrorCollector()
    host = str(values.get("host") or "").strip()
    if not host:
        errors.add("host", "required", Text("SMTP 服务器：不能为空", "SMTP server: is required"))
    elif len(host) > 253 or any(c.isspace() or ord(c) < 32 for c in host):
        errors.add("host", "format", Text("SMTP 服务器：不是有效的主机名", "SMTP server: is not a valid host name"))
    try:
        port = int(str(values.get("port") or "").strip())
        if not 1 <= port <= 65535:
            raise ValueError
    except ValueError:
        port = 0
        errors.add("port", "range", Text("端口：应为 1 到 65535 的整数", "Port: must be a whole number from 1 to 65535"))
    security = str(values.get("security") or "starttls")
    if security not in SECURITY:
        errors.add("security", "choice", Text("加密方式：无效", "Security: is not a valid choice"))
    sender = str(values.get("sender") or "").strip()
    if not sender:
        errors.add("sender", "required", Text("发件人地址：不能为空", "Sender address: is required"))
    else:
        try:
            sender = normalize_email(sender)
        except FieldProblem:
            errors.add("sender", "format", Text("发件人地址：不是有效的 Email", "Sender address: is not a valid e-mail address"))
    username = str(values.get("username") or "").strip()
    if len(username) > 254:
        errors.add("username", "too_long", Text("用户名：不能超过 254 个字符", "User name: must be at most 254 characters"))
    try:
        timeout = int(values.get("timeout") or 20)
        if not 1 <= timeout <= 300:
            raise ValueError
    except (TypeError, ValueError):
        timeout = 20
        errors.add("timeout", "range", Text("超时：应为 1 到 300 秒", "Timeout: must be 1 to 300 seconds"))
    errors.raise_if_any()
    return {"host": host, "port": port, "security": security, "sender": sender, "username": username,
            "timeout": timeout}
