"""The auth bodies, named as in the shared contract (the same component names on every stack)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from ..core.schema_fields import READ_ONLY, WRITE_ONLY, RequestBody, optional
from .passwords import MAX_LENGTH, MIN_LENGTH, field_problem


def lowercase(email: str) -> str:
    return email.lower()


def trimmed(password: str) -> str:
    """A new password as DRF's CharField reads it (auth/passwords.py)."""
    password = password.strip()
    if problem := field_problem(password):
        raise ValueError(problem)
    return password


class TokenRequest(RequestBody):
    # Any string: a malformed email is a failed sign-in (401), not a validation error.
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=128, json_schema_extra=WRITE_ONLY)

    _lowercase = field_validator("email")(lowercase)


class RegisterRequest(RequestBody):
    email: EmailStr = Field(min_length=1, max_length=254)
    full_name: str = Field(default="", max_length=150)
    # Its lengths are checked after trimming, by trimmed, in DRF's words; the password rules
    # run once every field is valid (the register route), as DRF's validate() does.
    password: str = Field(
        json_schema_extra={**WRITE_ONLY, "minLength": MIN_LENGTH, "maxLength": MAX_LENGTH}
    )

    _lowercase = field_validator("email")(lowercase)
    _trimmed = field_validator("password")(trimmed)


class User(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(json_schema_extra={**READ_ONLY, "format": "int64"})
    email: str = Field(json_schema_extra={**READ_ONLY, "format": "email"})
    full_name: str = Field(max_length=150)
    email_verified: bool = Field(json_schema_extra=READ_ONLY)
    date_joined: datetime = Field(json_schema_extra=READ_ONLY)


class PatchedUserRequest(RequestBody):
    """PATCH /api/auth/me: only the name can change; email and password have their own flows.
    The rest of what GET returned is ignored, so a client can send it back."""

    full_name: str = optional(max_length=150)


class RefreshRequest(RequestBody):
    refresh: str = Field(min_length=1, max_length=1024)


class TokenPair(BaseModel):
    access: str
    refresh: str
