"""Production refuses a missing, short, repetitive or published key, and a missing DATABASE_URL,
with one message naming the variable; `make secrets` fills .env once and keeps what is set."""

import runpy
import secrets

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.secret_keys import MIN_LENGTH, PUBLISHED, fill, refusal

KEYS = ("SECRET_KEY", "JWT_SIGNING_KEY")
GOOD = {name: secrets.token_urlsafe(50) for name in KEYS}
# (a weak value, what the message says about it)
WEAK = [
    ("", "is not set"),
    ("0123456789", "is 10 characters long"),
    ("a" * MIN_LENGTH, "has only 1 distinct characters"),
    *((value, "published") for value in sorted(PUBLISHED)),
]


@pytest.mark.parametrize("value,why", WEAK)
def test_a_weak_key_is_refused_with_one_message_naming_it(value, why):
    problem = refusal("JWT_SIGNING_KEY", value)
    assert problem.startswith("JWT_SIGNING_KEY ") and why in problem
    assert "secrets.token_urlsafe(50)" in problem and "make secrets" in problem


def test_a_random_key_is_accepted():
    assert refusal("SECRET_KEY", secrets.token_urlsafe(50)) is None


def production_settings(monkeypatch, **variables: str) -> dict:
    """config/settings.py run afresh with ENVIRONMENT=production and these variables."""
    production = {"ENVIRONMENT": "production", "ALLOWED_HOSTS": "api.example.com"}
    for name, value in {**production, "DATABASE_URL": "", **GOOD, **variables}.items():
        monkeypatch.setenv(name, value)  # empty means unset, even if .env sets it
    return runpy.run_path(str(settings.BASE_DIR / "config" / "settings.py"))


@pytest.mark.parametrize("name", KEYS)
@pytest.mark.parametrize("value", ["", "a" * MIN_LENGTH, *sorted(PUBLISHED)])
def test_production_settings_refuse_a_weak_key(monkeypatch, name, value):
    with pytest.raises(ImproperlyConfigured, match=f"^{name} "):
        production_settings(monkeypatch, DATABASE_URL="postgres://db/app", **{name: value})


def test_production_settings_need_a_database_url(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="^DATABASE_URL is not set"):
        production_settings(monkeypatch)
    loaded = production_settings(monkeypatch, DATABASE_URL="postgres://db/app")
    assert loaded["SECRET_KEY"] == GOOD["SECRET_KEY"]
    assert loaded["SIMPLE_JWT"]["SIGNING_KEY"] == GOOD["JWT_SIGNING_KEY"]


def test_fill_creates_env_once_and_keeps_what_is_set(tmp_path):
    example, env = tmp_path / ".env.example", tmp_path / ".env"
    example.write_text("# a comment\nSECRET_KEY=\nJWT_SIGNING_KEY=\nLOG_LEVEL=INFO\n")
    assert fill(env, example, KEYS) == list(KEYS)
    first = env.read_text()
    assert "# a comment\n" in first and "LOG_LEVEL=INFO\n" in first
    for line in first.splitlines()[1:3]:
        assert refusal(*line.split("=", 1)) is None
    assert fill(env, example, KEYS) == []
    assert env.read_text() == first

    env.write_text("SECRET_KEY=the-owner's-own\n")
    assert fill(env, example, KEYS) == ["JWT_SIGNING_KEY"]
    assert env.read_text().startswith("SECRET_KEY=the-owner's-own\nJWT_SIGNING_KEY=")
