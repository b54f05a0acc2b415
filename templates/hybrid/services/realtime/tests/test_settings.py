"""The service reads its settings as the core does: an empty variable means its default, and the
signing key is JWT_SIGNING_KEY; in development, else SECRET_KEY, else the core's development key.
Production refuses a missing, short, repetitive or published key and a missing DATABASE_URL."""

from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError
from realtime.secret_keys import MIN_LENGTH, PUBLISHED
from realtime.settings import CORE_DEVELOPMENT_KEY, LOCAL_FRONTENDS, ROOT, Settings

SHARED = ("ENVIRONMENT", "SECRET_KEY", "JWT_SIGNING_KEY", "CORS_ALLOWED_ORIGINS", "DATABASE_URL")
PRODUCTION = {
    "ENVIRONMENT": "production",
    "JWT_SIGNING_KEY": secrets.token_urlsafe(50),
    "DATABASE_URL": "postgresql://app@db:5432/app",
}


@pytest.fixture
def environment(monkeypatch):
    """environment(**variables) -> Settings read from exactly these variables, and no .env file."""
    for name in SHARED:
        monkeypatch.delenv(name, raising=False)

    def read(**variables: str) -> Settings:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return Settings(_env_file=None)  # type: ignore[call-arg]

    return read


@pytest.mark.parametrize(
    "variables,key",
    [
        ({}, CORE_DEVELOPMENT_KEY),
        ({"SECRET_KEY": "core-secret"}, "core-secret"),
        ({"SECRET_KEY": "core-secret", "JWT_SIGNING_KEY": "jwt-key"}, "jwt-key"),
        ({"SECRET_KEY": "core-secret", "JWT_SIGNING_KEY": ""}, "core-secret"),
        ({"SECRET_KEY": "", "JWT_SIGNING_KEY": ""}, CORE_DEVELOPMENT_KEY),
    ],
)
def test_development_resolves_the_signing_key_as_the_core_does(environment, variables, key):
    assert environment(**variables).jwt_signing_key == key


def test_production_refuses_to_start_without_its_own_signing_key(environment):
    with pytest.raises(ValidationError, match="JWT_SIGNING_KEY is not set"):
        core_only = {"SECRET_KEY": secrets.token_urlsafe(50), "JWT_SIGNING_KEY": ""}
        environment(**{**PRODUCTION, **core_only})
    assert environment(**PRODUCTION).jwt_signing_key == PRODUCTION["JWT_SIGNING_KEY"]


@pytest.mark.parametrize(
    "value,why",
    [
        ("0123456789", "is 10 characters long"),
        ("a" * MIN_LENGTH, "has only 1 distinct characters"),
        *((value, "published") for value in sorted(PUBLISHED)),
    ],
)
def test_production_refuses_a_weak_signing_key_naming_it(environment, value, why):
    with pytest.raises(ValidationError, match=f"JWT_SIGNING_KEY [^.]*{why}") as refused:
        environment(**{**PRODUCTION, "JWT_SIGNING_KEY": value})
    assert "secrets.token_urlsafe(50)" in str(refused.value)


def test_production_refuses_to_start_without_a_database_url(environment):
    with pytest.raises(ValidationError, match="DATABASE_URL is not set"):
        environment(**{**PRODUCTION, "DATABASE_URL": ""})


def test_a_copy_of_env_example_is_a_valid_configuration(environment):
    environment()
    assert Settings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]


def test_empty_variables_mean_their_defaults(environment):
    settings = environment(
        ENVIRONMENT="",
        FEED_POLL_INTERVAL="",
        DATABASE_URL="",
        STREAM_BUFFER="",
        STREAM_MAX_PER_USER="",
    )
    assert settings.environment == "development" and settings.feed_poll_interval == 0.25
    assert (settings.stream_buffer, settings.stream_max_per_user) == (1000, 5)
    assert settings.database_url.endswith("db.sqlite3")


@pytest.mark.parametrize(
    "variables,origins",
    [
        ({}, LOCAL_FRONTENDS),
        ({"CORS_ALLOWED_ORIGINS": ""}, LOCAL_FRONTENDS),
        ({"CORS_ALLOWED_ORIGINS": "https://app.example.com"}, ["https://app.example.com"]),
        (PRODUCTION, []),
    ],
)
def test_development_lets_local_frontends_call_and_production_none(environment, variables, origins):
    assert environment(**variables).cors_allowed_origins == origins
