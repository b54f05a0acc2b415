from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from .passwords import password_problems


class Credentials(BaseModel):
    email: EmailStr
    password: str = Field(max_length=128)

    @field_validator("email")
    @classmethod
    def lowercase(cls, email: str) -> str:
        return email.lower()


class RegisterIn(Credentials):
    full_name: str = Field(default="", max_length=150)

    @field_validator("password")
    @classmethod
    def strong_enough(cls, password: str) -> str:
        problems = password_problems(password)
        if problems:
            raise ValueError(" ".join(problems))
        return password


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str
    date_joined: datetime


class UserUpdate(BaseModel):
    """PATCH /api/auth/me: only the name can change; email and password have their own flows."""

    model_config = ConfigDict(extra="forbid")

    full_name: str = Field(max_length=150)


class RefreshIn(BaseModel):
    refresh: str


class TokenPair(BaseModel):
    access: str
    refresh: str
