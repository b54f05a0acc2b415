"""How many live streams each user holds open: in this process, or in Redis across processes.

Without REDIS_URL each process counts its own streams (LocalSlots), so a user may hold
STREAM_MAX_PER_USER in each process. With it, every process of every machine counts in one place
(RedisSlots): a sorted set per user, one member per open stream, scored with the time its slot
lapses. A process refreshes the slots of its open streams every TTL/3 seconds; a process that
dies (killed, crashed, its machine gone) stops refreshing, and its slots lapse after at most
TTL_SECONDS instead of counting against the user forever.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections import Counter

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# How long a slot outlives its last refresh. Clocks of the service's machines must agree to well
# within this (NTP does).
TTL_SECONDS = 60
REFRESH_SECONDS = TTL_SECONDS / 3

# Atomic in Redis: drop the user's lapsed slots, then take one if fewer than the limit are held.
# KEYS[1] the user's set; ARGV now, lapses_at, limit, slot id. Returns 1 if taken, else 0.
TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
    return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(ARGV[2] - ARGV[1]))
return 1
"""


class LocalSlots:
    """Streams per user, counted in this process. The check and the count happen with no await
    between them: two streams opening at once cannot both take the last slot."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held: Counter[int] = Counter()

    async def take(self, user_id: int) -> str | None:
        """A slot's id, or None when the user holds `limit` already."""
        if self._held[user_id] >= self.limit:
            return None
        self._held[user_id] += 1
        return uuid.uuid4().hex

    async def release(self, user_id: int, slot: str) -> None:
        self._held[user_id] -= 1
        if self._held[user_id] <= 0:
            del self._held[user_id]

    async def refresh(self, held: dict[str, int]) -> None:
        """Nothing lapses in a process's own memory."""


class RedisSlots:
    def __init__(self, redis: Redis, limit: int, prefix: str = "realtime:streams:") -> None:
        self.limit = limit
        self._redis = redis
        self._prefix = prefix
        self._take = redis.register_script(TAKE)

    def _key(self, user_id: int) -> str:
        return f"{self._prefix}{user_id}"

    async def take(self, user_id: int) -> str | None:
        slot = uuid.uuid4().hex
        now = time.time()
        args = [now, now + TTL_SECONDS, self.limit, slot]
        taken = await self._take(keys=[self._key(user_id)], args=args)
        return slot if taken else None

    async def release(self, user_id: int, slot: str) -> None:
        try:
            await self._redis.zrem(self._key(user_id), slot)
        except RedisError as error:  # the stream is over either way: its slot lapses by itself
            logger.warning("stream slot of user %s not released (%s); it lapses", user_id, error)

    async def refresh(self, held: dict[str, int]) -> None:
        """Push back the lapse time of every slot this process holds (slot id -> user id)."""
        if not held:
            return
        lapses_at = time.time() + TTL_SECONDS
        async with self._redis.pipeline(transaction=False) as pipe:
            for slot, user_id in held.items():
                # XX: only a slot still there; one that lapsed meanwhile is not brought back.
                pipe.zadd(self._key(user_id), {slot: lapses_at}, xx=True)
                pipe.expire(self._key(user_id), math.ceil(TTL_SECONDS))
            await pipe.execute()
