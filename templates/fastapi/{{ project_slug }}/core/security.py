"""Password hashing (Argon2 via pwdlib) and JWTs (PyJWT, HS256, algorithm pinned on decode).

Hashing runs in worker threads of its own, never on the event loop: one Argon2 hash is 0.2-0.5 s
of CPU, and on the loop it would stall every other request of the process for that long. At most
HASHING_THREADS hashes run at once per process (the rest wait their turn), because each takes
ARGON2_MEMORY_COST (64 MiB by default) while it runs: memory stays bounded under a burst of
sign-ins. The threads run at the lowest CPU priority (and so do the threads Argon2 starts for
its lanes), so that the event loop, answering everything else, is never queued behind them.

Tokens carry exactly the claims djangorestframework-simplejwt writes (token_type, exp, iat, jti,
and user_id as a string), so a token signed with the same key verifies on either stack."""

import asyncio
import contextlib
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from .settings import Settings

ALGORITHM = "HS256"
TokenType = Literal["access", "refresh"]
HASHING_THREADS = 2


class InvalidToken(Exception):
    """A token that is malformed, expired, forged or of the wrong type."""


def _lowest_priority() -> None:
    """Give the calling thread the lowest CPU priority, where the system has per-thread
    priorities (Linux); elsewhere hashing keeps the normal one, still off the loop."""
    # AttributeError: no os.setpriority (Windows); OSError: no per-thread priority (macOS).
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


class PasswordHasher:
    """Argon2 hashing and checking, awaited: each runs in one of the hashing threads."""

    def __init__(self, hasher: PasswordHash, threads: int = HASHING_THREADS) -> None:
        self.hasher = hasher
        self.threads = ThreadPoolExecutor(
            threads, thread_name_prefix="argon2", initializer=_lowest_priority
        )

    async def hash(self, password: str) -> str:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.threads, self.hasher.hash, password)

    async def verify_and_update(self, password: str, hashed: str) -> tuple[bool, str | None]:
        """(whether it matches, a new hash when the stored one used older parameters)."""
        check = self.hasher.verify_and_update
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.threads, check, password, hashed)


def password_hasher(settings: Settings) -> PasswordHasher:
    argon2 = Argon2Hasher(
        time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_cost
    )
    return PasswordHasher(PasswordHash((argon2,)))


def encode_token(
    settings: Settings, user_id: int, token_type: TokenType
) -> tuple[str, str, datetime]:
    """Returns (token, jti, expiry)."""
    now = datetime.now(UTC)
    lifetime = (
        timedelta(minutes=settings.access_token_minutes)
        if token_type == "access"
        else timedelta(days=settings.refresh_token_days)
    )
    jti = uuid.uuid4().hex
    claims = {
        "token_type": token_type,
        "exp": now + lifetime,
        "iat": now,
        "jti": jti,
        "user_id": str(user_id),
    }
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM), jti, now + lifetime


def decode_token(settings: Settings, token: str, token_type: TokenType) -> dict:
    try:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[ALGORITHM],
            options={"require": ["token_type", "exp", "iat", "jti", "user_id"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    if claims["token_type"] != token_type:
        raise InvalidToken(f"Expected an {token_type} token.")
    return claims


def token_user_id(claims: dict) -> int | None:
    """The user id a token names ("42" as simplejwt writes it, or 42); None if it names none."""
    user_id = str(claims["user_id"])
    return int(user_id) if user_id.isascii() and user_id.isdigit() else None
