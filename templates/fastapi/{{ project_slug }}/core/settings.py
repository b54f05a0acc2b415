"""Every setting comes from the environment (or a `.env` file); `.env.example` documents them."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import URL

from .database_url import async_driver_url
from .email_url import parse_email_url
from .secret_keys import refusal

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me-before-deploying"
CommaSeparated = Annotated[list[str], NoDecode]
RATE = r"^\d+/(second|minute|hour|day)$"
SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
# The browser origins development allows when CORS_ORIGINS is unset: the usual local frontend
# dev servers (Next.js and React on :3000, Vite on :5173). Production allows none by default.
LOCAL_FRONTENDS = [
    "http://localhost:3000",
    "http://127.0.0.1:3000",
    "http://localhost:5173",
    "http://127.0.0.1:5173",
]


class Settings(BaseSettings):
    # An empty variable means its default: `.env.example` leaves optional ones empty.
    model_config = SettingsConfigDict(
        env_file=PROJECT_DIR / ".env", env_ignore_empty=True, extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    # Unset: a SQLite file in the project folder. Set: postgresql://user:password@host:5432/db.
    database_url: str | None = None
    access_token_minutes: int = Field(default=15, gt=0)
    refresh_token_days: int = Field(default=7, gt=0)
    # Each auth bucket's limit (core/rate_limit.py); the back office's login has its own.
    auth_rate_limit: str = Field(default="20/minute", pattern=RATE)
    admin_login_rate_limit: str = Field(default="5/minute", pattern=RATE)
    # How many proxies in front append to X-Forwarded-For; 0 trusts none (core/proxies.py).
    num_proxies: int = Field(default=0, ge=0)
    # Unset: LOCAL_FRONTENDS outside production, none in production.
    cors_origins: CommaSeparated = []
    allowed_hosts: CommaSeparated = ["localhost", "127.0.0.1"]
    # Argon2 cost. Keep the defaults in production; tests lower them to run fast.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost: int = Field(default=65536, ge=64)
    # Unset: one machine and nothing to start (rate limits counted per process, tasks run in the
    # process that sends them). Set (redis://host:6379/0): rate limits and the task queue live in
    # Redis, shared by every web process and worker on every machine.
    redis_url: str | None = Field(default=None, pattern=r"^(redis|rediss|unix)://")
    # How long a task a worker took and never finished (the worker died) waits before another
    # worker gets it: longer than the slowest task, or a slow task runs twice (worker.py).
    task_visibility_timeout: int = Field(default=3600, ge=1)
    # Where mail goes (core/email_url.py): console:// prints it; smtp://, smtp+tls://, smtp+ssl://.
    email_url: str = "console://"
    default_from_email: str = "noreply@localhost"
    # HTTPS, as the drf stack reads them (core/https.py). Unset: redirect http to https and a
    # year of HSTS in production, neither in development.
    secure_ssl_redirect: bool | None = None
    secure_hsts_seconds: int | None = Field(default=None, ge=0)
    # The account emails (accounts/): their links lead to the frontend's pages, their tokens
    # expire after these lifetimes, and unverified users may sign in unless required otherwise.
    frontend_url: str = Field(default="http://localhost:3000", pattern=r"^https?://[^\s]+$")
    require_verified_email: bool = False
    email_verification_hours: int = Field(default=48, gt=0)
    password_reset_minutes: int = Field(default=60, gt=0)
    email_change_hours: int = Field(default=24, gt=0)

    @field_validator("cors_origins", "allowed_hosts", mode="before")
    @classmethod
    def split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("email_url")
    @classmethod
    def readable_email_url(cls, value: str) -> str:
        parse_email_url(value)  # a ValueError names what is wrong
        return value

    @model_validator(mode="after")
    def default_cors_origins(self) -> "Settings":
        if "cors_origins" not in self.model_fields_set and self.environment != "production":
            self.cors_origins = list(LOCAL_FRONTENDS)
        return self

    @model_validator(mode="after")
    def refuse_weak_secret_in_production(self) -> "Settings":
        """A missing, weak or published key (core/secret_keys.py) stops production."""
        if self.environment == "production":
            unset = "secret_key" not in self.model_fields_set
            if problem := refusal("SECRET_KEY", None if unset else self.secret_key):
                raise ValueError(problem)
        return self

    @model_validator(mode="after")
    def require_database_in_production(self) -> "Settings":
        if self.environment == "production" and not self.database_url:
            raise ValueError(
                "DATABASE_URL is not set. ENVIRONMENT=production refuses to start without it "
                "(the SQLite file is for development): set DATABASE_URL, e.g. "
                "postgresql://user:password@host:5432/app."
            )
        return self

    @property
    def sqlalchemy_url(self) -> URL:
        """The async driver URL; the default is a SQLite file in the project folder."""
        return async_driver_url(self.database_url or f"sqlite:///{PROJECT_DIR / 'db.sqlite3'}")

    @property
    def rate_limit(self) -> tuple[int, int]:
        """AUTH_RATE_LIMIT as (requests, window in seconds)."""
        return parse_rate(self.auth_rate_limit)

    @property
    def admin_login_rate(self) -> tuple[int, int]:
        """ADMIN_LOGIN_RATE_LIMIT as (requests, window in seconds)."""
        return parse_rate(self.admin_login_rate_limit)


def parse_rate(rate: str) -> tuple[int, int]:
    """Reads a rate: "20/minute" -> (20, 60)."""
    count, period = rate.split("/")
    return int(count), SECONDS[period]


@lru_cache
def get_settings() -> Settings:
    return Settings()
