"""The live feed: one poller per process fans new events out to every open stream.

Events may be written by any worker of this service, or by the core, so the feed reads them
from the database rather than trusting in-process messages. One query per interval serves all
open streams of the process, however many there are; so does the check, every
user_check_interval, that ends the streams of users deactivated or deleted since they opened.

A user holds at most max_per_user streams: counted in this process, or in Redis across every
process when REDIS_URL is set (realtime/slots.py).

Each stream has a buffer of at most `buffer` messages. A stream whose reader falls further
behind is ended, never buffered without bound, and never kept open while it loses events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from realtime.database import UNAVAILABLE
from realtime.slots import REFRESH_SECONDS, LocalSlots, RedisSlots
from realtime.sse import EndReason, event_message
from realtime.tables import events, users

logger = logging.getLogger(__name__)

# Users per query of the user check: far below any database's limit on bound parameters.
USER_CHECK_CHUNK = 10_000


class StreamLimitReached(Exception):
    """The user already has max_per_user open streams."""


@dataclass(eq=False)
class Subscription:
    """One open stream: the messages waiting for its reader, and why it ended once it has."""

    user_id: int
    queue: asyncio.Queue[str]
    slot: str = ""  # its place among the user's streams (realtime/slots.py)
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    reason: EndReason | None = None

    def deliver(self, message: str) -> None:
        if self.ended.is_set():
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.end("fell_behind")

    def end(self, reason: EndReason) -> None:
        if not self.ended.is_set():
            self.reason = reason
            self.ended.set()


class EventFeed:
    def __init__(
        self,
        engine: AsyncEngine,
        interval: float,
        *,
        buffer: int = 1000,
        max_per_user: int = 5,
        user_check_interval: float = 5.0,
        batch: int = 1000,
        slots: LocalSlots | RedisSlots | None = None,
    ):
        self._engine = engine
        self._interval = interval
        self._buffer = buffer
        self._slots = slots or LocalSlots(max_per_user)
        self._user_check_interval = user_check_interval
        self._batch = batch
        self._subscribers: dict[int, set[Subscription]] = defaultdict(set)
        self._last_id: int | None = None  # None until the database first answers
        self._tasks: list[asyncio.Task] = []
        self._shutting_down = False

    async def start(self) -> None:
        try:
            await self._skip_past_events()
        except UNAVAILABLE:  # the service starts anyway: /health says 503 until the database is up
            logger.warning("event feed: the database does not answer yet")
        self._tasks = [
            asyncio.create_task(self._forever(self.poll, self._interval)),
            asyncio.create_task(self._forever(self.check_users, self._user_check_interval)),
            asyncio.create_task(self._forever(self.refresh_slots, REFRESH_SECONDS)),
        ]

    async def _skip_past_events(self) -> None:
        async with self._engine.connect() as connection:
            self._last_id = (await connection.scalar(select(func.max(events.c.id)))) or 0

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def shut_down(self) -> None:
        """End every open stream, and each one opened from now on, with reason `shutdown`: the
        server waits for open responses to finish before it stops, and a stream never would."""
        self._shutting_down = True
        for streams in self._subscribers.values():
            for subscription in streams:
                subscription.end("shutdown")

    async def subscribe(self, user_id: int) -> Subscription:
        """A subscription to the user's events written from now on; unsubscribe it when done.
        StreamLimitReached when the user holds max_per_user streams already."""
        slot = await self._slots.take(user_id)
        if slot is None:
            raise StreamLimitReached
        subscription = Subscription(user_id, asyncio.Queue(maxsize=self._buffer), slot=slot)
        self._subscribers[user_id].add(subscription)
        if self._shutting_down:
            subscription.end("shutdown")
        return subscription

    async def unsubscribe(self, subscription: Subscription) -> None:
        """Free the stream's place (again: it does nothing the second time)."""
        streams = self._subscribers.get(subscription.user_id, set())
        if subscription not in streams:
            return  # released already: a slot counts once
        streams.discard(subscription)
        if not streams:
            self._subscribers.pop(subscription.user_id, None)
        await self._slots.release(subscription.user_id, subscription.slot)

    async def refresh_slots(self) -> None:
        """Keep the slots of this process's open streams from lapsing (realtime/slots.py)."""
        held = {s.slot: user_id for user_id, subs in self._subscribers.items() for s in subs}
        await self._slots.refresh(held)

    async def _forever(self, job, interval: float) -> None:
        while True:
            try:
                await job()
            except Exception:  # a database hiccup must not end the feed for good
                logger.exception("event feed: %s failed; retrying", job.__name__)
                await asyncio.sleep(interval * 4)
            await asyncio.sleep(interval)

    async def poll(self) -> None:
        if self._last_id is None:
            await self._skip_past_events()
            return
        query = (
            select(events.c.id, events.c.user_id, events.c.name, events.c.data, events.c.created_at)
            .where(events.c.id > self._last_id)
            .order_by(events.c.id)
            .limit(self._batch)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        for row in rows:
            self._last_id = row["id"]
            streams = self._subscribers.get(row["user_id"])
            if streams:
                message = event_message(dict(row))  # written once, shared by the user's streams
                for subscription in streams:
                    subscription.deliver(message)

    async def check_users(self) -> None:
        """End the streams of every user no longer active (deactivated or deleted)."""
        user_ids = list(self._subscribers)
        for start in range(0, len(user_ids), USER_CHECK_CHUNK):
            chunk = user_ids[start : start + USER_CHECK_CHUNK]
            query = select(users.c.id).where(users.c.id.in_(chunk), users.c.is_active)
            async with self._engine.connect() as connection:
                active = set((await connection.scalars(query)).all())
            for user_id in set(chunk) - active:
                for subscription in self._subscribers.get(user_id, ()):
                    subscription.end("user_inactive")
