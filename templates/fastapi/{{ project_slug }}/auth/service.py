"""What the auth endpoints do, without HTTP, so commands and tests can reuse it."""

from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.database import MAX_ID, utcnow
from ..core.errors import ApiError, field_error
from ..core.security import (
    InvalidToken,
    PasswordHasher,
    decode_token,
    encode_token,
    token_user_id,
)
from ..core.settings import Settings
from .models import RefreshToken, User
from .schemas import TokenPair

DUPLICATE_EMAIL = "A user with this email already exists."
REVOKED = "The refresh token has been revoked or has expired."
JTI_LENGTH = RefreshToken.jti.type.length  # type: ignore[attr-defined]


def token_not_valid(detail: str = "The token is not valid or has expired.") -> ApiError:
    return ApiError(401, "token_not_valid", detail)


async def create_user(
    session: AsyncSession,
    passwords: PasswordHasher,
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
        hashed_password=await passwords.hash(password),
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
    session: AsyncSession, passwords: PasswordHasher, email: str, password: str
) -> User | None:
    user = await session.scalar(select(User).where(User.email == email.lower()))
    if user is None:
        await passwords.hash(password)  # a real check's cost, so timing does not reveal emails
        return None
    valid, new_hash = await passwords.verify_and_update(password, user.hashed_password)
    if not valid or not user.is_active:
        return None
    if new_hash:  # the hashing parameters changed since this password was stored
        user.hashed_password = new_hash
        await session.commit()
    return user


async def issue_tokens(
    session: AsyncSession, settings: Settings, user_id: int, family: str | None = None
) -> TokenPair:
    """A new access and refresh token; the refresh token joins `family`, or starts one."""
    access, _, _ = encode_token(settings, user_id, "access")
    refresh, jti, expires_at = encode_token(settings, user_id, "refresh")
    session.add(RefreshToken(jti=jti, family=family or jti, user_id=user_id, expires_at=expires_at))
    await session.commit()
    return TokenPair(access=access, refresh=refresh)


async def active_user(session: AsyncSession, user_id: int | None) -> User:
    """The active user a token names; token_not_valid if deleted, deactivated or never was."""
    user = await session.get(User, user_id) if user_id and user_id <= MAX_ID else None
    if user is None or not user.is_active:
        raise token_not_valid("The user of this token is no longer active.")
    return user


def _refresh_claims(settings: Settings, refresh: str) -> dict:
    try:
        claims = decode_token(settings, refresh, "refresh")
    except InvalidToken as error:
        raise token_not_valid() from error
    if len(str(claims["jti"])) > JTI_LENGTH:  # not one of ours, nor storable as one
        raise token_not_valid()
    return claims


async def refresh_family(session: AsyncSession, settings: Settings, refresh: str) -> str | None:
    """The family a refresh token belongs to (the rate limit's key); None if it is unreadable.
    A token with no record (another stack's, or signed before its family) is its own family."""
    try:
        jti = str(_refresh_claims(settings, refresh)["jti"])
    except ApiError:
        return None
    family = await session.scalar(select(RefreshToken.family).where(RefreshToken.jti == jti))
    return family or jti


async def _revoke_family(session: AsyncSession, family: str) -> ApiError:
    """Reuse of a spent token: revoke every token of its family (whoever holds the newest one
    loses it too, thief or owner), and say the token is not valid."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    await session.commit()
    return token_not_valid(REVOKED)


async def _spend(session: AsyncSession, settings: Settings, refresh: str) -> tuple[User, str]:
    """Marks a live refresh token revoked and returns its active user and its family; anything
    else is token_not_valid, and a token that was already revoked revokes its family.

    One conditional UPDATE decides, so of N concurrent requests with one token exactly one wins
    (PostgreSQL makes the others wait on the row, then re-checks the condition; SQLite runs one
    writer at a time). A valid token this app never recorded (another stack's with the same key,
    as simplejwt's blacklist allows) is recorded as revoked on its first use: the unique jti
    decides that race."""
    claims = _refresh_claims(settings, refresh)
    user = await active_user(session, token_user_id(claims))
    jti = str(claims["jti"])
    stored = await session.scalar(select(RefreshToken).where(RefreshToken.jti == jti))
    if stored is None:
        expires_at = datetime.fromtimestamp(claims["exp"], UTC)
        session.add(
            RefreshToken(
                jti=jti, family=jti, user_id=user.id, expires_at=expires_at, revoked_at=utcnow()
            )
        )
        try:
            await session.flush()
        except IntegrityError:  # the same token presented twice at once: the other one won
            await session.rollback()
            raise await _revoke_family(session, jti) from None
        return user, jti
    if stored.expires_at <= utcnow():
        raise token_not_valid(REVOKED)
    spent = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == stored.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise await _revoke_family(session, stored.family)
    return user, stored.family


async def rotate_tokens(session: AsyncSession, settings: Settings, refresh: str) -> TokenPair:
    """Spends the refresh token and issues a new pair in its family: each works once."""
    user, family = await _spend(session, settings, refresh)
    return await issue_tokens(session, settings, user.id, family)


async def revoke_refresh_token(session: AsyncSession, settings: Settings, refresh: str) -> None:
    """Sign-out: the token is spent, so presenting it again later is reuse."""
    await _spend(session, settings, refresh)
    await session.commit()


async def delete_expired_refresh_tokens(session: AsyncSession) -> int:
    """Deletes the records of refresh tokens past their expiry (revoked or not); the number.

    A revoked token's record stays until it expires: presenting a spent token revokes its
    family only while its record says it was spent (deleted, it would pass as a token this app
    never recorded). Once expired, its signature check refuses it anyway."""
    deleted = await session.execute(
        delete(RefreshToken)
        .where(RefreshToken.expires_at <= utcnow())
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return deleted.rowcount
