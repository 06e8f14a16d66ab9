"""What a failed SMTP attempt means for the administrator, and what to do next.

The server's technical answer (exception class, SMTP code and text) goes to the log;
the message shown names the problem in words and the setting to check.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl

from crm_core.i18n import Text

log = logging.getLogger(__name__)


def explain_smtp_error(exc: BaseException, host: str, port: int) -> Text:
    """A readable message for ``exc`` raised while talking to ``host``:``port`` (the detail is logged)."""
    log.warning("SMTP %s:%s failed: %s: %s", host, port, type(exc).__name__, exc)
    where = f"{host}:{port}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return Text(f"邮件服务器 {where} 不支持 STARTTLS 加密。请把“加密方式”改为 SSL/TLS（端口通常是 465）"
                    "或“不加密”，或向邮件服务商确认正确的端口。",
                    f"The mail server {where} does not offer STARTTLS. Set Security to SSL/TLS (usually port 465) "
                    "or None, or ask the mail provider for the right port.")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return Text("邮件服务器拒绝了登录：用户名或密码不正确。请检查“用户名”和“密码”；有的邮箱需要使用授权码代替登录密码。",
                    "The mail server refused the login: wrong user name or password. Check both; some providers "
                    "want an app password instead of the mailbox password.")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return Text("邮件服务器拒收了收件地址。请检查收件人邮箱地址是否正确。",
                    "The mail server refused the recipient address. Check that the address is right.")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return Text("邮件服务器拒绝了发件地址。请把“发件地址”设为登录账号本身的邮箱地址。",
                    "The mail server refused the sender address. Set Sender address to the login's own address.")
    if isinstance(exc, ssl.SSLError):
        return Text(f"与邮件服务器 {where} 建立加密连接失败。请检查“加密方式”和端口是否匹配"
                    "（SSL/TLS 通常是 465，STARTTLS 通常是 587）。",
                    f"The secure connection to {where} failed. Check that Security and Port belong together "
                    "(SSL/TLS usually 465, STARTTLS usually 587).")
    if isinstance(exc, socket.timeout | TimeoutError):
        return Text(f"连接邮件服务器 {where} 超时。请检查服务器地址和端口，以及本机网络或防火墙是否允许连接。",
                    f"The mail server {where} did not answer in time. Check Server and Port, and that the network "
                    "or firewall lets this computer through.")
    if isinstance(exc, socket.gaierror):
        return Text(f"找不到邮件服务器“{host}”。请检查“服务器”地址是否拼写正确。",
                    f"The mail server “{host}” was not found. Check the spelling of Server.")
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError) or isinstance(exc, OSError) and \
            not isinstance(exc, smtplib.SMTPException):
        return Text(f"无法连接邮件服务器 {where}。请检查服务器地址和端口，或稍后再试。",
                    f"Could not connect to the mail server {where}. Check Server and Port, or try again later.")
    return Text("邮件服务器拒绝了这封邮件。详细原因已写入日志文件，请把它交给系统管理员或邮件服务商。",
                "The mail server refused the message. The details are in the log file; give it to your "
                "administrator or the mail provider.")
