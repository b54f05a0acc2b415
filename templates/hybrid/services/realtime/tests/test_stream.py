"""The live stream: a user's new events reach their open streams and nobody else's; a stream
ends, saying why, when its reader falls behind, its token expires, its user is deactivated or
the server is told to stop;
a user holds a bounded number of streams; a browser gets in with a ticket, good for nothing else.

httpx's ASGITransport waits for the whole body, which a stream never finishes: these tests speak
to the app's ASGI interface directly (Stream below), as a server would."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import jwt
import pytest
from realtime import access_log, tickets
from realtime import stream as stream_module
from realtime.tables import users
from sqlalchemy import delete, event, update


@pytest.fixture
def settings(settings):
    """Small limits, so that the tests reach them quickly."""
    limits = {"stream_buffer": 3, "stream_max_per_user": 2, "stream_user_check_interval": 0.05}
    return settings.model_copy(update=limits)


class Stream:
    """A GET /api/events/stream as a server runs it: the app in a task, its messages on a
    queue. A paused reader reads nothing: the app's sends wait, as they wait on a real socket
    whose client does not read."""

    def __init__(self, app, headers: dict[str, str] | None = None, **query: str) -> None:
        self.app = app
        self.headers = [(b"host", b"test")] + [
            (name.lower().encode(), value.encode()) for name, value in (headers or {}).items()
        ]
        self.query = urlencode(query).encode()
        self.start: asyncio.Future = asyncio.get_running_loop().create_future()
        self.chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self.complete = False  # the response ended properly (its last body message was sent)
        self.reading = asyncio.Event()
        self.reading.set()
        self.gone = asyncio.Event()
        self.requested = False
        self.task: asyncio.Task | None = None

    async def open(self) -> int:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/api/events/stream",
            "raw_path": b"/api/events/stream",
            "query_string": self.query,
            "root_path": "",
            "headers": self.headers,
            "client": ("127.0.0.1", 50000),
            "server": ("test", 80),
        }
        self.task = asyncio.create_task(self.app(scope, self.receive, self.send))
        return (await asyncio.wait_for(self.start, 5))["status"]

    async def receive(self) -> dict:
        if not self.requested:
            self.requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.start.set_result(message)
            return
        await self.reading.wait()
        await self.chunks.put(message["body"])
        self.complete = not message.get("more_body", False)

    async def next_message(self, timeout: float = 5) -> str:
        return (await asyncio.wait_for(self.chunks.get(), timeout)).decode()

    async def body(self) -> bytes:
        return b"".join([await self.chunks.get() for _ in range(self.chunks.qsize())])

    async def ended(self, timeout: float = 5) -> None:
        """Wait until the app is done with the stream."""
        await asyncio.wait_for(asyncio.shield(self.task), timeout)

    async def leave(self) -> None:
        self.gone.set()
        await self.ended()


def fields(message: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in message.strip().splitlines())


async def end_reason(stream: Stream, timeout: float = 5) -> str:
    """The reason in the stream's `event: end`, skipping what comes before it."""
    deadline = time.monotonic() + timeout
    while True:
        message = await stream.next_message(deadline - time.monotonic())
        if message.startswith("event: end"):
            return json.loads(fields(message)["data"])["reason"]


async def send_events(client, auth, user_id: int, count: int = 1) -> None:
    batch = {"events": [{"name": "checkout", "data": {"n": n}} for n in range(count)]}
    reply = await client.post("/api/events", json=batch, headers=auth(user_id))
    assert reply.status_code == 202, reply.text


async def open_stream(app, auth, user_id: int = 1, **options) -> Stream:
    stream = Stream(app, auth(user_id, **options))
    assert await stream.open() == 200
    assert await stream.next_message() == ": subscribed\n\n"
    return stream


async def test_a_new_event_reaches_the_users_stream_only(app, client, auth):
    ada, bob = await open_stream(app, auth, 1), await open_stream(app, auth, 2)
    await send_events(client, auth, 1)

    message = fields(await ada.next_message())
    assert message["event"] == "event"
    event = json.loads(message["data"])
    assert (event["name"], event["data"]) == ("checkout", {"n": 0})
    assert event["created_at"].endswith("Z")  # UTC, written as the core writes it, even on SQLite
    assert message["id"] == str(event["id"])

    with pytest.raises(TimeoutError):
        await bob.next_message(timeout=0.3)  # several feed polls
    await ada.leave()
    await bob.leave()


