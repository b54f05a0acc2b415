"""The app's Redis client when REDIS_URL is set: rate-limit counters and the health check.

Connections open on first use and are pooled per process; the lifespan closes them."""

from redis.asyncio import Redis

# Short timeouts: a Redis that does not answer fails a request (503) in seconds, not minutes.
TIMEOUT_SECONDS = 2


def create_redis(url: str | None) -> Redis | None:
    if not url:
        return None
    return Redis.from_url(
        url,
        socket_timeout=TIMEOUT_SECONDS,
        socket_connect_timeout=TIMEOUT_SECONDS,
        health_check_interval=30,  # checks a pooled connection idle that long before reuse
    )
