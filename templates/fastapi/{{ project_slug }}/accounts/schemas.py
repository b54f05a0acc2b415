"""The account flows' bodies, named as in the shared contract."""

from pydantic import EmailStr, Field, field_validator

from ..auth.passwords import MAX_LENGTH, MIN_LENGTH
from ..auth.schemas import lowercase, trimmed
from ..core.schema_fields import WRITE_ONLY, RequestBody

Token = Field(min_length=1, max_length=1024)


class VerifyEmailRequest(RequestBody):
    token: str = Token


class PasswordResetRequest(RequestBody):
    email: EmailStr = Field(min_length=1, max_length=254)

    _lowercase = field_validator("email")(lowercase)


class PasswordResetConfirmRequest(RequestBody):
    token: str = Token
    # Read as registration reads it (trimmed, then 8 to 128 characters); the password rules run
    # in the route, once the token names the user they compare against.
    password: str = Field(
        json_schema_extra={**WRITE_ONLY, "minLength": MIN_LENGTH, "maxLength": MAX_LENGTH}
    )

    _trimmed = field_validator("password")(trimmed)


class EmailChangeRequest(RequestBody):
    email: EmailStr = Field(min_length=1, max_length=254)
    # The current password, as sign-in takes it.
    password: str = Field(min_length=1, max_length=128, json_schema_extra=WRITE_ONLY)

    _lowercase = field_validator("email")(lowercase)


class EmailChangeConfirmRequest(RequestBody):
    token: str = Token