async def test_a_reader_that_falls_behind_is_told_and_the_stream_ends(app, client, auth):
    stream = await open_stream(app, auth)
    stream.reading.clear()  # the client stops reading: the app's next send waits
    await send_events(client, auth, 1, count=10)  # more than the buffer (3)
    await asyncio.sleep(0.3)
    stream.reading.set()  # it reads again: the events it fell behind on are gone, it is told so
    assert await end_reason(stream) == "fell_behind"
    await stream.ended()
    assert stream.complete


async def test_a_reader_that_reads_nothing_is_dropped_and_its_place_freed(
    app, client, auth, monkeypatch
):
    monkeypatch.setattr(stream_module, "END_SECONDS", 0.1)
    stalled = [await open_stream(app, auth) for _ in range(2)]  # the user's whole allowance
    for stream in stalled:
        stream.reading.clear()
    await send_events(client, auth, 1, count=10)
    for stream in stalled:
        await stream.ended()  # the app let go, though the client never read
        assert not stream.complete  # the server closes the connection
    again = await open_stream(app, auth)  # their places are free
    await again.leave()


async def test_a_dropped_stream_frees_its_place_before_its_last_message_leaves(
    app, client, auth, monkeypatch
):
    monkeypatch.setattr(stream_module, "END_SECONDS", 60)
    stalled = [await open_stream(app, auth) for _ in range(2)]  # the user's whole allowance
    for stream in stalled:
        stream.reading.clear()
    await send_events(client, auth, 1, count=10)
    deadline = time.monotonic() + 5
    while await (again := Stream(app, auth(1))).open() == 429:  # a 429 takes no place
        assert time.monotonic() < deadline, "the dropped streams kept their places"
        await asyncio.sleep(0.02)
    assert not any(stream.task.done() for stream in stalled)  # still offering `event: end`
    for stream in stalled:
        stream.reading.set()
        assert await end_reason(stream) == "fell_behind"
        await stream.ended()
    await again.leave()


async def test_a_user_holds_a_bounded_number_of_streams(app, client, auth):
    first, second = await open_stream(app, auth, 1), await open_stream(app, auth, 1)
    reply = await client.get("/api/events/stream", headers=auth(1))
    assert reply.status_code == 429
    assert reply.json() == {
        "code": "throttled",
        "detail": "Too many open streams: close one, then try again.",
        "fields": {},
    }
    assert int(reply.headers["Retry-After"]) > 0
    other = await open_stream(app, auth, 2)  # per user
    await first.leave()
    third = await open_stream(app, auth, 1)  # a closed stream frees its place
    for stream in (second, third, other):
        await stream.leave()


async def test_the_stream_ends_when_its_access_token_expires(app, auth):
    stream = await open_stream(app, auth, lifetime=timedelta(seconds=2))
    expires_at = int((datetime.now(UTC) + timedelta(seconds=2)).timestamp())
    assert await end_reason(stream, timeout=5) == "token_expired"
    assert abs(time.time() - expires_at) < 1.5
    await stream.ended()
    assert stream.complete


async def test_the_stream_ends_when_its_user_is_deactivated_or_deleted(app, auth, database):
    ada, bob = await open_stream(app, auth, 1), await open_stream(app, auth, 2)
    async with database.begin() as connection:
        await connection.execute(update(users).where(users.c.id == 2).values(is_active=False))
        await connection.execute(delete(users).where(users.c.id == 1))
    assert await end_reason(ada) == "user_inactive"
    assert await end_reason(bob) == "user_inactive"
    await ada.ended()
    await bob.ended()


async def test_one_query_checks_the_users_of_every_open_stream(app, auth):
    streams = [await open_stream(app, auth, user_id) for user_id in (1, 1, 2)]
    statements = []

    def record(_conn, _cursor, statement, *_args):
        if "users_user" in statement:
            statements.append(statement)

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", record)
    try:
        await app.state.feed.check_users()
    finally:
        event.remove(app.state.engine.sync_engine, "before_cursor_execute", record)
    assert len(statements) == 1
    for stream in streams:
        await stream.leave()


@pytest.fixture
def server_stops():
    """Stands in for the server's own SIGTERM handler (uvicorn's), there before the app starts."""
    received: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda sig, frame: received.append(sig))
    yield received
    signal.signal(signal.SIGTERM, previous)


