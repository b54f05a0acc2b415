"""What the auth endpoints do, without HTTP, so commands and tests can reuse it."""

from datetime import UTC, datetime

from pwdlib import PasswordHash
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.database import MAX_ID, utcnow
from ..core.errors import ApiError, field_error
from ..core.security import InvalidToken, decode_token, encode_token, token_user_id
from ..core.settings import Settings
from .models import RefreshToken, User
from .schemas import TokenPair

DUPLICATE_EMAIL = "A user with this email already exists."
JTI_LENGTH = RefreshToken.jti.type.length  # type: ignore[attr-defined]


def token_not_valid(detail: str = "The token is not valid or has expired.") -> ApiError:
    return ApiError(401, "token_not_valid", detail)


async def create_user(
    session: AsyncSession,
    passwords: PasswordHash,
    email: str,
    password: str,
    full_name: str = "",
    is_staff: bool = False,
) -> User:
    email = email.lower()
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise field_error("email", DUPLICATE_EMAIL)
    user = User(
        email=email,
        hashed_password=passwords.hash(password),
        full_name=full_name,
        is_staff=is_staff,
    )
    session.add(user)
    try:
        await session.commit()
    except IntegrityError as error:  # a concurrent registration won the race
        await session.rollback()
        raise field_error("email", DUPLICATE_EMAIL) from error
    return user


async def authenticate(
    session: AsyncSession, passwords: PasswordHash, email: str, password: str
) -> User | None:
    user = await session.scalar(select(User).where(User.email == email.lower()))
    if user is None:
        passwords.hash(password)  # same cost as a real check, so timing does not reveal emails
        return None
    valid, new_hash = passwords.verify_and_update(password, user.hashed_password)
    if not valid or not user.is_active:
        return None
    if new_hash:  # the hashing parameters changed since this password was stored
        user.hashed_password = new_hash
        await session.commit()
    return user


async def issue_tokens(session: AsyncSession, settings: Settings, user_id: int) -> TokenPair:
    access, _, _ = encode_token(settings, user_id, "access")
    refresh, jti, expires_at = encode_token(settings, user_id, "refresh")
    session.add(RefreshToken(jti=jti, user_id=user_id, expires_at=expires_at))
    await session.commit()
    return TokenPair(access=access, refresh=refresh)


async def active_user(session: AsyncSession, user_id: int | None) -> User:
    """The active user a token names; token_not_valid if deleted, deactivated or never was."""
    user = await session.get(User, user_id) if user_id and user_id <= MAX_ID else None
    if user is None or not user.is_active:
        raise token_not_valid("The user of this token is no longer active.")
    return user


async def _revoke(session: AsyncSession, settings: Settings, refresh: str) -> User:
    """Marks a live refresh token revoked and returns its active user; anything else is
    token_not_valid. A valid token this app never issued (another stack with the same key, as
    simplejwt's blacklist allows) is recorded as revoked on first use."""
    try:
        claims = decode_token(settings, refresh, "refresh")
    except InvalidToken as error:
        raise token_not_valid() from error
    user = await active_user(session, token_user_id(claims))
    jti = str(claims["jti"])
    stored = await session.scalar(
        select(RefreshToken).where(RefreshToken.jti == jti).with_for_update()
    )
    if stored is None and len(jti) <= JTI_LENGTH:
        expires_at = datetime.fromtimestamp(claims["exp"], UTC)
        stored = RefreshToken(jti=jti, user_id=user.id, expires_at=expires_at)
        session.add(stored)
    elif stored is None or stored.revoked_at is not None or stored.expires_at <= utcnow():
        raise token_not_valid("The refresh token has been revoked or has expired.")
    stored.revoked_at = utcnow()
    try:
        await session.flush()
    except IntegrityError as error:  # the same foreign token used twice at once
        await session.rollback()
        raise token_not_valid("The refresh token has been revoked or has expired.") from error
    return user


async def rotate_tokens(session: AsyncSession, settings: Settings, refresh: str) -> TokenPair:
    """Revokes the refresh token and issues a new pair: each refresh token works once."""
    user = await _revoke(session, settings, refresh)
    return await issue_tokens(session, settings, user.id)


async def revoke_refresh_token(session: AsyncSession, settings: Settings, refresh: str) -> None:
    await _revoke(session, settings, refresh)
    await session.commit()
