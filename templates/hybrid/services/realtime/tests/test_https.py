"""HTTPS at the edge in production, as the core does it: the security headers, the redirect from
plain HTTP (not /health, not behind a TLS proxy that says https), and a live stream that still
streams through them."""

from __future__ import annotations

import secrets

import anyio
import pytest
from httpx import ASGITransport, AsyncClient
from realtime.main import create_app

HTTPS = {"X-Forwarded-Proto": "https"}
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains; preload"


@pytest.fixture
async def production_app(settings, database):
    production = settings.model_copy(
        update={"environment": "production", "jwt_signing_key": secrets.token_urlsafe(50)}
    )
    app = create_app(production)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def production(production_app):
    transport = ASGITransport(app=production_app)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def security_headers(headers) -> dict[str, str]:
    names = [*SECURITY_HEADERS, "strict-transport-security"]
    return {name: headers[name] for name in names if name in headers}


async def test_production_sends_the_security_headers(production):
    for path in ("/health", "/api/events/stream", "/api/docs"):
        reply = await production.get(path, headers=HTTPS)
        assert reply.status_code != 301, path
        assert security_headers(reply.headers) == {
            **SECURITY_HEADERS,
            "strict-transport-security": HSTS,
        }
    # Browsers ignore HSTS on plain HTTP: it is sent over HTTPS only.
    assert security_headers((await production.get("/health")).headers) == SECURITY_HEADERS


async def test_development_sends_none(client):
    reply = await client.get("/health")
    assert reply.status_code == 200 and security_headers(reply.headers) == {}


async def test_plain_http_is_redirected_to_the_same_url_over_https(production):
    for method in ("GET", "POST"):
        reply = await production.request(method, "/api/events?name=a%20b&page=2")
        assert reply.status_code == 301
        assert reply.headers["location"] == "https://test/api/events?name=a%20b&page=2"
    assert (await production.get("/health")).status_code == 200
    assert (await production.get("/api/events/stream", headers=HTTPS)).status_code == 401


async def test_the_redirect_can_be_turned_off(settings, database):
    settings = settings.model_copy(
        update={
            "environment": "production",
            "jwt_signing_key": secrets.token_urlsafe(50),
            "secure_ssl_redirect": False,
        }
    )
    transport = ASGITransport(app=create_app(settings))
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        reply = await client.get("/api/events/stream")
        assert reply.status_code == 401 and security_headers(reply.headers) == SECURITY_HEADERS


async def test_a_live_stream_still_streams(production_app, auth):
    """The stream's first message arrives while the stream is still open, with the headers."""
    signing_key = production_app.state.settings.jwt_signing_key
    authorization = auth(1, key=signing_key)["Authorization"]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/events/stream",
        "raw_path": b"/api/events/stream",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"test"),
            (b"x-forwarded-proto", b"https"),
            (b"authorization", authorization.encode()),
        ],
        "client": ("127.0.0.1", 1234),
        "server": ("test", 80),
    }
    first_message = anyio.Event()
    sent = []
    requested = False

    async def receive():
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await first_message.wait()  # the client leaves once it has read the first message
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and message.get("body"):
            assert message.get("more_body"), "the stream ended instead of streaming"
            first_message.set()

    with anyio.fail_after(5):
        await production_app(scope, receive, send)
    start = sent[0]
    assert start["status"] == 200
    headers = {name.decode(): value.decode() for name, value in start["headers"]}
    assert headers["content-type"].startswith("text/event-stream")
    assert security_headers(headers) == {**SECURITY_HEADERS, "strict-transport-security": HSTS}
    assert sent[1]["body"] == b": subscribed\n\n"
