"""The service's tests run on a scratch SQLite file with the core's tables, and on tokens shaped
exactly like the core's (simplejwt): no Django needed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from httpx import ASGITransport, AsyncClient
from realtime.database_url import async_driver_url
from realtime.main import create_app
from realtime.settings import Settings
from realtime.tables import metadata, users
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine

SIGNING_KEY = "test-signing-key-of-a-decent-length-0123456789"


def make_token(
    user_id: int,
    token_type: str = "access",
    lifetime: timedelta = timedelta(minutes=5),
    key: str = SIGNING_KEY,
) -> str:
    """A token as the core's simplejwt writes it: HS256, user_id as a string."""
    now = datetime.now(UTC)
    claims = {
        "token_type": token_type,
        "exp": now + lifetime,
        "iat": now,
        "jti": uuid.uuid4().hex,
        "user_id": str(user_id),
    }
    return jwt.encode(claims, key, algorithm="HS256")


@pytest.fixture
def token():
    """token(user_id, **options) -> a token as the core writes it (make_token)."""
    return make_token


@pytest.fixture
def auth():
    """auth(user_id=1, **token options) -> the Authorization header for that user."""

    def header(user_id: int = 1, **kwargs) -> dict[str, str]:
        return {"Authorization": f"Bearer {make_token(user_id, **kwargs)}"}

    return header


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'test.sqlite3'}",
        jwt_signing_key=SIGNING_KEY,
        feed_poll_interval=0.05,
        allowed_hosts=["test"],
        redis_url="",  # streams counted in the process, whatever .env says
    )


@pytest.fixture
async def database(settings):
    """The core's tables, created here from the service's own definitions (tests only: in the
    project Django migrates them)."""
    engine = create_async_engine(async_driver_url(settings.database_url))
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.execute(
            insert(users),
            [
                {"id": 1, "email": "ada@example.com", "is_active": True},
                {"id": 2, "email": "bob@example.com", "is_active": True},
                {"id": 3, "email": "gone@example.com", "is_active": False},
            ],
        )
    yield engine
    await engine.dispose()


@pytest.fixture
async def app(settings, database):
    app = create_app(settings)
    async with app.router.lifespan_context(app):  # ASGITransport does not run the lifespan
        yield app


@pytest.fixture
async def client(app):
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client
