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


@dataclass(frozen=True)
class Credential:
    """Who a valid token names, and until when (seconds since the epoch) it lets them in."""

    user_id: int
    expires_at: int


def decode(token: str, signing_key: str, token_type: str, **options) -> dict:
    """The claims of a valid, unexpired token of this type, signed with the shared key.

    simplejwt signs with HS256 and writes `user_id` as a string. A token that names an audience
    (a stream ticket does) is refused unless `audience` is passed, and the type must match.
    """
    try:
        claims = jwt.decode(
            token,
            signing_key,
            algorithms=["HS256"],
            options={"require": ["exp", "token_type", "user_id"]},
            **options,
        )
    except jwt.ExpiredSignatureError as error:
        raise ApiError(401, "token_not_valid", "The token has expired.") from error
    except jwt.InvalidTokenError as error:
        raise ApiError(401, "token_not_valid", "The token is not valid.") from error
    if claims["token_type"] != token_type:
        raise ApiError(401, "token_not_valid", f"Only {token_type} tokens are accepted here.")
    return claims


def user_id_of(claims: dict) -> int:
    try:
        return int(claims["user_id"])
    except (TypeError, ValueError) as error:
        raise ApiError(401, "token_not_valid", "The token names no user.") from error


def decode_access_token(token: str, signing_key: str) -> Credential:
    """The core's access tokens only: a refresh token or a stream ticket is refused."""
    claims = decode(token, signing_key, "access")
    return Credential(user_id_of(claims), int(claims["exp"]))


async def active_user(request: Request, user_id: int) -> User:
    async with request.app.state.engine.connect() as connection:
        row = (
            await connection.execute(
                select(users.c.id, users.c.email).where(users.c.id == user_id, users.c.is_active)
            )
        ).first()
    if row is None:
        raise ApiError(401, "token_not_valid", "The user is unknown or inactive.")
    return User(id=row.id, email=row.email)


async def access_credential(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Credential:
    if credentials is None:
        raise ApiError(401, "not_authenticated", "Authentication credentials were not provided.")
    return decode_access_token(credentials.credentials, request.app.state.settings.jwt_signing_key)


async def current_user(
    request: Request, credential: Annotated[Credential, Depends(access_credential)]
) -> User:
    return await active_user(request, credential.user_id)


AccessCredential = Annotated[Credential, Depends(access_credential)]
CurrentUser = Annotated[User, Depends(current_user)]
