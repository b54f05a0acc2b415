"""send_email: the one way code sends an email (a stand-in for the task queue's task).

Call it as the queue's task is called, `send_email.delay(to=..., template=..., context=...)`,
from a thread, never on the event loop: here it renders and sends at once (the eager mode of a
queue with no broker), which blocks on SMTP. The templates are `<template>_subject.txt`,
`<template>.txt` and `<template>.html` in any domain package's `templates/` folder."""

import smtplib
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..core.settings import get_settings

PACKAGE_DIR = Path(__file__).resolve().parents[1]
templates = Environment(
    loader=FileSystemLoader(sorted(PACKAGE_DIR.glob("*/templates"))),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,  # a missing variable is an error, not an empty link
    keep_trailing_newline=True,
)


def render(to: str, template: str, context: dict) -> EmailMessage:
    settings = get_settings()
    message = EmailMessage()
    subject = templates.get_template(f"{template}_subject.txt").render(context)
    message["Subject"] = " ".join(subject.split())  # one line, whatever the template holds
    message["From"] = settings.default_from_email
    message["To"] = to
    message.set_content(templates.get_template(f"{template}.txt").render(context))
    message.add_alternative(templates.get_template(f"{template}.html").render(context), "html")
    return message


def deliver(message: EmailMessage, email_url: str) -> None:
    """console:// prints; smtp://, smtp+tls:// (STARTTLS) and smtp+ssl:// send."""
    url = urlsplit(email_url)
    if url.scheme == "console":  # readable: the headers, then each body decoded
        headers = "".join(f"{name}: {value}\n" for name, value in message.items())
        bodies = [part.get_content() for part in message.iter_parts()]
        print(headers, *bodies, sep="\n", flush=True)
        return
    if url.scheme not in ("smtp", "smtp+tls", "smtp+ssl"):
        raise ValueError(f"EMAIL_URL: unknown scheme {url.scheme!r}")
    host = url.hostname or "localhost"
    port = url.port or {"smtp": 25, "smtp+tls": 587, "smtp+ssl": 465}[url.scheme]
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtp+ssl" else smtplib.SMTP
    with smtp_class(host, port, timeout=30) as smtp:
        if url.scheme == "smtp+tls":
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(message)


class SendEmail:
    """The task's calling convention: .delay(to=..., template=..., context=...)."""

    def delay(self, to: str, template: str, context: dict) -> None:
        deliver(render(to, template, context), get_settings().email_url)


send_email = SendEmail()
