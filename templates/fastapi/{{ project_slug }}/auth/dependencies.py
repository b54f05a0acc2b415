"""Typed dependencies: the settings, the password hasher and the signed-in user."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..core.database import DbSession
from ..core.errors import ApiError
from ..core.security import InvalidToken, PasswordHasher, decode_token, token_user_id
from ..core.settings import Settings
from .models import User
from .service import active_user, token_not_valid


# async, though they await nothing: FastAPI runs a plain `def` dependency in its threadpool, a
# hop that cost the item endpoints 8-15% of their time under load (docs/benchmarks.md).
async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_password_hash(request: Request) -> PasswordHasher:
    return request.app.state.password_hash


AppSettings = Annotated[Settings, Depends(get_app_settings)]
Passwords = Annotated[PasswordHasher, Depends(get_password_hash)]
# auto_error=False: a missing header becomes our 401 not_authenticated, not FastAPI's 403.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearerAuth",
    bearerFormat="JWT",
    description="An access token from POST /api/auth/token.",
)


async def get_current_user(
    session: DbSession,
    settings: AppSettings,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    if credentials is None:
        raise ApiError(
            401,
            "not_authenticated",
            "Authentication credentials were not provided.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        claims = decode_token(settings, credentials.credentials, "access")
    except InvalidToken as error:
        raise token_not_valid() from error
    return await active_user(session, token_user_id(claims))


CurrentUser = Annotated[User, Depends(get_current_user)]
