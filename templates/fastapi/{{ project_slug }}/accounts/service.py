"""What the account endpoints do, without HTTP: check a token, change the user, say what to mail."""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.models import RefreshToken, User
from ..auth.passwords import password_problems
from ..auth.service import DUPLICATE_EMAIL
from ..core.database import MAX_ID, utcnow
from ..core.errors import DESCRIPTIONS, ApiError, field_error
from ..core.security import PasswordHasher
from ..core.settings import Settings
from .mails import Mail
from .tokens import InvalidLink, Purpose, check_state, make_token, read_token

INVALID_LINK = "This link is invalid or has expired."
WRONG_PASSWORD = "The password is not correct."
# The frontend's page each email links to: {FRONTEND_URL}/<page>?token=...
PAGES: dict[Purpose, str] = {
    "verify_email": "verify-email",
    "password_reset": "reset-password",
    "email_change": "confirm-email-change",
}


def lifetime(settings: Settings, purpose: Purpose) -> tuple[int, str]:
    """(seconds, in words) a token of `purpose` is valid for."""
    if purpose == "password_reset":
        minutes = settings.password_reset_minutes
        return minutes * 60, f"{minutes} minutes"
    hours = (
        settings.email_verification_hours
        if purpose == "verify_email"
        else settings.email_change_hours
    )
    return hours * 3600, f"{hours} hours"


def link_mail(settings: Settings, purpose: Purpose, user: User, to: str, payload: str = "") -> Mail:
    token = make_token(settings.secret_key, purpose, user, payload)
    link = f"{settings.frontend_url.rstrip('/')}/{PAGES[purpose]}?token={token}"
    context = {"link": link, "email": to, "valid_for": lifetime(settings, purpose)[1]}
    return Mail(to=to, template=purpose, context=context)


async def user_of_token(
    session: AsyncSession, settings: Settings, purpose: Purpose, token: str
) -> tuple[User, str]:
    """The active user a live token of `purpose` names, and its payload; a 400 on `token` for a
    token that is malformed, forged, expired or stale (used, or its user changed since)."""
    try:
        claims = read_token(token, lifetime(settings, purpose)[0])
        user = await session.get(User, claims.user_id) if claims.user_id <= MAX_ID else None
        if user is None or not user.is_active:
            raise InvalidLink
        check_state(settings.secret_key, purpose, claims, user)
    except InvalidLink as error:
        raise field_error("token", INVALID_LINK) from error
    return user, claims.payload


async def _change(session: AsyncSession, user: User, *unchanged: object, **values: object) -> None:
    """Writes `values` to the user only if the state the token was bound to is still there: of
    two requests with one token, exactly one wins (the other's link is stale)."""
    try:
        changed = await session.execute(
            update(User)
            .where(User.id == user.id, *unchanged)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    except IntegrityError:  # another account took the new email at the same moment
        await session.rollback()
        raise field_error("token", INVALID_LINK) from None
    if changed.rowcount != 1:
        await session.rollback()
        raise field_error("token", INVALID_LINK)


def verification_mail(settings: Settings, user: User) -> Mail | None:
    """The verification email for the user's address; None when it is verified already, or
    the account is deactivated (its links never work)."""
    if user.email_verified or not user.is_active:
        return None
    return link_mail(settings, "verify_email", user, user.email)


async def verify_email(session: AsyncSession, settings: Settings, token: str) -> None:
    user, _ = await user_of_token(session, settings, "verify_email", token)
    unchanged = (User.email == user.email, User.email_verified.is_(False))
    await _change(session, user, *unchanged, email_verified=True)
    await session.commit()


async def password_reset_mail(session: AsyncSession, settings: Settings, email: str) -> Mail | None:
    """The reset email for the account of `email`, if there is an active one. Both cases do the
    same work before the answer (one query; the mail goes after it): nothing tells them apart."""
    user = await session.scalar(select(User).where(User.email == email.lower()))
    return None if user is None else reset_mail(settings, user)


def reset_mail(settings: Settings, user: User) -> Mail | None:
    """The reset email for the user; None for a deactivated account (its links never work)."""
    if not user.is_active:
        return None
    return link_mail(settings, "password_reset", user, user.email)


async def revoke_refresh_tokens(session: AsyncSession, user_id: int) -> None:
    """Signs the user out everywhere: every refresh token they hold stops working."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def reset_password(
    session: AsyncSession,
    settings: Settings,
    passwords: PasswordHasher,
    token: str,
    password: str,
) -> None:
    """Sets the new password and revokes every refresh token of the user, in one transaction."""
    user, _ = await user_of_token(session, settings, "password_reset", token)
    if problems := password_problems(password, {"email": user.email, "full_name": user.full_name}):
        raise ApiError(400, "validation_error", DESCRIPTIONS[400], {"password": problems})
    old_hash = user.hashed_password
    new_hash = await passwords.hash(password)
    await _change(session, user, User.hashed_password == old_hash, hashed_password=new_hash)
    await revoke_refresh_tokens(session, user.id)
    await session.commit()


async def email_change_mail(
    session: AsyncSession,
    settings: Settings,
    passwords: PasswordHasher,
    user: User,
    email: str,
    password: str,
) -> Mail:
    """The confirmation email to the new address, once the password proves it is the user."""
    valid, _ = await passwords.verify_and_update(password, user.hashed_password)
    if not valid:
        raise field_error("password", WRONG_PASSWORD)
    email = email.lower()
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise field_error("email", DUPLICATE_EMAIL)
    return link_mail(settings, "email_change", user, email, payload=email)


async def change_email(session: AsyncSession, settings: Settings, token: str) -> Mail:
    """Moves the user to the confirmed address (verified: the link reached it); returns the
    notice for the old address, so its owner learns of a change they did not make."""
    user, new_email = await user_of_token(session, settings, "email_change", token)
    old_email = user.email
    if await session.scalar(select(User.id).where(User.email == new_email)) is not None:
        raise field_error("token", INVALID_LINK)  # taken since the link was sent
    unchanged = (User.email == old_email, User.hashed_password == user.hashed_password)
    await _change(session, user, *unchanged, email=new_email, email_verified=True)
    await session.commit()
    return Mail(old_email, "email_changed", {"email": old_email, "new_email": new_email})
