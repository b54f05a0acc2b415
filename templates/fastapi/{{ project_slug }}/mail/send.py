"""Hands a message to EMAIL_URL's server, or prints it (console://)."""

import smtplib
import ssl
import sys
from email.message import EmailMessage

from ..core.email_url import EmailServer

TIMEOUT_SECONDS = 30


def deliver(message: EmailMessage, server: EmailServer) -> None:
    if server.scheme == "console":
        sys.stdout.write(f"{message.as_string()}\n{'-' * 79}\n")
        sys.stdout.flush()
        return
    tls = ssl.create_default_context()  # verifies the server's certificate and name
    if server.scheme == "smtp+ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            server.host, server.port, timeout=TIMEOUT_SECONDS, context=tls
        )
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
    with smtp:
        if server.scheme == "smtp+tls":
            smtp.starttls(context=tls)
        if server.username:
            smtp.login(server.username, server.password)
        smtp.send_message(message)


def is_transient(error: Exception) -> bool:
    """Whether sending again later may work: the server unreachable, busy or answering 4xx.
    A 5xx answer (bad credentials, recipient refused) or a missing STARTTLS will not change."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, OSError)  # refused, reset, timed out, name not resolved
