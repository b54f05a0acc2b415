"""Stream tickets: how a browser's EventSource, which cannot send an Authorization header, opens
the stream.

A ticket is a JWT signed with the shared key, like the core's tokens, but of its own type
("stream_ticket") and for its own audience: the core (simplejwt checks token_type) and this
service's bearer authentication refuse it, so it opens the stream and nothing else. It travels
in the URL (?ticket=), where proxies and servers may log it: it lives TICKET_SECONDS, and it
carries the expiry of the access token that minted it, so the stream still ends then.
"""

from __future__ import annotations

import time
import uuid

import jwt

from realtime.auth import Credential, decode, user_id_of
from realtime.errors import ApiError

TICKET_TYPE = "stream_ticket"
AUDIENCE = "realtime:events_stream"
TICKET_SECONDS = 30


def mint(access: Credential, signing_key: str) -> tuple[str, int]:
    """A ticket for the user of this access token, and its lifetime in seconds: TICKET_SECONDS,
    or less when the access token expires sooner."""
    now = int(time.time())
    expires_at = min(now + TICKET_SECONDS, access.expires_at)
    claims = {
        "token_type": TICKET_TYPE,
        "aud": AUDIENCE,
        "user_id": str(access.user_id),  # a string, as in the core's tokens
        "iat": now,
        "exp": expires_at,
        "jti": uuid.uuid4().hex,
        "access_exp": access.expires_at,
    }
    return jwt.encode(claims, signing_key, algorithm="HS256"), expires_at - now


def read(ticket: str, signing_key: str) -> Credential:
    """Who a valid ticket names; the credential expires when the minting access token does."""
    claims = decode(ticket, signing_key, TICKET_TYPE, audience=AUDIENCE)
    access_expires_at = claims.get("access_exp")
    if not isinstance(access_expires_at, int) or access_expires_at <= time.time():
        raise ApiError(401, "token_not_valid", "The access token behind this ticket has expired.")
    return Credential(user_id_of(claims), access_expires_at)
