from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Body, Depends, Request, status

from ..accounts.mails import queue
from ..accounts.service import verification_mail
from ..core.database import DbSession
from ..core.errors import DESCRIPTIONS, ApiError, error_responses
from ..core.rate_limit import client_ip, limit, limit_registrations
from . import service
from .dependencies import AppSettings, CurrentUser, Passwords
from .passwords import password_problems
from .schemas import (
    PatchedUserRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    TokenRequest,
    User,
)

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/register",
    summary="Create an account",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(limit_registrations)],
    responses=error_responses(400, 413, 415, 429, 503),
)
async def register(
    body: RegisterRequest,
    session: DbSession,
    settings: AppSettings,
    passwords: Passwords,
    background: BackgroundTasks,
) -> User:
    """Creates the account and mails the link that verifies its address (accounts/)."""
    if problems := password_problems(body.password, body.model_dump()):
        raise ApiError(400, "validation_error", DESCRIPTIONS[400], {"password": problems})
    user = await service.create_user(
        session, passwords, body.email, body.password, full_name=body.full_name
    )
    queue(background, verification_mail(settings, user))
    return User.model_validate(user)


@router.post(
    "/token",
    summary="Sign in: get an access and a refresh token",
    responses=error_responses(400, 401, 413, 415, 429, 503),
)
async def token(
    body: TokenRequest,
    request: Request,
    session: DbSession,
    settings: AppSettings,
    passwords: Passwords,
) -> TokenPair:
    # Per email and IP: guessing one account's password from one place is slow, and one
    # client's failures do not lock the account's owner out elsewhere.
    await limit(request, "token", body.email.strip().lower(), client_ip(request))
    user = await service.authenticate(session, passwords, body.email, body.password)
    if user is None:
        raise ApiError(
            401, "authentication_failed", "No active account found with the given credentials."
        )
    if settings.require_verified_email and not user.email_verified:
        raise ApiError(
            401,
            "authentication_failed",
            "Verify your email address first: open the link in the email we sent you.",
        )
    return await service.issue_tokens(session, settings, user.id)


@router.post(
    "/refresh",
    summary="Refresh the tokens",
    responses=error_responses(400, 401, 413, 415, 429, 503),
)
async def refresh(
    body: RefreshRequest, request: Request, session: DbSession, settings: AppSettings
) -> TokenPair:
    family = await service.refresh_family(session, settings, body.refresh)
    # Per family: one sign-in's refreshes, wherever they come from; an unreadable token counts
    # against the client's IP.
    await limit(request, "refresh", f"family:{family}" if family else f"ip:{client_ip(request)}")
    return await service.rotate_tokens(session, settings, body.refresh)


@router.post(
    "/logout",
    summary="Sign out: revoke a refresh token",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(400, 401, 413, 415, 503),
)
async def logout(body: RefreshRequest, session: DbSession, settings: AppSettings) -> None:
    """Revokes the refresh token; the short-lived access token simply expires."""
    await service.revoke_refresh_token(session, settings, body.refresh)


@router.get("/me", summary="Read your profile", responses=error_responses(401, 503))
async def read_me(user: CurrentUser) -> User:
    return User.model_validate(user)


@router.patch(
    "/me",
    summary="Update your profile",
    responses=error_responses(400, 401, 413, 415, 503),
)
async def update_me(
    # May be left out altogether (changing nothing), as drf's PATCH allows.
    body: Annotated[PatchedUserRequest, Body(default_factory=PatchedUserRequest)],
    user: CurrentUser,
    session: DbSession,
) -> User:
    if body.full_name is not None:
        user.full_name = body.full_name
        await session.commit()
    return User.model_validate(user)
