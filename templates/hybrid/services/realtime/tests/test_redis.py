"""With REDIS_URL set: /health reports Redis, and a Redis that does not answer is a 503 (the
shared stream count is tested against a real Redis by the template's own tests)."""

from __future__ import annotations

import socket

import pytest
from httpx import ASGITransport, AsyncClient
from realtime.main import create_app


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def client(settings, database):
    """The service with a REDIS_URL where nothing listens: refused at once."""
    redis_url = f"redis://127.0.0.1:{unused_port()}/0"
    app = create_app(settings.model_copy(update={"redis_url": redis_url}))
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_health_is_503_when_redis_does_not_answer(client):
    reply = await client.get("/health")
    assert reply.status_code == 503
    assert reply.json() == {"status": "unavailable", "database": "ok", "redis": "unavailable"}


async def test_a_stream_is_refused_with_a_503_when_its_count_cannot_be_kept(client, auth):
    reply = await client.get("/api/events/stream", headers=auth(1))
    assert reply.status_code == 503
    assert reply.json()["code"] == "service_unavailable"
