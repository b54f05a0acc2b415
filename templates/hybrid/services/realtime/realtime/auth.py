"""One identity: this service accepts the access tokens the Django core issues (simplejwt)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from realtime.errors import ApiError
from realtime.tables import users

bearer = HTTPBearer(
    scheme_name="bearerAuth",
    bearerFormat="JWT",
    description="An access token from the core's /api/auth/token",
    auto_error=False,
)


@dataclass(frozen=True)
class User:
    id: int
    email: str


def decode_access_token(token: str, signing_key: str) -> int:
    """The user id in a valid, unexpired access token signed by the core.

    simplejwt signs with HS256 and writes `user_id` as a string; a refresh token carries
    token_type "refresh" and is refused here.
    """
    try:
        claims = jwt.decode(
            token,
            signing_key,
            algorithms=["HS256"],
            options={"require": ["exp", "token_type", "user_id"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise ApiError(401, "token_not_valid", "The access token has expired.") from error
    except jwt.InvalidTokenError as error:
        raise ApiError(401, "token_not_valid", "The access token is not valid.") from error
    if claims["token_type"] != "access":
        raise ApiError(401, "token_not_valid", "Only access tokens are accepted here.")
    try:
        return int(claims["user_id"])
    except (TypeError, ValueError) as error:
        raise ApiError(401, "token_not_valid", "The access token names no user.") from error


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    if credentials is None:
        raise ApiError(401, "not_authenticated", "Authentication credentials were not provided.")
    user_id = decode_access_token(
        credentials.credentials, request.app.state.settings.jwt_signing_key
    )
    async with request.app.state.engine.connect() as connection:
        row = (
            await connection.execute(
                select(users.c.id, users.c.email).where(users.c.id == user_id, users.c.is_active)
            )
        ).first()
    if row is None:
        raise ApiError(401, "token_not_valid", "The user is unknown or inactive.")
    return User(id=row.id, email=row.email)


CurrentUser = Annotated[User, Depends(current_user)]
