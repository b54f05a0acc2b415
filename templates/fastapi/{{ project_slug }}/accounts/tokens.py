"""Signed, stateless tokens for the account emails: nothing is stored, so nothing to clean up.

A token is `<user id>:<issued at>[:<payload>]:<signature>`, in URL-safe characters only. The
signature is an HMAC-SHA256 with a key derived from SECRET_KEY and the token's purpose (a reset
token is never a verification token), over the fields and a fingerprint of the user's state the
token is bound to: the password hash for a reset, the email and its verification for a
verification, the email and the password hash for an email change. Changing that state, which
using the token does, kills the token: each works once, and a reset link dies when the password
changes any other way. Tokens expire after their purpose's lifetime (settings)."""

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ..auth.models import User

Purpose = Literal["verify_email", "password_reset", "email_change"]
# What each purpose binds its tokens to: the user's state that using the token changes.
STATE: dict[Purpose, Callable[[User], str]] = {
    "verify_email": lambda user: f"{user.email}|{user.email_verified}",
    "password_reset": lambda user: user.hashed_password,
    "email_change": lambda user: f"{user.email}|{user.hashed_password}",
}


class InvalidLink(Exception):
    """A token that is malformed, forged, expired, or stale (its user's state changed)."""


@dataclass(frozen=True)
class Claims:
    """What a well-formed token says; check_state then checks its signature against the user."""

    user_id: int
    payload: str
    fields: str  # what the signature covers, besides the state
    signature: str


def _b64encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def _b64decode(text: str) -> str:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except ValueError as error:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise InvalidLink from error


def _signature(secret_key: str, purpose: Purpose, fields: str, state: str) -> str:
    key = hashlib.sha256(f"stackwise.accounts.{purpose}|{secret_key}".encode()).digest()
    digest = hmac.new(key, f"{fields}|{state}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_token(secret_key: str, purpose: Purpose, user: User, payload: str = "") -> str:
    """A token for `user` and `purpose`; `payload` travels in it (the new email of a change)."""
    fields = f"{user.id}:{int(time.time())}" + (f":{_b64encode(payload)}" if payload else "")
    return f"{fields}:{_signature(secret_key, purpose, fields, STATE[purpose](user))}"


def read_token(token: str, max_age_seconds: int) -> Claims:
    """The claims of a token that is well formed and not expired; the signature is checked
    against the user's state by check_state, once the user is loaded."""
    parts = token.split(":")
    if len(parts) not in (3, 4) or not all(part.isascii() for part in parts):
        raise InvalidLink
    user_id, issued_at, signature = parts[0], parts[1], parts[-1]
    if not (user_id.isdigit() and issued_at.isdigit()) or len(user_id) > 19:
        raise InvalidLink
    # A minute of clock skew allowed between the servers that sign and check.
    if not -60 <= time.time() - int(issued_at) <= max_age_seconds:
        raise InvalidLink
    payload = _b64decode(parts[2]) if len(parts) == 4 else ""
    return Claims(int(user_id), payload, token.rpartition(":")[0], signature)


def check_state(secret_key: str, purpose: Purpose, claims: Claims, user: User) -> None:
    """InvalidLink unless the token was signed by us for this purpose, user and state."""
    expected = _signature(secret_key, purpose, claims.fields, STATE[purpose](user))
    if not hmac.compare_digest(expected, claims.signature):
        raise InvalidLink