async def test_a_stop_signal_ends_every_stream_then_reaches_the_server(server_stops, app, auth):
    streams = [await open_stream(app, auth, 1), await open_stream(app, auth, 2)]
    os.kill(os.getpid(), signal.SIGTERM)  # as a deploy stops the service
    for stream in streams:
        assert await end_reason(stream) == "shutdown"
        await stream.ended()
        assert stream.complete  # the server waits for nothing more
    assert server_stops == [signal.SIGTERM]  # and stops as it always does
    late = await open_stream(app, auth, 1)  # one opened before the server stops listening
    assert await end_reason(late) == "shutdown"
    await late.ended()


async def ticket_for(client, auth, user_id: int = 1, **options) -> dict:
    reply = await client.post("/api/events/stream/ticket", headers=auth(user_id, **options))
    assert reply.status_code == 200, reply.text
    return reply.json()


async def test_a_ticket_opens_the_stream(app, client, auth):
    body = await ticket_for(client, auth)
    assert set(body) == {"ticket", "expires_in"} and body["expires_in"] == tickets.TICKET_SECONDS
    stream = Stream(app, ticket=body["ticket"])
    assert await stream.open() == 200
    assert await stream.next_message() == ": subscribed\n\n"
    await send_events(client, auth, 1)
    assert fields(await stream.next_message())["event"] == "event"
    await stream.leave()


async def test_a_ticket_lives_no_longer_than_its_access_token(app, client, auth):
    body = await ticket_for(client, auth, lifetime=timedelta(seconds=2))
    assert 1 <= body["expires_in"] <= 2
    stream = Stream(app, ticket=body["ticket"])
    assert await stream.open() == 200
    assert await end_reason(stream) == "token_expired"


async def test_a_ticket_is_good_for_the_stream_only(client, auth):
    ticket = (await ticket_for(client, auth))["ticket"]
    as_bearer = {"Authorization": f"Bearer {ticket}"}
    for reply in (
        await client.post("/api/events", json={"events": [{"name": "x"}]}, headers=as_bearer),
        await client.post("/api/events/stream/ticket", headers=as_bearer),  # no ticket from one
        await client.get("/api/events/stream", headers=as_bearer),
    ):
        assert reply.status_code == 401, reply.text
        assert reply.json()["code"] == "token_not_valid"


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": -1},  # expired
        {"access_exp": -1},  # the access token that minted it has expired
        {"key": "another-key-that-the-core-never-used-0123456789"},  # forged
        {"aud": "somewhere-else"},
        {"token_type": "access"},
        {"user_id": "3"},  # an inactive user
        {"user_id": "99"},  # an unknown user
    ],
    ids=str,
)
async def test_only_a_valid_ticket_opens_the_stream(client, settings, changes):
    now = int(time.time())
    claims = {
        "token_type": tickets.TICKET_TYPE,
        "aud": tickets.AUDIENCE,
        "user_id": "1",
        "iat": now,
        "exp": now + 30,
        "jti": "x",
        "access_exp": now + 300,
    }
    key = changes.pop("key", settings.jwt_signing_key)
    changes = {name: now + v if name.endswith("exp") else v for name, v in changes.items()}
    ticket = jwt.encode({**claims, **changes}, key, algorithm="HS256")
    reply = await client.get("/api/events/stream", params={"ticket": ticket})
    assert reply.status_code == 401, reply.text
    assert reply.json()["code"] == "token_not_valid"


async def test_an_access_token_or_junk_is_no_ticket(client, token):
    for ticket in (token(1), "not.a.ticket"):
        reply = await client.get("/api/events/stream", params={"ticket": ticket})
        assert reply.status_code == 401 and reply.json()["code"] == "token_not_valid"
    reply = await client.get("/api/events/stream", params={"ticket": "x" * 1025})
    assert reply.status_code == 400 and reply.json()["fields"]["ticket"]


async def test_no_ticket_without_a_valid_access_token(client, auth):
    for headers, code in (
        ({}, "not_authenticated"),
        (auth(3), "token_not_valid"),  # inactive
        (auth(token_type="refresh"), "token_not_valid"),
    ):
        reply = await client.post("/api/events/stream/ticket", headers=headers)
        assert reply.status_code == 401 and reply.json()["code"] == code, reply.text


def test_the_access_log_never_shows_a_ticket():
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/events/stream?a=1&ticket=eyJ.secret.sig&b=2", "1.1", 200),
        None,
    )
    assert access_log.REDACT_TICKETS.filter(record)
    assert record.getMessage() == (
        '127.0.0.1:5000 - "GET /api/events/stream?a=1&ticket=[redacted]&b=2 HTTP/1.1" 200'
    )
    assert logging.getLogger("uvicorn.access").filters.count(access_log.REDACT_TICKETS) == 1
