"""The account emails (contract.md, "Account emails") walked over HTTP and SMTP only, so the same
walk runs against every stack: the API under `base`, its mail caught by a mailbox
(smtp_mailbox.py) that the server sends to, its links built from `frontend` (the server's
FRONTEND_URL)."""

from __future__ import annotations

import re
import uuid
from email.message import EmailMessage

from contract import RULES, assert_error
from harness import Response, http
from smtp_mailbox import Mailbox

ACCOUNT = RULES["account"]
PASSWORD = "correct-horse-battery-9"
NEW_PASSWORD = "another-horse-battery-7"
TOKEN = r"[A-Za-z0-9\-_.:]+"  # the contract's token_characters


def link_token(message: EmailMessage, frontend: str, link: str) -> str:
    """The token of the contract's `link` (verify_email, ...) in both bodies of the message."""
    prefix = ACCOUNT["links"][link].replace("{FRONTEND_URL}", frontend)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    found = re.search(rf"{re.escape(prefix)}({TOKEN})", text)
    assert found, (link, text)
    assert found.group(0) in html, (link, html)
    return found.group(1)


def post(base: str, path: str, body=None, token: str | None = None) -> Response:
    return http("POST", f"{base}/api/auth/{path}", body, token=token)


def sign_in(base: str, email: str, password: str) -> Response:
    return post(base, "token", {"email": email, "password": password})


def me(base: str, access: str) -> dict:
    reply = http("GET", f"{base}/api/auth/me", token=access)
    assert reply.status == 200, reply.text
    return reply.json()


def assert_invalid_token(reply: Response) -> None:
    invalid = ACCOUNT["invalid_token"]
    body = assert_error(reply, 400, invalid["field"], "validation_error")
    assert body["fields"][invalid["field"]] == [invalid["message"]], body


def walk_verification(base: str, mailbox: Mailbox, frontend: str, email: str) -> None:
    """Registration mails a verification link; its token verifies the address once."""
    created = post(base, "register", {"email": email, "password": PASSWORD})
    assert created.status == 201, created.text
    assert created.json()["email_verified"] is False
    token = link_token(mailbox.wait_for(email), frontend, "verify_email")
    # Unverified users may sign in by default (REQUIRE_VERIFIED_EMAIL=false).
    access = sign_in(base, email, PASSWORD).json()["access"]
    assert me(base, access)["email_verified"] is False

    assert post(base, "verify-email", {"token": token}).status == 204
    assert me(base, access)["email_verified"] is True
    assert_invalid_token(post(base, "verify-email", {"token": token}))  # used
    assert_invalid_token(post(base, "verify-email", {"token": token[:-2] + "xx"}))  # altered


def walk_password_reset(base: str, mailbox: Mailbox, frontend: str, email: str) -> None:
    """A reset asked for an unknown and a known address answers the same, mails only the
    account; its token sets a new password once and ends every sign-in."""
    sessions = [sign_in(base, email, PASSWORD).json()["refresh"] for _ in range(2)]
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    unknown = post(base, "password-reset", {"email": nobody})
    known = post(base, "password-reset", {"email": email.upper()})
    assert unknown.status == known.status == 202, (unknown.text, known.text)
    assert unknown.body == known.body
    token = link_token(mailbox.wait_for(email, count=2), frontend, "password_reset")
    # Asked first, so its mail (were there one) would have come first.
    assert mailbox.to(nobody) == []

    weak = post(base, "password-reset/confirm", {"token": token, "password": "12345678"})
    assert_error(weak, 400, "password", "validation_error")
    body = {"token": token, "password": NEW_PASSWORD}
    assert post(base, "password-reset/confirm", body).status == 204

    assert_error(sign_in(base, email, PASSWORD), 401, code="authentication_failed")
    assert sign_in(base, email, NEW_PASSWORD).status == 200
    for refresh in sessions:
        assert_error(post(base, "refresh", {"refresh": refresh}), 401, code="token_not_valid")
    assert_invalid_token(post(base, "password-reset/confirm", {**body, "password": "x-Third-42"}))


def walk_email_change(base: str, mailbox: Mailbox, frontend: str, email: str) -> str:
    """The new address confirms the change; the old one gets a notice. Returns the new one."""
    access = sign_in(base, email, NEW_PASSWORD).json()["access"]
    new_email = f"moved-{uuid.uuid4().hex[:8]}@example.com"
    wrong = post(base, "email-change", {"email": new_email, "password": PASSWORD}, access)
    wrong_password = ACCOUNT["wrong_password"]
    body = assert_error(wrong, 400, wrong_password["field"], "validation_error")
    assert body["fields"][wrong_password["field"]] == [wrong_password["message"]]
    asked = post(base, "email-change", {"email": new_email, "password": NEW_PASSWORD}, access)
    assert asked.status == 202, asked.text
    token = link_token(mailbox.wait_for(new_email), frontend, "email_change")
    assert me(base, access)["email"] == email  # nothing changes until confirmed

    assert post(base, "email-change/confirm", {"token": token}).status == 204
    notice = mailbox.wait_for(email, count=3)  # after the verification and the reset mails
    assert new_email in notice.get_body(("plain",)).get_content()
    assert (me(base, access)["email"], me(base, access)["email_verified"]) == (new_email, True)
    assert sign_in(base, new_email, NEW_PASSWORD).status == 200
    assert_error(sign_in(base, email, NEW_PASSWORD), 401, code="authentication_failed")
    assert_invalid_token(post(base, "email-change/confirm", {"token": token}))
    return new_email


def walk(base: str, mailbox: Mailbox, frontend: str) -> None:
    """Every account flow, for one new user."""
    email = f"account-{uuid.uuid4().hex[:8]}@example.com"
    walk_verification(base, mailbox, frontend, email)
    walk_password_reset(base, mailbox, frontend, email)
    walk_email_change(base, mailbox, frontend, email)
