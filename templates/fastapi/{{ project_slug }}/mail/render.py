"""Turns a template name and its context into an email message (plain text and HTML).

Each domain package keeps the mails it sends in its own templates/ folder (accounts/templates/),
as a Django app does; mail/templates/ holds what they share (_layout.html). Names form one
namespace: mail/templates/ first, then the packages in alphabetical order, the first match wins.
"""

from email.message import EmailMessage
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
PACKAGE = Path(__file__).resolve().parents[1]


@cache
def domain_templates() -> tuple[Path, ...]:
    """Every domain package's templates/ folder but the mail package's own."""
    mine = TEMPLATES.resolve()
    return tuple(path for path in sorted(PACKAGE.glob("*/templates")) if path.resolve() != mine)


@cache
def environment(*directories: Path) -> Environment:
    return Environment(
        loader=FileSystemLoader(directories),
        # Values in the HTML body are escaped (a name with <script> stays text); text is not.
        autoescape=select_autoescape(["html"]),
        # A context key the template names but nobody passed is an error, not a blank.
        undefined=StrictUndefined,
    )


def render_email(template: str, context: dict[str, Any], sender: str, to: str) -> EmailMessage:
    """<template>_subject.txt, <template>.txt and <template>.html, as one message."""
    templates = environment(TEMPLATES, *domain_templates())
    subject = templates.get_template(f"{template}_subject.txt").render(context)
    message = EmailMessage()
    # One line: a template's line breaks must not start new headers.
    message["Subject"] = " ".join(subject.split())
    message["From"] = sender
    message["To"] = to
    message.set_content(templates.get_template(f"{template}.txt").render(context))
    message.add_alternative(
        templates.get_template(f"{template}.html").render(context), subtype="html"
    )
    return message
