"""The contract's rules for every request, on the service: strict JSON bodies, the size limit,
JSON only, no trailing slash, HEAD on GETs, and a database that does not answer."""

from __future__ import annotations

import pytest
from httpx import ASGITransport, AsyncClient
from realtime.main import create_app
from realtime.requests import MAX_BODY_BYTES
from realtime.tables import events
from sqlalchemy import func, select


async def count_events(database) -> int:
    async with database.connect() as connection:
        return await connection.scalar(select(func.count()).select_from(events))


def assert_error(reply, status: int, code: str, field: str | None = None) -> None:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["code"] == code and isinstance(body["detail"], str), body
    if field:
        assert body["fields"][field], body


@pytest.mark.parametrize(
    "body",
    [
        b'{"events": [{"name": "x", "data": {"n": NaN}}]}',
        b'{"events": [{"name": "x", "data": {"n": Infinity}}]}',
        b'{"events": [{"name": "x", "data": {"n": -Infinity}}]}',
        b'{"events": [{"name": "x", "data": {"n": 1e999}}]}',
        b'{"events": [{"name": "\\ud800", "data": {}}]}',
        b'{"events": [{"name": "x", "data": {"\\udfff": 1}}]}',
        b'{"events": [{"name": "x", "data": {"deep": ' + b"[" * 40 + b"]" * 40 + b"}}]}",
        b'{"events": [{"name": "x", "data": {"deep": ' + b"[" * 5000 + b"]" * 5000 + b"}}]}",
        b'{"events": [{"name": "x", "data": {"n": ' + b"9" * 5000 + b"}}]}",
        b'{"events": [{"name": "x"}',
        b"\xff\xfe",
    ],
)
async def test_bodies_no_json_parser_would_store_are_refused(client, database, auth, body):
    headers = {**auth(), "Content-Type": "application/json"}
    reply = await client.post("/api/events", content=body, headers=headers)
    assert_error(reply, 400, "validation_error", "non_field_errors")
    assert await count_events(database) == 0


@pytest.mark.parametrize(
    "event,field",
    [
        ({"name": "bad\x00name"}, "events.0.name"),
        ({"name": "x", "data": {"text": "a\x00b"}}, "events.0.data"),
        ({"name": "x", "data": {"key\x00": 1}}, "events.0.data"),
        ({"name": "x", "data": {"list": [{"nested": "\x00"}]}}, "events.0.data"),
    ],
)
async def test_nul_characters_are_refused_naming_the_field(client, database, auth, event, field):
    reply = await client.post("/api/events", json={"events": [event]}, headers=auth())
    assert_error(reply, 400, "validation_error", field)
    assert await count_events(database) == 0


async def test_unknown_fields_are_ignored(client, auth):
    batch = {"events": [{"name": "x", "extra": 1}], "source": "web"}
    reply = await client.post("/api/events", json=batch, headers=auth())
    assert reply.status_code == 202, reply.text


async def test_the_body_limit_is_the_cores_1_mib(client, database, auth):
    assert MAX_BODY_BYTES == 1024 * 1024
    # A full batch just under the limit is taken.
    padding = "x" * (MAX_BODY_BYTES // 1000 - 100)
    batch = {"events": [{"name": "x", "data": {"pad": padding}}] * 1000}
    reply = await client.post("/api/events", json=batch, headers=auth())
    assert reply.status_code == 202, reply.text

    # 2 MB is refused, whether its length is declared or not.
    batch = {"events": [{"name": "x", "data": {"pad": "x" * 2_000_000}}]}
    reply = await client.post("/api/events", json=batch, headers=auth())
    assert_error(reply, 413, "request_too_large")

    async def chunks():  # no Content-Length: counted as it arrives
        for _ in range(2):
            yield b" " * 1_000_000

    reply = await client.post(
        "/api/events", content=chunks(), headers={**auth(), "Content-Type": "application/json"}
    )
    assert_error(reply, 413, "request_too_large")
    assert await count_events(database) == 1000


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", None],
)
async def test_a_body_that_is_not_json_is_unsupported(client, auth, content_type):
    headers = auth() | ({"Content-Type": content_type} if content_type else {})
    reply = await client.post("/api/events", content=b"events=1", headers=headers)
    assert_error(reply, 415, "unsupported_media_type")


async def test_json_with_a_charset_is_json(client, auth):
    headers = {**auth(), "Content-Type": "application/json; charset=utf-8"}
    reply = await client.post(
        "/api/events", content=b'{"events": [{"name": "x"}]}', headers=headers
    )
    assert reply.status_code == 202, reply.text


@pytest.mark.parametrize("path", ["/api/events/", "/api/events/stream/", "/health/"])
async def test_a_trailing_slash_is_not_found(client, auth, path):
    assert_error(await client.get(path, headers=auth()), 404, "not_found")


async def test_head_answers_as_get_without_a_body(client, auth):
    get, head = await client.get("/health"), await client.head("/health")
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == get.headers["content-length"]

    head = await client.head("/api/events/stream")
    assert head.status_code == 401 and head.content == b""
    head = await client.head("/api/events/stream", headers=auth())
    assert head.status_code == 200 and head.content == b""  # and the stream did not hang
    assert head.headers["content-type"].startswith("text/event-stream")


@pytest.fixture
async def down_client(settings):
    """The service pointed at a PostgreSQL server that is not there (port 1 refuses)."""
    down = settings.model_copy(update={"database_url": "postgresql://nobody@127.0.0.1:1/none"})
    app = create_app(down)
    async with app.router.lifespan_context(app):  # starts anyway: /health tells the truth
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_a_database_that_does_not_answer_is_503_in_the_shape(down_client, auth):
    reply = await down_client.get("/health")
    assert reply.status_code == 503
    assert reply.json() == {"status": "unavailable", "database": "unavailable"}
    reply = await down_client.post("/api/events", json={"events": [{"name": "x"}]}, headers=auth())
    assert_error(reply, 503, "service_unavailable")
    assert_error(
        await down_client.get("/api/events/stream", headers=auth()), 503, "service_unavailable"
    )
