"""The account emails (contract.md, "Account emails") walked over HTTP and SMTP only, so the same
walk runs against any stack: its production server sends the mails to an SMTP server the test
starts (Mailbox), and the walk follows the links in them as a frontend would."""

from __future__ import annotations

import email
import email.policy
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from contract import PASSWORD, RULES, assert_error, register_and_login, unique_email
from harness import free_port, http

ACCOUNT = RULES["account"]
INVALID_LINK = ACCOUNT["invalid_token"]["message"]
NEW_PASSWORD = "another-horse-battery-7"


class Mailbox:
    """An aiosmtpd handler keeping every message it receives, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    def wait(self, address: str, count: int = 1, timeout: float = 30) -> EmailMessage:
        """The `count`th mail to `address`, once it has arrived."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.to(address)) < count:
                left = deadline - time.monotonic()
                assert left > 0, (
                    f"no mail #{count} to {address}: {[m['To'] for m in self.messages]}"
                )
                self.arrived.wait(left)
            return self.to(address)[count - 1]

    def assert_quiet(self, address: str, count: int, seconds: float = 1.0) -> None:
        """No mail beyond the `count` ones to `address` arrives within `seconds`."""
        time.sleep(seconds)
        assert len(self.to(address)) == count, [m["Subject"] for m in self.to(address)]


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, str]]:
    """A real SMTP server on loopback; yields its mailbox and the EMAIL_URL that reaches it."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


def token_in(message: EmailMessage, flow: str) -> str:
    """The token of the link to the frontend in both bodies of a mail of `flow`."""
    prefix = ACCOUNT["links"][flow].replace("{FRONTEND_URL}", ACCOUNT["frontend_url_default"])
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    (line,) = [word for word in text.split() if word.startswith(prefix)]
    token = urllib.parse.unquote(line.removeprefix(prefix))
    assert token and all(c.isalnum() or c in "-_.:" for c in token), token
    assert f'href="{prefix}{token}"' in html
    return token


def post(base: str, path: str, body: dict | None = None, token: str | None = None):
    return http("POST", f"{base}/api/auth/{path}", body, token=token)


def me(base: str, access: str) -> dict:
    reply = http("GET", f"{base}/api/auth/me", token=access)
    assert reply.status == 200, reply.text
    return reply.json()


def assert_invalid_link(reply) -> None:
    body = assert_error(reply, 400, "token", "validation_error")
    assert body["fields"] == {"token": [INVALID_LINK]}, body


def walk_verification(base: str, mailbox: Mailbox) -> dict:
    """Register, receive the verification mail, verify: me says email_verified; the link works
    once. Returns the user's email and tokens."""
    address = unique_email("verify")
    tokens = register_and_login(base, address, PASSWORD)
    assert me(base, tokens["access"])["email_verified"] is False
    token = token_in(mailbox.wait(address), "verify_email")
    reply = post(base, "verify-email", {"token": token})
    assert reply.status == 204, reply.text
    assert me(base, tokens["access"])["email_verified"] is True
    assert_invalid_link(post(base, "verify-email", {"token": token}))
    # Verified: the resend answers 202 and sends nothing.
    assert post(base, "verify-email/resend", token=tokens["access"]).status == 202
    mailbox.assert_quiet(address, 1)
    return {"email": address, **tokens}


def walk_password_reset(base: str, mailbox: Mailbox) -> None:
    """Reset for a known and an unknown address (the same answer; one mail); reset with the
    mailed token; the old password and the old refresh tokens fail, the new password works, and
    the used token fails."""
    address = unique_email("reset")
    old = register_and_login(base, address, PASSWORD)
    mailbox.wait(address)  # the verification mail
    known = post(base, "password-reset", {"email": address.upper()})
    unknown = post(base, "password-reset", {"email": unique_email("nobody")})
    assert known.status == unknown.status == 202
    assert known.body == unknown.body
    token = token_in(mailbox.wait(address, 2), "password_reset")

    weak = post(base, "password-reset/confirm", {"token": token, "password": "password123"})
    assert assert_error(weak, 400, "password")["fields"] == {
        "password": ["This password is too common."]
    }
    reply = post(base, "password-reset/confirm", {"token": token, "password": NEW_PASSWORD})
    assert reply.status == 204, reply.text
    assert_error(post(base, "refresh", {"refresh": old["refresh"]}), 401, code="token_not_valid")
    wrong = post(base, "token", {"email": address, "password": PASSWORD})
    assert_error(wrong, 401, code="authentication_failed")
    assert post(base, "token", {"email": address, "password": NEW_PASSWORD}).status == 200
    again = post(base, "password-reset/confirm", {"token": token, "password": "third-horse-8"})
    assert_invalid_link(again)
    mailbox.assert_quiet(address, 2)


def walk_email_change(base: str, mailbox: Mailbox) -> None:
    """Change the email with the password; confirm from the new address; the old address gets a
    notice; sign-in moves to the new address, verified."""
    address, new_address = unique_email("change"), unique_email("changed")
    tokens = register_and_login(base, address, PASSWORD)
    mailbox.wait(address)
    wrong = post(
        base, "email-change", {"email": new_address, "password": "not-it"}, tokens["access"]
    )
    assert assert_error(wrong, 400, "password")["fields"] == {
        "password": [ACCOUNT["wrong_password"]["message"]]
    }
    body = {"email": new_address, "password": PASSWORD}
    assert post(base, "email-change", body, tokens["access"]).status == 202
    token = token_in(mailbox.wait(new_address), "email_change")
    assert me(base, tokens["access"])["email"] == address
    assert post(base, "email-change/confirm", {"token": token}).status == 204
    notice = mailbox.wait(address, 2)
    assert new_address in notice.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    profile = me(base, tokens["access"])
    assert profile["email"] == new_address and profile["email_verified"] is True
    assert post(base, "token", {"email": new_address, "password": PASSWORD}).status == 200
    old = post(base, "token", {"email": address, "password": PASSWORD})
    assert_error(old, 401, code="authentication_failed")
    assert_invalid_link(post(base, "email-change/confirm", {"token": token}))


def walk_accounts(base: str, mailbox: Mailbox) -> None:
    walk_verification(base, mailbox)
    walk_password_reset(base, mailbox)
    walk_email_change(base, mailbox)
