"""Settings from the environment, shared with the Django core where they must agree."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The repository root: the core keeps its SQLite file and .env there.
ROOT = Path(__file__).resolve().parents[3]

INSECURE_KEY = "insecure-dev-only-jwt-signing-key-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ROOT / ".env", extra="ignore")

    environment: str = "development"
    # The same database as the core; Django owns its schema and migrations.
    database_url: str = f"sqlite:///{ROOT / 'db.sqlite3'}"
    # The key the core signs access tokens with (simplejwt, HS256).
    jwt_signing_key: str = INSECURE_KEY
    # Comma-separated, as the core reads them: localhost,api.example.com
    allowed_hosts: Annotated[list[str], NoDecode] = ["localhost", "127.0.0.1"]
    cors_allowed_origins: Annotated[list[str], NoDecode] = []
    # How often the live feed looks for new events, in seconds.
    feed_poll_interval: float = 0.25

    @field_validator("allowed_hosts", "cors_allowed_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Settings:
        if self.is_production and self.jwt_signing_key == INSECURE_KEY:
            raise ValueError(
                "JWT_SIGNING_KEY is not set: in production the service needs the same key the "
                "core signs tokens with (set JWT_SIGNING_KEY for both)."
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
