"""The live feed: one poller per process fans new events out to every open stream.

Events may be written by any worker of this service, or by the core, so the feed reads them
from the database rather than trusting in-process messages. One query per interval serves all
open streams of the process, however many there are.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from realtime.database import UNAVAILABLE
from realtime.tables import events

logger = logging.getLogger(__name__)


class EventFeed:
    def __init__(self, engine: AsyncEngine, interval: float, batch: int = 1000):
        self._engine = engine
        self._interval = interval
        self._batch = batch
        self._subscribers: dict[int, set[asyncio.Queue]] = defaultdict(set)
        self._last_id: int | None = None  # None until the database first answers
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        try:
            await self._skip_past_events()
        except UNAVAILABLE:  # the service starts anyway: /health says 503 until the database is up
            logger.warning("event feed: the database does not answer yet")
        self._task = asyncio.create_task(self._poll_forever())

    async def _skip_past_events(self) -> None:
        async with self._engine.connect() as connection:
            self._last_id = (await connection.scalar(select(func.max(events.c.id)))) or 0

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @contextlib.asynccontextmanager
    async def subscribe(self, user_id: int) -> AsyncIterator[asyncio.Queue]:
        """A queue that receives the user's events written from now on."""
        queue: asyncio.Queue = asyncio.Queue(maxsize=10_000)
        self._subscribers[user_id].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[user_id].discard(queue)
            if not self._subscribers[user_id]:
                del self._subscribers[user_id]

    async def _poll_forever(self) -> None:
        while True:
            try:
                await self.poll()
            except Exception:  # a database hiccup must not end the feed for good
                logger.exception("event feed poll failed; retrying")
                await asyncio.sleep(self._interval * 4)
            await asyncio.sleep(self._interval)

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
            for queue in self._subscribers.get(row["user_id"], ()):
                if not queue.full():  # a stalled client loses events rather than memory
                    queue.put_nowait(dict(row))
