"""Fixed-window rate limits for the auth endpoints, one bucket per kind of request.

Each bucket counts its own keys (AUTH_RATE_LIMIT each, so signing in does not eat the refresh
allowance): register per client IP, sign-in per email and client IP, refresh per token family
(per client IP when the token cannot be read); the back office's login per email and client IP
(ADMIN_LOGIN_RATE_LIMIT). The client IP comes from core/proxies.py (NUM_PROXIES).

Where the counters live: with REDIS_URL, in Redis, so every worker process on every machine
counts against the same limit; without it, in the process, so each worker counts on its own
(the effective limit is the rate times the number of workers) and a restart forgets them.
"""

import math
import time

from fastapi import Request
from redis.asyncio import Redis
from redis.exceptions import RedisError

from .errors import ApiError


class MemoryCounters:
    """Counters in this process's memory."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, float]] = {}  # key -> (count, expires at)

    async def increment(self, key: str, ttl: int) -> int:
        now = time.monotonic()
        if len(self._counts) > 10_000:  # forget finished windows
            self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
        count, expires = self._counts.get(key, (0, now + ttl))
        self._counts[key] = (count + 1, expires)
        return count + 1


class RedisCounters:
    """Counters in Redis, shared by every process that uses the same REDIS_URL."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def increment(self, key: str, ttl: int) -> int:
        # One MULTI/EXEC: the count and its expiry are set together, so no key outlives its
        # window even when the process dies between two commands.
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, ttl)
            count, _ = await pipe.execute()
        return count


Counters = MemoryCounters | RedisCounters


def counters_for(redis: Redis | None) -> Counters:
    return RedisCounters(redis) if redis is not None else MemoryCounters()


class RateLimiter:
    def __init__(self, limit: int, window_seconds: int, counters: Counters) -> None:
        self.limit = limit
        self.window = window_seconds
        self.counters = counters

    async def hit(self, bucket: str, key: str) -> None:
        """Counts one request against `key` in `bucket`; ApiError 429 once over the limit,
        503 when Redis does not answer (refusing is safer than not counting)."""
        now = time.time()
        window = int(now // self.window)
        try:
            count = await self.counters.increment(f"rate:{bucket}:{window}:{key}", self.window)
        except (RedisError, OSError) as error:
            raise ApiError(
                503, "service_unavailable", "The service is unavailable: Redis does not answer."
            ) from error
        if count > self.limit:
            retry_after = math.ceil((window + 1) * self.window - now)
            raise ApiError(
                429,
                "throttled",
                f"Too many requests. Try again in {retry_after} seconds.",
                headers={"Retry-After": str(retry_after)},
            )


def client_ip(request: Request) -> str:
    """The client's address (ProxyHeaders has applied NUM_PROXIES to it)."""
    return request.client.host if request.client else "unknown"


async def limit(request: Request, bucket: str, *key: str) -> None:
    """Counts this request in the app's auth limiter under `bucket` and `key`."""
    await request.app.state.rate_limiter.hit(bucket, "|".join(key))


async def limit_registrations(request: Request) -> None:
    """Dependency for registration: its bucket, keyed by the client's IP."""
    await limit(request, "register", client_ip(request))
