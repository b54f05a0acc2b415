from fastapi import APIRouter, Depends, status

from ..core.database import DbSession
from ..core.errors import ApiError, ErrorOut
from ..core.rate_limit import auth_rate_limit
from . import service
from .dependencies import AppSettings, CurrentUser, Passwords
from .schemas import Credentials, RefreshIn, RegisterIn, TokenPair, UserOut, UserUpdate

router = APIRouter(prefix="/auth", tags=["auth"], responses={400: {"model": ErrorOut}})
throttled = [Depends(auth_rate_limit)]
unauthorized: dict[int | str, dict] = {401: {"model": ErrorOut}}


@router.post(
    "/register",
    summary="Create an account",
    status_code=status.HTTP_201_CREATED,
    dependencies=throttled,
)
async def register(body: RegisterIn, session: DbSession, passwords: Passwords) -> UserOut:
    user = await service.create_user(
        session, passwords, body.email, body.password, full_name=body.full_name
    )
    return UserOut.model_validate(user)


@router.post(
    "/token",
    summary="Sign in: get an access and a refresh token",
    dependencies=throttled,
    responses=unauthorized,
)
async def token(
    body: Credentials, session: DbSession, settings: AppSettings, passwords: Passwords
) -> TokenPair:
    user = await service.authenticate(session, passwords, body.email, body.password)
    if user is None:
        raise ApiError(
            401, "authentication_failed", "No active account found with the given credentials."
        )
    return await service.issue_tokens(session, settings, user.id)


@router.post(
    "/refresh", summary="Refresh the tokens", dependencies=throttled, responses=unauthorized
)
async def refresh(body: RefreshIn, session: DbSession, settings: AppSettings) -> TokenPair:
    return await service.rotate_tokens(session, settings, body.refresh)


@router.post(
    "/logout",
    summary="Sign out: revoke a refresh token",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=unauthorized,
)
async def logout(body: RefreshIn, session: DbSession, settings: AppSettings) -> None:
    """Revokes the refresh token; the short-lived access token simply expires."""
    await service.revoke_refresh_token(session, settings, body.refresh)


@router.get("/me", summary="Read your profile", responses=unauthorized)
async def read_me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.patch("/me", summary="Update your profile", responses=unauthorized)
async def update_me(body: UserUpdate, user: CurrentUser, session: DbSession) -> UserOut:
    user.full_name = body.full_name
    await session.commit()
    return UserOut.model_validate(user)
