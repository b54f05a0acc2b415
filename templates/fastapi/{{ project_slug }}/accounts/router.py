"""The account endpoints (contract.md, "Account emails"), each rate limited in its own bucket."""

from fastapi import APIRouter, BackgroundTasks, Request, Response, status

from ..auth.dependencies import AppSettings, CurrentUser, Passwords
from ..core.database import DbSession
from ..core.errors import error_responses
from ..core.rate_limit import client_ip, limit
from . import service
from .mails import queue
from .schemas import (
    EmailChangeConfirmRequest,
    EmailChangeRequest,
    PasswordResetConfirmRequest,
    PasswordResetRequest,
    VerifyEmailRequest,
)

router = APIRouter(prefix="/auth", tags=["auth"])
NO_CONTENT = {"status_code": status.HTTP_204_NO_CONTENT, "response_class": Response}
ACCEPTED = {"status_code": status.HTTP_202_ACCEPTED, "response_class": Response}


@router.post(
    "/verify-email",
    summary="Verify your email address",
    responses=error_responses(400, 413, 415, 429, 503),
    **NO_CONTENT,
)
async def verify_email(
    body: VerifyEmailRequest, request: Request, session: DbSession, settings: AppSettings
) -> None:
    await limit(request, "verify_email", client_ip(request))
    await service.verify_email(session, settings, body.token)


@router.post(
    "/verify-email/resend",
    summary="Send the verification email again",
    responses=error_responses(401, 429, 503),
    **ACCEPTED,
)
async def resend_verification(
    request: Request, user: CurrentUser, settings: AppSettings, background: BackgroundTasks
) -> None:
    await limit(request, "verify_email_resend", f"user:{user.id}")
    queue(background, service.verification_mail(settings, user))


@router.post(
    "/password-reset",
    summary="Ask for a password reset email",
    responses=error_responses(400, 413, 415, 429, 503),
    **ACCEPTED,
)
async def password_reset(
    body: PasswordResetRequest,
    request: Request,
    session: DbSession,
    settings: AppSettings,
    background: BackgroundTasks,
) -> None:
    """202 whether or not the address has an account: the answer tells nobody which exist."""
    # Per email and IP: one address cannot be flooded with mails, nor one client probe many.
    await limit(request, "password_reset", body.email, client_ip(request))
    queue(background, await service.password_reset_mail(session, settings, body.email))


@router.post(
    "/password-reset/confirm",
    summary="Set a new password with a reset token",
    responses=error_responses(400, 413, 415, 429, 503),
    **NO_CONTENT,
)
async def password_reset_confirm(
    body: PasswordResetConfirmRequest,
    request: Request,
    session: DbSession,
    settings: AppSettings,
    passwords: Passwords,
) -> None:
    await limit(request, "password_reset_confirm", client_ip(request))
    await service.reset_password(session, settings, passwords, body.token, body.password)


@router.post(
    "/email-change",
    summary="Ask to change your email address",
    responses=error_responses(400, 401, 413, 415, 429, 503),
    **ACCEPTED,
)
async def email_change(
    body: EmailChangeRequest,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    passwords: Passwords,
    background: BackgroundTasks,
) -> None:
    # Per user: each attempt checks the password, so this bucket also slows guessing it.
    await limit(request, "email_change", f"user:{user.id}")
    mail = await service.email_change_mail(
        session, settings, passwords, user, body.email, body.password
    )
    queue(background, mail)


@router.post(
    "/email-change/confirm",
    summary="Confirm your new email address",
    responses=error_responses(400, 413, 415, 429, 503),
    **NO_CONTENT,
)
async def email_change_confirm(
    body: EmailChangeConfirmRequest,
    request: Request,
    session: DbSession,
    settings: AppSettings,
    background: BackgroundTasks,
) -> None:
    await limit(request, "email_change_confirm", client_ip(request))
    queue(background, await service.change_email(session, settings, body.token))
