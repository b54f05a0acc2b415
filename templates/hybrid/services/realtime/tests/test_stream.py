"""The live stream: a user's new events reach their open streams, and nobody else's."""

from __future__ import annotations

import asyncio
import contextlib
import json

from realtime.auth import User
from realtime.events import stream


async def next_message(iterator) -> str:
    return await asyncio.wait_for(anext(iterator), timeout=5)


async def test_a_new_event_reaches_the_users_stream_only(app, client, auth):
    ada = (await stream(User(1, "ada@example.com"), app.state.feed)).body_iterator
    bob = (await stream(User(2, "bob@example.com"), app.state.feed)).body_iterator
    assert await next_message(ada) == ": subscribed\n\n"
    assert await next_message(bob) == ": subscribed\n\n"

    batch = {"events": [{"name": "checkout", "data": {"total": 42}}]}
    assert (await client.post("/api/events", json=batch, headers=auth(1))).status_code == 202

    message = await next_message(ada)
    lines = dict(line.split(": ", 1) for line in message.strip().splitlines())
    assert lines["event"] == "event"
    event = json.loads(lines["data"])
    assert (event["name"], event["data"]) == ("checkout", {"total": 42})
    assert event["created_at"].endswith("Z")  # UTC, written as the core writes it, even on SQLite
    assert lines["id"] == str(event["id"])

    bob_next = asyncio.ensure_future(next_message(bob))
    await asyncio.sleep(0.3)  # several feed polls
    assert not bob_next.done()
    bob_next.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await bob_next
    await ada.aclose()
    await bob.aclose()
