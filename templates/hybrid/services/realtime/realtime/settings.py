"""Settings from the environment, shared with the Django core where they must agree."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, PositiveFloat, PositiveInt, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from realtime.secret_keys import refusal

# The repository root: the core keeps its SQLite file and .env there.
ROOT = Path(__file__).resolve().parents[3]

# The core's development SECRET_KEY (config/settings.py): with no key set anywhere, the core
# signs tokens with it and this service verifies them with it.
CORE_DEVELOPMENT_KEY = "django-insecure-development-only-key"
# The browser origins development allows when CORS_ALLOWED_ORIGINS is unset, as the core does:
# the usual local frontend dev servers (Next.js and React on :3000, Vite on :5173).
LOCAL_FRONTENDS = [
    "http://localhost:3000",
    "http://127.0.0.1:3000",
    "http://localhost:5173",
    "http://127.0.0.1:5173",
]


class Settings(BaseSettings):
    # An empty variable means its default, as in the core (`.env.example` leaves many empty).
    model_config = SettingsConfigDict(env_file=ROOT / ".env", env_ignore_empty=True, extra="ignore")

    environment: str = "development"
    # The same database as the core; Django owns its schema and migrations. Unset: the core's
    # SQLite file in development; production refuses to start without it, as the core does.
    database_url: str = ""
    # The key the core signs access tokens with (simplejwt, HS256), resolved as the core resolves
    # it: JWT_SIGNING_KEY; in development, else SECRET_KEY, else the core's development key.
    jwt_signing_key: str = ""
    secret_key: str = ""
    # Comma-separated, as the core reads them: localhost,api.example.com
    allowed_hosts: Annotated[list[str], NoDecode] = ["localhost", "127.0.0.1"]
    # Unset: LOCAL_FRONTENDS in development, none in production.
    cors_allowed_origins: Annotated[list[str], NoDecode] = []
    # How many proxies append to X-Forwarded-For (Caddy: 1); 0 trusts none (proxies.py).
    num_proxies: int = 0
    # The core's Redis (redis://host:6379/0), when it has one: the stream limit then counts there,
    # shared by every process, and /health reports it.
    redis_url: str = ""
    # How often the live feed looks for new events, in seconds.
    feed_poll_interval: float = 0.25
    # HTTPS, read as the core reads them (realtime/https.py). Unset: redirect http to https and a
    # year of HSTS in production, neither in development.
    secure_ssl_redirect: bool | None = None
    secure_hsts_seconds: int | None = Field(default=None, ge=0)
    # The live stream's limits (realtime/stream.py). STREAM_BUFFER: how many events a stream may
    # fall behind its reader before it is ended (a full batch fits, so a reader that keeps up
    # never is). STREAM_MAX_PER_USER: open streams per user, per process, or across every
    # process when REDIS_URL is set (realtime/slots.py). STREAM_USER_CHECK_INTERVAL: seconds
    # between the checks that end the streams of deactivated or deleted users, so the longest
    # they stay open.
    stream_buffer: PositiveInt = 1000
    stream_max_per_user: PositiveInt = 5
    stream_user_check_interval: PositiveFloat = 5.0

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
    def _resolve_signing_key(self) -> Settings:
        if self.is_production:
            # A missing, weak or published key is refused (realtime/secret_keys.py).
            if problem := refusal("JWT_SIGNING_KEY", self.jwt_signing_key):
                raise ValueError(problem)
            return self
        self.jwt_signing_key = self.jwt_signing_key or self.secret_key or CORE_DEVELOPMENT_KEY
        return self

    @model_validator(mode="after")
    def _resolve_database_url(self) -> Settings:
        if self.database_url:
            return self
        if self.is_production:
            raise ValueError(
                "DATABASE_URL is not set. ENVIRONMENT=production refuses to start without it: "
                "set DATABASE_URL to the core's database (see .env.example)."
            )
        self.database_url = f"sqlite:///{ROOT / 'db.sqlite3'}"
        return self

    @model_validator(mode="after")
    def _default_cors_origins(self) -> Settings:
        if "cors_allowed_origins" not in self.model_fields_set and not self.is_production:
            self.cors_allowed_origins = list(LOCAL_FRONTENDS)
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
