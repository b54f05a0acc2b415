"""The tokens the account emails carry: signed, expiring, and bound to the state they were issued
for, so that each works once.

A token is Django's TimestampSigner output (URL-safe base64 and `:`), salted per purpose, over the
user's id, a hash of the state it is bound to and, for an email change, the new address. Nothing
is stored: a token dies when its time is up or when the state it was bound to changes, and using
it changes that state (verifying sets email_verified, a reset changes the password hash, an
email change the email), so a used token is a stale one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from ..users.models import User


@dataclass(frozen=True)
class Purpose:
    salt: str
    # Read from the settings when a token is checked, so a changed setting applies at once.
    lifetime: Callable[[], timedelta]
    state: Callable[[User], str]  # what a token of this purpose is bound to


VERIFY_EMAIL = Purpose(
    "accounts.verify_email",
    lambda: timedelta(hours=settings.EMAIL_VERIFICATION_HOURS),
    lambda user: f"{user.email}|{user.email_verified}",
)
PASSWORD_RESET = Purpose(
    "accounts.password_reset",
    lambda: timedelta(minutes=settings.PASSWORD_RESET_MINUTES),
    lambda user: f"{user.email}|{user.password}",
)
EMAIL_CHANGE = Purpose(
    "accounts.email_change",
    lambda: timedelta(hours=settings.EMAIL_CHANGE_HOURS),
    lambda user: f"{user.email}|{user.password}",
)


class InvalidToken(Exception):
    """Used, expired, forged or stale: the client sees one answer for all of them."""


def state_hash(purpose: Purpose, user: User) -> str:
    # An HMAC, not a plain hash: the payload is readable, and the state holds the password hash.
    return salted_hmac(purpose.salt, purpose.state(user)).hexdigest()[:32]


def make(purpose: Purpose, user: User, **extra: str) -> str:
    payload = {"user": user.pk, "state": state_hash(purpose, user), **extra}
    return signing.dumps(payload, salt=purpose.salt, compress=True)


def read(purpose: Purpose, token: str) -> tuple[User, dict]:
    """The active user the token is for, and its payload; InvalidToken otherwise. Inside a
    transaction the user's row stays locked until it ends, so that of two requests using one
    token at once, the second sees the state the first left: stale."""
    try:
        payload = signing.loads(token, salt=purpose.salt, max_age=purpose.lifetime())
    except signing.BadSignature as error:  # SignatureExpired is one too
        raise InvalidToken from error
    if not isinstance(payload, dict):
        raise InvalidToken
    in_transaction = transaction.get_connection().in_atomic_block
    users = User.objects.select_for_update() if in_transaction else User.objects
    user = users.filter(pk=payload.get("user"), is_active=True).first()
    if user is None or not constant_time_compare(
        str(payload.get("state")), state_hash(purpose, user)
    ):
        raise InvalidToken
    return user, payload
